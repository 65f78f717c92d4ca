"""Gold checks for the evaluation suites (evals/suites/*.yaml: dev, holdout, tune and the blind splits).

Every expected source `quote` must occur verbatim on the stated `page` of the named document in
the shared corpus, and the suites must be well-formed (unique ids, valid fields, the case mix).

Page text:
- PDF: NFKC-normalised pypdf text of page `page` (1-based), whitespace runs collapsed to one space.
- ASEAN Guide (.txt, pdftotext -layout): pages are not marked. Each page starts with the running
  header line "ASEAN Guide on AI Governance and Ethics" and ends with a line holding only its
  printed page number; section divider pages (e.g. "Introduction") sit between a page number and
  the next header and carry no number: they are page previous+1. `page` is the printed number.
- UK white paper (HTML): no pages; `page: null`, checked against the whole BeautifulSoup text.

The quote must also not cross a line break that ends in a hyphen (extractors differ on those).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SUITES_DIR = ROOT / "evals" / "suites"
SUITE_FILES = {"dev": SUITES_DIR / "dev.yaml", "holdout": SUITES_DIR / "holdout.yaml",
               "tune": SUITES_DIR / "tune.yaml", "blind": SUITES_DIR / "blind.yaml",
               "blind-multilingual": SUITES_DIR / "blind-multilingual.yaml",
               "blind2": SUITES_DIR / "blind2.yaml", "blind2-multilingual": SUITES_DIR / "blind2-multilingual.yaml",
               "blind3": SUITES_DIR / "blind3.yaml", "blind3-multilingual": SUITES_DIR / "blind3-multilingual.yaml",
               "blind4": SUITES_DIR / "blind4.yaml", "blind4-multilingual": SUITES_DIR / "blind4-multilingual.yaml",
               "blind5": SUITES_DIR / "blind5.yaml", "blind5-multilingual": SUITES_DIR / "blind5-multilingual.yaml",
               "blind6": SUITES_DIR / "blind6.yaml", "blind6-multilingual": SUITES_DIR / "blind6-multilingual.yaml",
               "blind7": SUITES_DIR / "blind7.yaml", "blind7-multilingual": SUITES_DIR / "blind7-multilingual.yaml",
               "blind8": SUITES_DIR / "blind8.yaml", "blind8-multilingual": SUITES_DIR / "blind8-multilingual.yaml",
               "blind9": SUITES_DIR / "blind9.yaml", "blind9-multilingual": SUITES_DIR / "blind9-multilingual.yaml",
               "blind10": SUITES_DIR / "blind10.yaml", "blind10-multilingual": SUITES_DIR / "blind10-multilingual.yaml",
               "blind11": SUITES_DIR / "blind11.yaml", "blind11-multilingual": SUITES_DIR / "blind11-multilingual.yaml",
               "blind12": SUITES_DIR / "blind12.yaml", "blind12-multilingual": SUITES_DIR / "blind12-multilingual.yaml",
               "blind13": SUITES_DIR / "blind13.yaml", "blind13-multilingual": SUITES_DIR / "blind13-multilingual.yaml",
               "blind14": SUITES_DIR / "blind14.yaml", "blind14-multilingual": SUITES_DIR / "blind14-multilingual.yaml"}
MIN_CASES = {"dev": 64, "holdout": 24, "tune": 60, "blind": 80, "blind-multilingual": 25, "blind2": 80,
             "blind2-multilingual": 35, "blind3": 80, "blind3-multilingual": 40, "blind4": 80,
             "blind4-multilingual": 40, "blind5": 80, "blind5-multilingual": 40,
             "blind6": 80, "blind6-multilingual": 40, "blind7": 60, "blind7-multilingual": 25, "blind8": 50, "blind8-multilingual": 25, "blind9": 50, "blind9-multilingual": 25, "blind10": 50, "blind10-multilingual": 25, "blind11": 50, "blind11-multilingual": 25, "blind12": 50, "blind12-multilingual": 25, "blind13": 50, "blind13-multilingual": 25, "blind14": 50, "blind14-multilingual": 25}


def _corpus_dir() -> Path:
    primary = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if primary.is_dir():
        return primary
    return Path.cwd().parent / "shared" / "corpus"


CORPUS = _corpus_dir()
_skip_without_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"shared corpus not found at {CORPUS} (expected ../shared/corpus next to the repo); gold quotes not checked",
)


def needs_corpus(func):
    """Mark a test as needing the shared corpus (marker `corpus`) and skip it when the corpus is absent."""
    return pytest.mark.corpus(_skip_without_corpus(func))

PERSONAS = {"sme", "official", "evaluator"}
KINDS = {"sme", "comparison", "follow-up", "identifier", "out-of-corpus", "false-premise", "injection",
         "temporal", "mixed"}
LANGUAGES = {"en", "id", "ms", "vi", "th", "fil"}
ROLES = {"user", "assistant"}
FILTER_KEYS = {"documents", "jurisdictions", "binding"}
SOURCE_GROUPS = {"any", "all"}
CASE_KEYS = {"id", "persona", "kind", "tags", "question", "history", "filters", "expect", "language"}
EXPECT_KEYS = {"abstain", "sources", "source_groups", "key_points", "not_covered"}
SOURCE_KEYS = {"document", "locator", "page", "quote"}
ASEAN_GUIDE = "asean-guide-ai-governance-ethics-2024"
ASEAN_HEADER = "ASEAN Guide on AI Governance and Ethics"


# ---------------------------------------------------------------------------- suites


def _load(name: str) -> list[dict]:
    path = SUITE_FILES[name]
    if not path.is_file():
        return []
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return data if isinstance(data, list) else []


SUITES = {name: _load(name) for name in SUITE_FILES}


def _source_params():
    params = []
    for suite, cases in SUITES.items():
        for case in cases:
            if not isinstance(case, dict):
                continue
            sources = (case.get("expect") or {}).get("sources") or []
            for i, src in enumerate(sources):
                if isinstance(src, dict):
                    params.append(pytest.param(suite, case.get("id"), src, id=f"{suite}:{case.get('id')}:{i}"))
    return params


# ---------------------------------------------------------------------------- page text


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def hyphen_marked(text: str) -> str:
    """Like norm(), but a line break after a hyphen becomes a marker no quote can contain."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"-[ \t]*\r?\n\s*", "-\x00", text)
    return re.sub(r"\s+", " ", text).strip()


