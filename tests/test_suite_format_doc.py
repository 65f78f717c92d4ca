"""docs/suite-format.md: its YAML and JSONL examples load as suites, name indexed documents, and
every quote lies verbatim in its document (on its stated page, where one is given)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evals.suite import KINDS, LANGUAGES, check_suite_with_index, load_suite, normalise

DOC = Path(__file__).resolve().parents[1] / "docs" / "suite-format.md"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    folder = tmp_path_factory.mktemp("doc-suites")
    paths = []
    for i, text in enumerate(blocks("yaml")):
        paths.append(folder / f"example-{i}.yaml")
        paths[-1].write_text(text, encoding="utf-8")
    for i, text in enumerate(blocks("json")):
        paths.append(folder / f"example-{i}.jsonl")
        paths[-1].write_text(text, encoding="utf-8")
    return [load_suite(p) for p in paths]


def test_examples_load_and_cover_the_schema(examples):
    cases = [c for s in examples for c in s.cases]
    assert len(examples) == 3 and len(cases) == 6
    kinds = {c.kind for c in cases}
    assert {"sme", "follow-up", "temporal", "out-of-corpus", "mixed"} <= kinds <= set(KINDS)
    assert {c.language for c in cases} <= set(LANGUAGES) and "ms" in {c.language for c in cases}
    assert any(c.expect.not_covered for c in cases) and any(c.history for c in cases)
    assert any(c.filters.get("documents") for c in cases) and any(c.expect.abstain for c in cases)


def test_every_documented_field_is_one_the_loader_reads():
    text = DOC.read_text(encoding="utf-8")
    for field in ("id", "question", "persona", "kind", "language", "tags", "history", "filters", "expect",
                  "abstain", "sources", "source_groups", "key_points", "not_covered", "document", "quote",
                  "locator", "page"):
        assert f"| `{field}` |" in text, field
    for kind in KINDS:
        assert f"`{kind}`" in text, kind


def test_example_quotes_are_in_the_index_and_on_their_pages(examples, full_assistant):
    from evals.runner import SourcePages

    pages = SourcePages.from_settings(full_assistant.settings)
    for suite in examples:
        assert check_suite_with_index(suite, full_assistant.index) == []  # raises on a bad id or quote
        for case in suite.cases:
            for src in case.expect.sources:
                if src.quote and src.page:
                    assert normalise(src.quote) in normalise(pages(src.document, src.page)[0]), (case.id, src)


def test_code_points_to_the_document():
    root = DOC.parents[1]
    for module in ("evals/suite.py", "evals/metrics.py"):
        assert "docs/suite-format.md" in (root / module).read_text(encoding="utf-8")
