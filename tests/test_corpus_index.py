"""The full real corpus, as indexed: structure, pages and verbatim text of every passage."""

from __future__ import annotations

import re

import pytest

from index.parse import parse
from index.sources import fetch

pytestmark = pytest.mark.corpus


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def index(full_assistant):
    return full_assistant.index


def test_every_manifest_document_is_indexed(full_assistant, index):
    from assistant.library import all_sources

    assert {s.document_id for s in all_sources(full_assistant.settings)} <= set(index.by_document)


def test_ai_act_structure(index):
    locs = [p.locator for p in index.by_document["eu-ai-act-2024-1689"]]
    articles = {int(m.group(1)) for loc in locs if (m := re.match(r"Article (\d+)", loc))}
    recitals = {int(m.group(1)) for loc in locs if (m := re.match(r"Recital (\d+)$", loc))}
    annexes = {m.group(1) for loc in locs if (m := re.match(r"Annex ([IVX]+)\b", loc))}
    assert articles == set(range(1, 114))
    assert recitals == set(range(1, 181))
    assert len(annexes) == 13


def test_article_50_1_is_on_page_82(index):
    p = index.passages["eu-ai-act-2024-1689#art-50-1"]
    assert p.locator == "Article 50(1)" and p.page_start == 82
    assert "natural persons concerned are informed that they are interacting with an AI system" in _norm(p.text)


def test_nist_rmf_has_all_72_subcategories(index):
    subs = {p.locator for p in index.by_document["nist-ai-rmf-1.0"] if re.fullmatch(r"(GOVERN|MAP|MEASURE|MANAGE) \d+\.\d+", p.locator)}
    assert len(subs) == 72
    assert {"GOVERN 1.1", "MEASURE 2.11", "MANAGE 4.3"} <= subs


def test_passage_ids_follow_structure(index):
    for pid, p in index.passages.items():
        assert pid.startswith(p.document_id + "#")
        assert re.fullmatch(r"[a-z0-9.\-]+#[a-z0-9\-]+(~\d+)?", pid), pid


def test_every_passage_is_verbatim_on_its_pages(full_assistant, index):
    """For every passage of every document, its text (whitespace-normalised) appears in the
    extracted text of its stated page(s)."""
    cfg = full_assistant.config
    for doc_id, passages in index.by_document.items():
        src = index.sources[doc_id]
        doc = parse(doc_id, fetch(src, list(cfg.mirrors), cfg.cache_dir, allow_download=False), src.format)
        for p in passages:
            if p.page_start is None:
                assert _norm(p.text) in _norm(doc.text), p.passage_id
                continue
            pages = " ".join(doc.page_text(n) for n in range(p.page_start, p.page_end + 1) if n in doc.page_numbers)
            assert _norm(p.text) in _norm(pages), f"{p.passage_id} not on pages {p.page_start}-{p.page_end}"