def asean_pages(text: str) -> dict[int, str]:
    """Printed page number -> raw text of that page of the ASEAN Guide .txt."""
    pages: dict[int, str] = {}
    current: list[str] | None = None
    last: int | None = None
    between: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == ASEAN_HEADER:
            if last is not None and any(x.strip() for x in between):
                pages[last + 1] = "\n".join(between)  # divider page without a printed number
            between = []
            current = [line]
            continue
        if current is not None:
            current.append(line)
            if re.fullmatch(r"\d{1,2}", stripped):
                last = int(stripped)
                pages[last] = "\n".join(current)
                current = None
        elif last is not None:
            between.append(line)
    if last is not None and any(x.strip() for x in between):
        pages[last + 1] = "\n".join(between)  # trailing copyright page
    return pages


@lru_cache(maxsize=None)
def documents() -> dict[str, Path]:
    """document_id (slug) -> file; for a slug listed twice (EU AI Act PDF + HTML) the PDF wins."""
    out: dict[str, Path] = {}
    for folder in ("asean", "external"):
        manifest = CORPUS / folder / "SOURCES.json"
        if not manifest.is_file():
            continue
        for entry in json.loads(manifest.read_text(encoding="utf-8")):
            path = CORPUS / folder / entry["file"]
            if entry["slug"] not in out or (path.suffix == ".pdf" and out[entry["slug"]].suffix != ".pdf"):
                out[entry["slug"]] = path
    return out


