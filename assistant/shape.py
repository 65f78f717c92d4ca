"""The shape of an extractive answer: what binds the user, then voluntary guidance, then what the
documents do not cover. Each provision: short document name, locator, who it applies to and from
when (from the annotations, with the provision that sets the date), an optional editorial summary
labelled as such, and the verbatim quote once, cited.

Only the framing words are added (in the question's language); quotes stay verbatim.
"""

from __future__ import annotations

import re

from index.annotations import EXPLANATORY, Annotation, unit_key
from index.retrieve import PassageIndex
from index.types import Passage, Source

from . import extractive
from .citations import PageMap, cite
from .i18n import binding_label, format_date, status_word, t, where_label
from .types import Citation

# Temporal asks: answered with the date and a citation of the provision that sets it.
# "when" asks only where it opens a question or a clause ("When does …", "…, and from when …"), not
# as a conjunction ("what should we consider when judging …").
ASKS_WHEN = re.compile(r"(?:^|[.?!,;:]\s*|\b(?:and|but|or|so|also)\s+)(?:(?:from|since|by|until|till)\s+)?when\b|"
                       r"\b(by when|which date|what date|deadline|start(s)? to apply|apply from|applies from|"
                       r"come into (force|effect|application)|enter into (force|application)|in force|effective|"
                       r"how long (do|does|have|must|can|may|is|are)|how (quickly|soon)|within how many|transition(al)? period|grace period)\b", re.I)


def asks_when(text: str, lang: str = "en") -> bool:
    """A temporal ask, in English or by the question's language's own words (assistant/lexicon.toml)."""
    from .answerability import lexicon_pattern

    if ASKS_WHEN.search(text):
        return True
    return lang != "en" and re.search(lexicon_pattern("when_words", lang), text, re.I) is not None


ACTOR_WORDS = {"authorised-representative": "authorised representatives", "product-manufacturer": "product manufacturers",
               "gpai-provider": "providers of general-purpose AI models", "organisation": "organisations",
               "government": "governments and public authorities", "regulator": "regulators", "individual": "individuals"}


GIST_SUPPORT = 0.5  # share of a gist's content words that its provision's own text must contain


def gist_supported(gist: str, text: str, same_language: bool = True) -> bool:
    """An editorial summary may be shown only if it says nothing its provision does not: every
    number in it occurs in the text, and (same language) most of its content words do."""
    from index.lexical import tokenize

    numbers = set(re.findall(r"\d+", gist))
    if not numbers <= set(re.findall(r"\d+", text)):
        return False
    if not same_language:
        return True
    words = set(tokenize(gist))
    return bool(words) and len(words & set(tokenize(text))) / len(words) >= GIST_SUPPORT


def actor_words(actors: tuple[str, ...]) -> str:
    return ", ".join(ACTOR_WORDS.get(a, a + "s") for a in actors)


def group_order(doc_ids: list[str], sources: dict[str, Source], markets: list[str], jurisdictions: list[str]) -> list[str]:
    """Binding acts of the markets the question names first, then other binding acts, then
    voluntary guidance; the ranking's order within each group."""
    where = markets or jurisdictions

    def key(d: str) -> int:
        src = sources[d]
        if src.binding and src.status == "in force":
            return 0 if src.jurisdiction in where else 1
        return 2
    return sorted(doc_ids, key=key)


def date_citation(index: PassageIndex, doc_id: str, note: Annotation, pages: PageMap | None, n: int) -> Citation | None:
    """A citation of the sentence of the date-setting provision that states the unit's date."""
    if not note.applies_from:
        return None
    fact = note.applies_from[0]
    day = _date_words(fact.date)
    for p in index.by_document.get(doc_id, []):
        if not (p.locator == fact.set_by or p.locator.startswith(fact.set_by + "(") or p.locator.startswith(fact.set_by + ",")):
            continue
        for start, end in extractive.sentences(p.text):
            if day and day in " ".join(p.text[start:end].split()):
                start, end = extractive.trim(p.text, start, end)
                return cite(n, p, index.sources[doc_id], start, end, pages)
    return None


def status_citation(index: PassageIndex, src: Source, pages: dict[str, PageMap], n: int) -> Citation | None:
    """The passage of another document that establishes that ``src`` is revoked or superseded."""
    other = index.sources.get(src.status_source)
    for p in index.by_document.get(src.status_source, []) if other else []:
        start = p.text.find(src.status_quote)
        if start >= 0:
            return cite(n, p, other, start, start + len(src.status_quote), pages.get(other.document_id))
    return None


def _date_words(iso: str) -> str:
    try:
        return format_date(iso, "en")
    except ValueError:
        return ""


