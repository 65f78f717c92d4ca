"""What a question asks about, checked against the corpus itself: instruments (standards, acts,
laws of a place), places without indexed instruments, and years. A part of the question whose
subject the corpus does not hold is named as not covered; the rest is answered.

The checks read the manifest (titles, aliases, jurisdictions) and the passage text, so adding a
document changes what is answerable without touching this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.types import Source

from .places import has_national_instruments, places

# Names of instruments: standards, and capitalised names ending in an instrument word
# ("Colorado AI Act", "Digital Services Act"), or "Law on …" / "Decree No. …" titles.
STANDARD = re.compile(r"\bISO(?:/IEC)?\s?\d{4,5}(?:-\d+)?\b", re.I)
NAMED_ACT = re.compile(r"\b((?:(?!(?:Under|The|What|Does|Do|Is|Are|How|Can|Which|When|Per|In|For|And)\b)[A-Z][\w'’.-]*\s+(?:(?:and|of|on|for)\s+)?){1,6}(?:Act|Law|Bill|Decree|Directive|Regulation|Code|Ordinance|Standard))\b"
                       r"|\b((?:Law|Decree|Decision|Circular)\s+(?:No\.?\s*[\w/.-]+\s+)?on\s+(?:[A-Z][\w-]*\s*){1,6})")
ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")
INSTRUMENT_WORDS = re.compile(r"\b(law|laws|act|bill|decree|regulations?|rules|measures|guidelines?|strategy|policy|code|"
                              r"framework|standards?|statute|legislation|ministry|regulator|authority|agency|government)\b", re.I)
# Rule books (not bodies: "a travel agency in Manila" names no instrument of the Philippines).
RULE_WORDS = re.compile(r"\b(law|laws|act|bill|decree|regulations?|rules|measures|guidelines?|strategy|policy|code|"
                        r"framework|standards?|statute|legislation)\b", re.I)
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d|21\d\d)\b")
# Court cases ("Getty Images v Stability AI") and bodies named as acting ("the Garante fined …").
CASE = re.compile(r"\b([A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})\s+v\.?\s+([A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})")
ACTING = re.compile(r"\b(fine[sd]?|ruled?|ruling|judgment|judgement|court|verdict|sanction(ed)?|penali[sz]ed|investigat\w+|"
                    r"authority|regulator|agency|commission|ministry)\b", re.I)
PROPER = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)\b")
ANAPHORA = re.compile(r"\b(it|its|they|them|their|this|that|those|these|such)\b", re.I)
# A thing the corpus mentions in fewer passages than this is not something it can answer about.
MIN_MENTIONS = 3
_STOPWORDS = {"the", "of", "on", "and", "for", "no", "ai", "act", "law", "bill", "decree", "directive", "regulation",
              "code", "standard", "ordinance", "decision", "circular", "new", "draft", "national", "data", "digital"}


@dataclass(frozen=True)
class Unheld:
    mention: str  # as written in the question ("Thailand's draft AI law", "ISO/IEC 42001", "2035")
    why: str  # "no document of Thailand is indexed"


def _named_by_sources(name: str, sources: dict[str, Source]) -> bool:
    """A name stands for an indexed document when an alias covers it whole, or when what it adds to
    an alias is no further name ("the EU AI Act" yes; "Colorado AI Act" no)."""
    low = re.sub(r"^(the|under|per)\s+", "", name.lower())
    for src in sources.values():
        for alias in (src.title, src.short_title, *src.aliases):
            a = alias.lower()
            if not a:
                continue
            if len(low) >= 4 and low in a:
                return True
            if a in low:
                rest = name[:name.lower().find(a)] + name[name.lower().find(a) + len(a):]
                if not re.search(r"\b[A-Z][\w-]+", re.sub(r"^(The|Under|Per)\b", "", rest.strip())):
                    return True
    return False


def unheld(question: str, sources: dict[str, Source], mentions: Callable[[str], int]) -> list[Unheld]:
    """The things the question asks about that the corpus does not hold.

    ``mentions(text)`` counts the passages whose text contains ``text`` (case-insensitive)."""
    out: list[Unheld] = []
    for m in STANDARD.finditer(question):
        if not _named_by_sources(m.group(0), sources):
            out.append(Unheld(m.group(0), "no indexed document is that standard"))
    for m in NAMED_ACT.finditer(question):
        name = (m.group(1) or m.group(2)).strip()
        if _named_by_sources(name, sources):
            continue
        distinctive = [w for w in re.findall(r"[\w'’-]+", name) if w.lower().strip("'’s") not in _STOPWORDS and len(w) > 2]
        if distinctive and mentions(name) < MIN_MENTIONS:
            out.append(Unheld(name, "it is not among the indexed documents"))
    for m in ACRONYM.finditer(question):
        word = m.group(0)
        if _named_by_sources(word, sources) or mentions(word) >= MIN_MENTIONS:
            continue
        # An acronym named as a rule book ("under the HKMA guidance", "GDPR's rules"), not any acronym.
        if re.search(rf"\b(under|comply with|complies with|complying with|per|according to|required by|does|do)\s+(the\s+)?{word}\b"
                     rf"|\b{word}(['’]s)?\s+(law|act|rules|guidance|guidelines|regulations?|framework|standards?|"
                     rf"requirements?|principles|code)\b", question, re.I):
            out.append(Unheld(word, "it is not among the indexed documents"))
    low = question.lower()
    for place in places(question):
        if not place.country or has_national_instruments(place.country):
            continue
        if any(place.name.lower() in a.lower() and a.lower() in low
               for src in sources.values() for a in (src.title, src.short_title, *src.aliases) if a):
            continue  # part of an indexed document's name ("G7 Hiroshima Code of Conduct")
        window = question[place_span(question, place.name)[1]:][:60] + " " + question[:place_span(question, place.name)[0]][-40:]
        if INSTRUMENT_WORDS.search(window) and re.search(rf"{re.escape(place.name)}(?:['’]s)?\s+(?:[\w-]+\s+){{0,6}}?"
                                                        rf"{INSTRUMENT_WORDS.pattern}|{RULE_WORDS.pattern}\s+(?:of|in|from|for)\s+"
                                                        rf"(?:the\s+)?{re.escape(place.name)}", question, re.I):
            out.append(Unheld(place.name, f"no instrument of {place.name} itself is indexed"))
    for m in CASE.finditer(question):
        if mentions(m.group(1)) < MIN_MENTIONS or mentions(m.group(2)) < MIN_MENTIONS:
            out.append(Unheld(m.group(0), "no indexed document reports that case"))
    for m in PROPER.finditer(question):
        name = m.group(1)
        window = question[max(0, m.start() - 50): m.end() + 50]
        if (mentions(name) == 0 and ACTING.search(window) and not _named_by_sources(name, sources)
                and not places(name)):
            out.append(Unheld(name, "no indexed document mentions it"))
    for m in YEAR.finditer(question):
        if mentions(m.group(0)) == 0:
            out.append(Unheld(m.group(0), "no indexed document says anything about that year"))
    seen: set[str] = set()
    return [u for u in out if not (u.mention.lower() in seen or seen.add(u.mention.lower()))]


def place_span(text: str, name: str) -> tuple[int, int]:
    i = text.find(name)
    return (i, i + len(name)) if i >= 0 else (0, 0)


_PARTS = re.compile(r"(?<=[?.!;])\s+|,?\s+\b(?:and also|and|but|as well as|plus)\b\s+(?=(?:what|how|does|do|is|are|can|which|"
                    r"when|who|will|should|must|tell)\b)", re.I)


def split_parts(question: str) -> list[str]:
    """The separate asks of a question ("What does X say about Y, and what does Z require?")."""
    return [p.strip(" ,;") for p in _PARTS.split(question) if p and len(re.findall(r"\w+", p)) >= 3]


def covered_remainder(question: str, missing: list[Unheld]) -> str | None:
    """The question without its parts about unheld things; None when nothing answerable is left
    (the whole question is about them)."""
    split = split_uncovered(question, missing)
    return split[0] if split else None


def split_uncovered(question: str, missing: list[Unheld]) -> tuple[str, list[tuple[str, Unheld]]] | None:
    """(the answerable rest, [(uncovered part, what it asks about that is not held)]), or None
    when nothing answerable is left."""
    if not missing:
        return question, []
    parts = split_parts(question)
    if len(parts) < 2:
        return None
    keep, dropped = [], []
    previous = None
    for p in parts:
        about = next((u for u in missing if u.mention.lower() in p.lower()), None)
        # A part that names no unheld thing but points back at the one just before it ("…, and
        # what does it require?") is about it too.
        if about is None and dropped and dropped[-1][0] == previous and ANAPHORA.search(p) and _is_ask(p):
            about = dropped[-1][1]
        previous = p
        if about is None:
            keep.append(p)
        else:
            dropped.append((p, about))
    if not any(_is_ask(p) for p in keep) or not dropped:
        return None  # what is left only sets the scene ("Our app has customers in Denver.")
    return " ".join(keep), dropped


ASK = re.compile(r"^(what|how|does|do|is|are|can|could|which|when|who|will|would|should|must|may|tell|explain|list|"
                 r"compare|any|where|why)\b", re.I)


def _is_ask(part: str) -> bool:
    return part.rstrip().endswith("?") or bool(ASK.match(part.strip()))