@lru_cache(maxsize=None)
def raw_pages(document: str) -> dict[int | None, str]:
    path = documents()[document]
    if path.suffix == ".pdf":
        import pypdf

        reader = pypdf.PdfReader(path)
        return {i + 1: page.extract_text() or "" for i, page in enumerate(reader.pages)}
    if path.suffix == ".txt":
        return dict(asean_pages(path.read_text(encoding="utf-8")))
    from bs4 import BeautifulSoup

    return {None: BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ")}


def page_text(document: str, page: int | None) -> str:
    return norm(raw_pages(document).get(page, ""))


# ---------------------------------------------------------------------------- structure


@pytest.mark.parametrize("suite", sorted(SUITE_FILES))
def test_suite_file_loads(suite):
    path = SUITE_FILES[suite]
    assert path.is_file(), f"{path} is missing"
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, list), f"{path.name} must be a YAML list of cases"
    assert len(data) >= MIN_CASES[suite], f"{path.name} has {len(data)} cases, expected at least {MIN_CASES[suite]}"


def test_case_ids_unique_across_suites():
    seen: dict[str, str] = {}
    dupes = []
    for suite, cases in SUITES.items():
        for case in cases:
            cid = case.get("id")
            if cid in seen:
                dupes.append(f"{cid} ({seen[cid]} and {suite})")
            seen[cid] = suite
    assert not dupes, f"duplicate case ids: {dupes}"


def test_questions_differ_between_suites():
    def key(q):
        return norm(str(q)).lower()

    seen: dict[str, str] = {}
    repeats = []
    for suite, cases in SUITES.items():
        for c in cases:
            k = key(c.get("question"))
            if k in seen and seen[k] != suite:
                repeats.append(f"{c.get('id')} ({suite}) repeats a question of {seen[k]}")
            seen.setdefault(k, suite)
    assert not repeats, repeats


