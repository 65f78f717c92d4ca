"""The provision knowledge layer as data: every file valid, every unit real, every operative unit of
the corpus annotated, dates traceable to the provision that sets them, and no annotation question a
near-copy of an evaluation case (annotations are written from the provisions, never from the suites)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from index.annotations import EXPLANATORY, load_all, unit_key

SUITES = Path(__file__).resolve().parents[1] / "evals" / "suites"
NGRAM = 4  # word 4-grams: shared phrasing, not shared vocabulary
NEAR_COPY = 0.5  # share of a suite question's 4-grams found in one annotation question


@pytest.fixture(scope="module")
def annotations():
    return load_all()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _grams(text: str) -> set[tuple[str, ...]]:
    w = _words(text)
    return {tuple(w[i:i + NGRAM]) for i in range(len(w) - NGRAM + 1)}


def _suite_questions() -> list[tuple[str, str]]:
    out = []
    for path in sorted(SUITES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for text in [case.get("question", "")] + [t["content"] for t in case.get("history", []) if t["role"] == "user"]:
                out.append((f"{path.stem}:{case.get('id')}", text))
    return out


def test_no_annotation_question_is_a_near_copy_of_a_suite_case(annotations):
    by_gram: dict[tuple[str, ...], set[int]] = {}
    questions = [(doc, unit, q) for doc, units in annotations.items() for unit, a in units.items()
                 for q in a.all_questions()]
    for i, (_d, _u, q) in enumerate(questions):
        for g in _grams(q):
            by_gram.setdefault(g, set()).add(i)
    copies = []
    for case_id, text in _suite_questions():
        grams = _grams(text)
        if len(grams) < 3:
            continue
        shared: dict[int, int] = {}
        for g in grams:
            for i in by_gram.get(g, ()):
                shared[i] = shared.get(i, 0) + 1
        for i, n in shared.items():
            if n / len(grams) >= NEAR_COPY or n / max(1, len(_grams(questions[i][2]))) >= 0.8:
                copies.append(f"{case_id} ~ {questions[i][0]}#{questions[i][1]}: {questions[i][2]!r}")
    assert not copies, "annotation questions too close to suite cases:\n" + "\n".join(copies[:20])


def test_near_copy_check_catches_a_copy():
    case = "Do I have to tell customers they are talking to a chatbot on my shop?"
    assert len(_grams(case) & _grams("So do I have to tell customers they are talking to a chatbot?")) / len(_grams(case)) >= NEAR_COPY
    assert len(_grams(case) & _grams("Must my online store say that its helper is a bot?")) / len(_grams(case)) < NEAR_COPY


def test_questions_are_not_templates(annotations):
    """Questions that only restate an identifier add nothing the identifier lookup does not do."""
    template = re.compile(r"^what does (article|section|paragraph|annex|principle|recital)\s+[\w().]+ (say|state|provide)\??$", re.I)
    bad = [f"{d}#{u}: {q}" for d, units in annotations.items() for u, a in units.items() for q in a.questions
           if template.match(q.strip())]
    assert not bad, bad[:10]


def test_operative_units_carry_questions(annotations):
    thin = [f"{d}#{u} ({a.kind})" for d, units in annotations.items() for u, a in units.items()
            if a.kind not in EXPLANATORY and len(a.questions) < 2]
    assert not thin, thin[:20]


@pytest.mark.corpus
def test_every_annotation_names_a_real_unit(full_assistant, annotations):
    index = full_assistant.index
    units = {(p.document_id, unit_key(pid)) for pid, p in index.passages.items()}
    unknown = [f"{d}#{u}" for d, us in annotations.items() for u in us if (d, u) not in units]
    assert not unknown, f"annotations for units the index does not have: {unknown[:20]}"


@pytest.mark.corpus
def test_every_operative_unit_of_the_corpus_is_annotated(full_assistant, annotations):
    index = full_assistant.index
    missing: dict[str, list[str]] = {}
    for doc in index.sources:
        for p in index.by_document.get(doc, []):
            u = unit_key(p.passage_id)
            if p.kind not in ("recital", "front") and u not in annotations.get(doc, {}):
                missing.setdefault(doc, []).append(u)
    assert not missing, {d: (len(us), sorted(set(us))[:5]) for d, us in missing.items()}


@pytest.mark.corpus
def test_applies_from_names_a_provision_of_the_document(full_assistant, annotations):
    index = full_assistant.index
    bad = []
    for doc, units in annotations.items():
        locators = {p.locator for p in index.by_document.get(doc, [])}
        for u, a in units.items():
            for fact in a.applies_from:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", fact.date):
                    bad.append(f"{doc}#{u}: date {fact.date!r} is not ISO")
                if not any(loc == fact.set_by or loc.startswith(fact.set_by + "(") or loc.startswith(fact.set_by + ",")
                           or loc.startswith(fact.set_by + " ") for loc in locators):
                    bad.append(f"{doc}#{u}: set_by {fact.set_by!r} is no locator of the document")
    assert not bad, bad[:20]


@pytest.mark.corpus
def test_every_gist_is_supported_by_its_provision(full_assistant, annotations):
    """An editorial summary says nothing its provision does not: its numbers are in the text and,
    for an English source, most of its content words are (assistant.shape.gist_supported)."""
    from assistant.shape import gist_supported

    index = full_assistant.index
    bad = []
    for doc, units in annotations.items():
        src = index.sources.get(doc)
        for u, a in units.items():
            pids = index.by_unit.get((doc, u), [])
            if a.gist and pids and not gist_supported(a.gist, "\n".join(index.passages[p].text for p in pids),
                                                       src is not None and src.language == "en"):
                bad.append(f"{doc}#{u}: {a.gist}")
    assert not bad, "\n".join(bad[:20])


def test_gist_check_rejects_invented_figures():
    from assistant.shape import gist_supported

    text = "Providers shall keep the logs for a period of at least six months."
    assert gist_supported("Providers must keep logs for at least six months.", text)
    assert not gist_supported("Providers must keep logs for 10 years.", text)
    assert not gist_supported("Deployers may sell facial recognition to schools.", text)