def compose(chosen: list[extractive.Candidate], index: PassageIndex, pages: dict[str, PageMap], *, markets: list[str],
            jurisdictions: list[str], named: list[str], uncovered: list[str], temporal: bool, lang: str = "en",
            first_n: int = 1) -> tuple[str, list[Citation]]:
    groups: dict[str, list[extractive.Candidate]] = {}
    for c in sorted(chosen, key=lambda c: c.rank):
        groups.setdefault(c.passage.document_id, []).append(c)
    where = list(dict.fromkeys([*(markets or jurisdictions), *(index.sources[d].jurisdiction for d in named
                                                                if d in index.sources and index.sources[d].binding)]))
    sections: dict[str, list[str]] = {}
    citations: list[Citation] = []
    n = first_n
    for doc_id in group_order(list(groups), index.sources, where, where):
        src = index.sources[doc_id]
        # One item per provision: the quotes of its passages (a long article's parts) in text order,
        # under its heading and gist once, not one repeated heading per part.
        by_unit: dict[str, list[extractive.Candidate]] = {}
        for c in sorted(groups[doc_id], key=lambda c: (c.rank, c.start)):
            by_unit.setdefault(unit_key(c.passage.passage_id), []).append(c)
        for items in by_unit.values():
            items.sort(key=lambda c: (_part_number(c.passage.passage_id), c.start))
            passage = items[0].passage
            note = index.knowledge.annotation(passage.passage_id)
            lines = [_provision_head(src, passage, note, lang)]
            if note is not None and note.gist and note.kind not in EXPLANATORY and gist_supported(
                    note.gist, "\n".join(index.passages[pid].text for pid in index.by_unit.get((doc_id, unit_key(passage.passage_id)), ())),
                    src.language == "en"):
                lines.append(f"  _{t('editorial_summary', lang)}:_ {note.gist}")
            for c in items:
                start, end = extractive.trim(c.passage.text, c.start, c.end)
                citation = cite(n, c.passage, src, start, end, pages.get(doc_id))
                citations.append(citation)
                n += 1
                ellipsis = "…" if end < c.end else ""
                lines.append(f"  “{' '.join(citation.quote.split())}{ellipsis}” [{citation.n}]")
            if src.status != "in force" and src.status_source and all(x.document_id != src.status_source for x in citations):
                evidence = status_citation(index, src, pages, n)
                if evidence is not None:
                    citations.append(evidence)
                    n += 1
                    lines.append(f"  {status_word(src.status, lang).capitalize()}: {index.sources[evidence.document_id].label}, "
                                 f"{evidence.locator}: “{evidence.quote}” [{evidence.n}]")
            if temporal and note is not None and note.applies_from:
                dated = date_citation(index, doc_id, note, pages.get(doc_id), n)
                if dated is not None and all(x.quote != dated.quote for x in citations):
                    citations.append(dated)
                    n += 1
                    lines.append(f"  {dated.locator}: “{' '.join(dated.quote.split())}” [{dated.n}]")
            sections.setdefault(_heading(src, where, lang), []).append("\n".join(lines))
    parts = [f"**{h}**\n" + "\n".join(f"- {item.lstrip()}" for item in items) for h, items in sections.items()]
    if uncovered:
        parts.append(f"**{t('not_covered_heading', lang)}**\n" + "\n".join(f"- {u}" for u in uncovered))
    return "\n\n".join(parts), citations


def _part_number(passage_id: str) -> int:
    """``doc#art-5-1~3`` -> 3: where a passage sits within its provision (the first part has no suffix)."""
    _, _, part = passage_id.partition("~")
    return int(part) if part.isdigit() else 1


def _heading(src: Source, where: list[str], lang: str) -> str:
    if src.status != "in force":
        return status_word(src.status, lang).capitalize()
    if src.binding and src.status == "in force":
        if src.jurisdiction in where or not where:
            return t("binds_you", lang) + ("" if src.jurisdiction in where else f" ({where_label(src, lang)})")
        return f"{t('binding', lang).capitalize()} — {where_label(src, lang)}"
    return t("voluntary_guidance", lang)


def _provision_head(src: Source, passage: Passage, note: Annotation | None, lang: str) -> str:
    facts = [binding_label(src, lang)]
    status = src.status
    if status != "in force":
        facts.append(status_word(status, lang))
    if note is not None and note.actors:
        facts.append(f"{t('applies_to', lang).lower()} {actor_words(note.actors)}")
    if note is not None and note.applies_from:
        fact = note.applies_from[0]
        text = t("applies_from", lang, date=format_date(fact.date, lang), provision=fact.set_by)
        facts.append(text[:1].lower() + text[1:])
    return f"**{src.label}, {passage.locator}** ({'; '.join(facts)})"