def _case_problems(case: dict) -> list[str]:
    p: list[str] = []
    if not isinstance(case, dict):
        return ["case is not a mapping"]
    extra = set(case) - CASE_KEYS
    if extra:
        p.append(f"unknown keys {sorted(extra)}")
    if not isinstance(case.get("id"), str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", case.get("id") or ""):
        p.append("id must be a lowercase slug")
    if case.get("persona") not in PERSONAS:
        p.append(f"persona {case.get('persona')!r} not in {sorted(PERSONAS)}")
    kind = case.get("kind")
    if kind not in KINDS:
        p.append(f"kind {kind!r} not in {sorted(KINDS)}")
    tags = case.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        p.append("tags must be a list of strings")
    if kind == "false-premise" and "false-premise" not in (tags or []):
        p.append("false-premise cases must carry the tag 'false-premise'")
    q = case.get("question")
    if not isinstance(q, str) or len(q.strip()) < 8:
        p.append("question must be a non-empty string")
    history = case.get("history", [])
    if not isinstance(history, list):
        p.append("history must be a list")
        history = []
    for turn in history:
        if not (isinstance(turn, dict) and set(turn) == {"role", "content"} and turn["role"] in ROLES
                and isinstance(turn["content"], str) and turn["content"].strip()):
            p.append(f"bad history turn {turn!r}")
    if case.get("language", "en") not in LANGUAGES:
        p.append(f"language {case.get('language')!r} not in {sorted(LANGUAGES)}")
    if kind == "follow-up" and not history:
        p.append("follow-up cases need a history")
    if history and history[-1].get("role") != "assistant":
        p.append("history must end with an assistant turn")
    filters = case.get("filters", {}) or {}
    if not isinstance(filters, dict) or set(filters) - FILTER_KEYS:
        p.append(f"filters must be a mapping with keys among {sorted(FILTER_KEYS)}")
    else:
        for doc in filters.get("documents", []) or []:
            if CORPUS.is_dir() and doc not in documents():
                p.append(f"filters.documents names unknown document {doc!r}")
        if "binding" in filters and not isinstance(filters["binding"], bool):
            p.append("filters.binding must be a boolean")
    expect = case.get("expect")
    if not isinstance(expect, dict):
        return p + ["expect must be a mapping"]
    if set(expect) - EXPECT_KEYS:
        p.append(f"unknown expect keys {sorted(set(expect) - EXPECT_KEYS)}")
    abstain = expect.get("abstain")
    if not isinstance(abstain, bool):
        p.append("expect.abstain must be true or false")
    sources = expect.get("sources")
    if not isinstance(sources, list):
        return p + ["expect.sources must be a list"]
    if kind == "out-of-corpus" and abstain is not True:
        p.append("out-of-corpus cases must expect abstention")
    if kind in {"sme", "comparison", "follow-up", "identifier", "false-premise", "temporal", "mixed"} and abstain is not False:
        p.append(f"{kind} cases must expect an answer (abstain: false)")
    if abstain is True and sources:
        p.append("abstaining cases must have no sources")
    if abstain is False and not sources:
        p.append("answering cases need at least one source")
    groups = expect.get("source_groups", "any")
    if groups not in SOURCE_GROUPS:
        p.append(f"source_groups {groups!r} not in {sorted(SOURCE_GROUPS)}")
    if kind == "comparison":
        docs = {s.get("document") for s in sources if isinstance(s, dict)}
        if groups != "all" or len(docs) < 2 or len(docs) != len(sources):
            p.append("comparison cases need one source per document (>= 2 documents) and source_groups: all")
    not_covered = expect.get("not_covered", [])
    if not isinstance(not_covered, list) or not all(isinstance(k, str) and k.strip() for k in not_covered):
        p.append("not_covered must be a list of strings")
    elif kind == "mixed" and not not_covered:
        p.append("mixed cases need not_covered: the words naming the part the corpus does not answer")
    key_points = expect.get("key_points", [])
    if not isinstance(key_points, list) or not all(isinstance(k, str) and k.strip() for k in key_points):
        p.append("key_points must be a list of strings")
    elif abstain is False and not 1 <= len(key_points) <= 3:
        p.append("answering cases need 1-3 key_points")
    for src in sources:
        if not isinstance(src, dict) or set(src) != SOURCE_KEYS:
            p.append(f"source must have exactly the keys {sorted(SOURCE_KEYS)}: {src!r}")
            continue
        if not isinstance(src["document"], str) or (CORPUS.is_dir() and src["document"] not in documents()):
            p.append(f"unknown document {src['document']!r}")
        if not isinstance(src["locator"], str) or not src["locator"].strip():
            p.append("locator must be a non-empty string")
        page = src["page"]
        if not (page is None or (isinstance(page, int) and not isinstance(page, bool) and page >= 1)):
            p.append(f"page must be a positive integer or null, got {page!r}")
        quote = src["quote"]
        if not isinstance(quote, str):
            p.append("quote must be a string")
            continue
        words = len(norm(quote).split())
        if not 6 <= words <= 30:
            p.append(f"quote has {words} words, expected 6-30: {quote!r}")
        if re.search(r"[a-z]{3,}\d{1,2}\b", quote):
            p.append(f"quote seems to contain a footnote marker: {quote!r}")
    return p


@pytest.mark.parametrize("suite", sorted(SUITE_FILES))
def test_case_fields_valid(suite):
    problems = []
    for case in SUITES[suite]:
        for problem in _case_problems(case):
            problems.append(f"{case.get('id') if isinstance(case, dict) else case!r}: {problem}")
    assert not problems, "invalid cases:\n" + "\n".join(problems)


@pytest.mark.parametrize("suite", sorted(SUITE_FILES))
def test_case_mix(suite):
    """Every kind of case is represented (dev ~22/10/8/8/8/4/4, holdout proportionally)."""
    counts: dict[str, int] = {}
    for case in SUITES[suite]:
        counts[case.get("kind")] = counts.get(case.get("kind"), 0) + 1
    if suite.endswith("multilingual"):
        langs: dict[str, int] = {}
        for case in SUITES[suite]:
            langs[case.get("language", "en")] = langs.get(case.get("language", "en"), 0) + 1
        assert all(langs.get(lang, 0) >= 4 for lang in LANGUAGES - {"en"}), f"too few cases per language: {langs}"
        return
    scale = {"dev": 1.0, "blind": 1.0, "blind2": 0.6, "blind3": 0.6, "blind4": 0.6, "blind5": 0.6, "blind6": 0.6, "blind7": 0.6, "blind8": 0.6, "blind9": 0.6, "blind10": 0.6, "blind11": 0.6, "blind12": 0.6, "blind13": 0.6, "blind14": 0.6, "tune": 0.6}.get(suite, 0.3)
    wanted = {"sme": 22, "comparison": 10, "follow-up": 8, "identifier": 8,
              "out-of-corpus": 8, "false-premise": 4, "injection": 4}
    short = {k: counts.get(k, 0) for k, n in wanted.items() if counts.get(k, 0) < max(1, int(n * scale * 0.8))}
    assert not short, f"{suite}: too few cases of kinds {short} (counts {counts})"


# ---------------------------------------------------------------------------- gold against the corpus


@needs_corpus
def test_asean_guide_page_split():
    pages = raw_pages(ASEAN_GUIDE)
    missing = sorted(set(range(3, 87)) - set(pages))
    assert not missing, f"ASEAN Guide page split misses printed pages {missing}"
    for n in range(3, 87):
        lines = [ln.strip() for ln in pages[n].splitlines() if ln.strip()]
        if lines[0] == ASEAN_HEADER:
            assert lines[-1] == str(n), f"page {n} should end with its printed number, ends {lines[-1]!r}"
        else:  # a section divider page
            assert len(lines) <= 4, f"page {n} has no header but {len(lines)} lines"
    assert "Executive Summary" in norm(pages[3])
    assert "Introduction" in norm(pages[6])
    assert "A. Introduction" in norm(pages[7])


@needs_corpus
@pytest.mark.parametrize("suite,case_id,src", _source_params())
def test_quote_on_stated_page(suite, case_id, src):
    document, page, quote = src["document"], src["page"], norm(str(src["quote"]))
    assert document in documents(), f"{case_id}: unknown document {document!r}"
    pages = raw_pages(document)
    if None in pages:
        assert page is None, f"{case_id}: {document} has no pages; use page: null"
    else:
        assert page in pages, f"{case_id}: {document} has no page {page} (pages {min(pages)}-{max(pages)})"
    text = page_text(document, page)
    if quote not in text:
        elsewhere = [p for p in pages if quote in norm(pages[p])]
        hint = f"; it is on page(s) {elsewhere}" if elsewhere else "; not found on any page"
        pytest.fail(f"{case_id}: quote not on {document} page {page}{hint}: {quote!r}")
    assert quote in hyphen_marked(pages[page]), (
        f"{case_id}: quote crosses a line break after a hyphen on {document} page {page}: {quote!r}")


@needs_corpus
@pytest.mark.parametrize("suite", sorted(SUITE_FILES))
def test_key_points_in_gold_pages(suite):
    """Key points use the wording of the gold passages: each occurs on one of the case's source pages."""
    problems = []
    for case in SUITES[suite]:
        expect = case.get("expect") or {}
        texts = [page_text(s["document"], s["page"]).lower() for s in expect.get("sources") or []
                 if isinstance(s, dict) and s.get("document") in documents()]
        if not texts:
            continue
        for kp in expect.get("key_points") or []:
            if not any(norm(kp).lower() in t for t in texts):
                problems.append(f"{case.get('id')}: key point {kp!r} not on any source page")
    assert not problems, "\n".join(problems)
