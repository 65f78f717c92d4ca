"""Citation handling, table first: what a model writes is mapped back to retrieved passages, and
nothing that cannot be supported leaves the service."""

from __future__ import annotations

import re

import pytest

from assistant.citations import CitationError, PageMap, cite, markers, verify
from index.types import Passage, Source

SRC = Source(document_id="doc", title="A Document", issuer="x", jurisdiction="EU", published="2024", doc_type="regulation",
             binding=True, language="en", official_url="https://example.org/doc.pdf", sha256=None, file="doc.pdf", format="pdf")
P1 = Passage("doc#art-1-1", "doc", "Article 1(1)", ("Article 1",), 3, 4, 1000, 1100,
             "1. Providers shall inform users.\n\nThe provider shall keep logs for six months.")
PASSAGES = {P1.passage_id: P1}


@pytest.mark.parametrize(
    "sentence, bare, numbers",
    [
        ("Inform users [1].", "Inform users.", [1]),
        ("Inform users [2][2].", "Inform users.", [2]),  # duplicate markers count once
        ("Inform users [1, 3] and keep logs [3; 2].", "Inform users and keep logs.", [1, 3, 2]),
        ("Inform users [0].", "Inform users.", [0]),  # kept here; the composer drops and counts it
        ("Inform users [99].", "Inform users.", [99]),
        ("No markers at all.", "No markers at all.", []),
        ("Footnote-like [a] text.", "Footnote-like [a] text.", []),  # not a citation marker
    ],
)
def test_markers(sentence, bare, numbers):
    assert markers(sentence) == (bare, numbers)


def test_cite_places_quote_on_its_page():
    pages = PageMap(starts=(0, 1030), numbers=(3, 4))  # page 4 begins inside the passage
    start = P1.text.index("The provider")
    c = cite(1, P1, SRC, start, len(P1.text), pages)
    assert c.quote == "The provider shall keep logs for six months."
    assert c.page == 4 and c.url.endswith("#page=4")
    first = cite(2, P1, SRC, 0, 31, pages)
    assert first.quote == "1. Providers shall inform users" and first.page == 3


@pytest.mark.parametrize(
    "answer, quote, passage_id, error",
    [
        ("Inform [1].", "Providers shall inform users", "doc#art-1-1", None),
        ("Inform [2].", "Providers shall inform users", "doc#art-1-1", "marker [2] has no citation"),
        ("Inform [1].", "Providers must inform users", "doc#art-1-1", "not a substring"),  # paraphrase is not a quote
        ("Inform [1].", "", "doc#art-1-1", "not a substring"),
        ("Inform [1].", "Providers shall inform users", "doc#invented", "was not retrieved"),
    ],
)
def test_verify(answer, quote, passage_id, error):
    c = cite(1, P1, SRC, 0, 1, None)
    c = type(c)(**{**c.__dict__, "quote": quote, "passage_id": passage_id})
    if error is None:
        verify(answer, [c], PASSAGES)
    else:
        with pytest.raises(CitationError, match=re.escape(error)):
            verify(answer, [c], PASSAGES)
