"""Structure of the EU AI Act (Regulation (EU) 2024/1689, Official Journal PDF) and of the
Council of Europe Framework Convention on AI (CETS No. 225).

Both are cited by Article and numbered paragraph ("Article 50(1)"); the AI Act adds recitals
("Recital 27") and annexes ("Annex III, point 4"). A heading is accepted only at a line start and
only in sequence (its number must be the next one expected), which rejects cross-references
("as referred to in Article 6(2)"), footnotes ("(12) OJ L 119 ...") and quoted amending text.
Container headings (Chapter, Section, an Article with paragraphs, an Annex with points) are not
citable units of their own: their lines open the first unit below them, so no text is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..types import PAGE_SEP, ParsedDocument, Section
from .base import Heading, sections_from_headings


def recognise(doc: ParsedDocument, family: str, document_id: str) -> list[Section]:
    """Leaf sections of the AI Act (family "eu_act") or of the CoE Convention (family "coe")."""
    lines = _lines(doc)
    headings = _coe_headings(lines) if family == "coe" else _eu_headings(lines)
    return sections_from_headings(doc, _fold_containers(headings), front_locator="Preamble")


# --- lines -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    start: int  # offset in ParsedDocument.text
    text: str
    footer: bool = False  # in the OJ page footer and footnote block at the bottom of a page


# The OJ footer ("EN OJ L, 12.7.2024" / "2/144 ELI: http://...") survives parsing on pages with
# footnotes; everything after it on the page is footnotes, whose "(N)" must not start a recital.
_OJ_FOOTER = re.compile(r"^(?:\d+/\d+ )?ELI: http\S+(?: \d+/\d+)?$")


def _lines(doc: ParsedDocument) -> list[_Line]:
    """Non-blank lines of the document, page by page, with the footnote block of each page marked."""
    out: list[_Line] = []
    for i, start in enumerate(doc.page_starts):
        end = doc.page_starts[i + 1] - len(PAGE_SEP) if i + 1 < len(doc.page_starts) else len(doc.text)
        page: list[tuple[int, str]] = []
        offset = start
        for text in doc.text[start:end].split("\n"):
            page.append((offset, text))
            offset += len(text) + 1
        footer_at = next((k for k, (_, t) in enumerate(page) if _OJ_FOOTER.match(t)), len(page))
        if 0 < footer_at < len(page) and "OJ L" in page[footer_at - 1][1]:
            footer_at -= 1
        out.extend(_Line(o, t, k >= footer_at) for k, (o, t) in enumerate(page) if t.strip())
    return out


# A title wraps onto the next line when it stops on a function word ("... in accordance with" /
# "Article 49") or, for Article titles, when the next line starts in lower case ("... AI regulatory"
# / "sandbox").
_TITLE_STOPWORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "its", "of",
                    "on", "or", "the", "their", "to", "under", "with"}


def _title(lines: list[_Line], j: int, structural: re.Pattern[str], lowercase_wraps: bool) -> tuple[str, int]:
    """The title starting at lines[j] (wrapped lines joined) and the index after it."""
    j = _skip_footer(lines, j)
    if j >= len(lines) or structural.match(lines[j].text):
        return "", j
    parts = [lines[j].text]
    j = _skip_footer(lines, j + 1)
    while j < len(lines) and len(parts) < 3 and not structural.match(lines[j].text):
        ends_open = parts[-1].split()[-1].lower() in _TITLE_STOPWORDS
        if not (ends_open or (lowercase_wraps and lines[j].text[0].islower())):
            break
        parts.append(lines[j].text)
        j = _skip_footer(lines, j + 1)
    return " ".join(parts).rstrip("`' ").strip(), j


def _skip_footer(lines: list[_Line], j: int) -> int:
    while j < len(lines) and lines[j].footer:
        j += 1
    return j


def _fold_containers(headings: list[Heading]) -> list[Heading]:
    """Move each leaf's start back to the first container heading just above it.

    "CHAPTER IV / ... / Article 50 / Transparency obligations ... / 1. Providers shall ..." is one
    section "Article 50(1)"; the containers keep that offset so they still give the section path.
    """
    out: list[Heading] = []
    pending: list[Heading] = []
    for h in headings:
        if not h.leaf:
            pending.append(h)
            continue
        start = pending[0].offset if pending else h.offset
        out.extend(replace(p, offset=start) for p in pending)
        out.append(replace(h, offset=start))
        pending = []
    return out + pending  # a container without units keeps its own text


# --- numbering helpers -------------------------------------------------------------------------

_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _to_roman(n: int) -> str:
    out = ""
    for value, numeral in _ROMAN:
        while n >= value:
            out, n = out + numeral, n - value
    return out


_KEEP_UPPER = {"AI", "EU", "SMES"}


def _sentence_case(title: str) -> str:
    """OJ chapter titles are set in capitals: "EU DATABASE FOR HIGH-RISK AI SYSTEMS" -> "EU database ..."."""
    if not title.isupper():
        return title
    words = [w if w.strip(",;:.()").upper() in _KEEP_UPPER else w.lower() for w in title.split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


# --- EU AI Act ---------------------------------------------------------------------------------

_RECITAL = re.compile(r"^\((\d+)\) \S")
_EU_CHAPTER = re.compile(r"^CHAPTER ([IVXLC]+)$")
_EU_SECTION = re.compile(r"^SECTION (\d+)$")
_EU_ARTICLE = re.compile(r"^Article (\d+)$")
_EU_PARAGRAPH = re.compile(r"^(\d+)\. \S")
_ANNEX = re.compile(r"^ANNEX ([IVXLC]+)$")
_ANNEX_SECTION = re.compile(r"^Section ([A-Z]|\d+)(?:\.? —|\.|$)\s*(.*)$")
_ANNEX_SUBPOINT = re.compile(r"^(\d+)\.(\d+)\.? \S")
# Lines that end a title: in the enacting terms, and in the annexes (where "Article 49" can be the
# wrapped end of a title: "... in accordance with" / "Article 49").
_EU_STRUCTURAL = re.compile("|".join(p.pattern for p in (_RECITAL, _EU_CHAPTER, _EU_SECTION, _EU_ARTICLE, _EU_PARAGRAPH)))
_ANNEX_STRUCTURAL = re.compile("|".join(p.pattern for p in (_ANNEX, _ANNEX_SECTION, _EU_PARAGRAPH, _ANNEX_SUBPOINT)))


def _eu_headings(lines: list[_Line]) -> list[Heading]:
    """Recitals between "Whereas:" and "HAVE ADOPTED", Articles up to "ANNEX I", then Annexes."""
    texts = [ln.text for ln in lines]
    whereas = _first(texts, lambda t: t == "Whereas:", 0)
    adopted = _first(texts, lambda t: t.startswith("HAVE ADOPTED THIS REGULATION"), whereas)
    annexes = _first(texts, lambda t: t == "ANNEX I", len(lines), after=adopted)
    return (_recital_headings(lines[whereas:adopted])
            + _EnactingTerms(lines[adopted + 1 : annexes]).headings()
            + _Annexes(lines[annexes:]).headings())


def _first(texts: list[str], test: Callable[[str], bool], default: int, after: int = 0) -> int:
    """Index of the first line at or after ``after`` passing ``test`` (``default`` when none)."""
    return next((i for i in range(after, len(texts)) if test(texts[i])), default)


def _recital_headings(lines: list[_Line]) -> list[Heading]:
    """(1), (2), ... in sequence; footnotes ("(5) European Council, ...") break the sequence."""
    headings: list[Heading] = []
    expected = 1
    for ln in lines:
        m = _RECITAL.match(ln.text)
        if not m or ln.footer or int(m[1]) != expected:
            continue
        if expected == 1:
            headings.append(Heading(ln.start, 0, "Recitals", "recitals", "Recitals", "recital", leaf=False))
        headings.append(Heading(ln.start, 1, f"Recital {expected}", f"rec-{expected}", "", "recital"))
        expected += 1
    return headings


class _Scanner:
    """Walks the lines once; subclasses recognise headings in sequence and append them to ``out``."""

    structural: re.Pattern[str] = _EU_STRUCTURAL

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.out: list[Heading] = []

    def headings(self) -> list[Heading]:
        i = 0
        while i < len(self.lines):
            i = i + 1 if self.lines[i].footer else self.step(i)
        return self.out

    def step(self, i: int) -> int:
        """Recognise a heading at line i; return the index of the next line to look at."""
        raise NotImplementedError

    def add(self, heading: Heading) -> int:
        self.out.append(heading)
        return len(self.out) - 1

    def contain(self, index: int | None, title: str | None = None) -> None:
        """The heading at ``index`` has units below it: it becomes a container (not a leaf)."""
        if index is not None and self.out[index].leaf:
            h = self.out[index]
            self.out[index] = replace(h, leaf=False, title=title if title is not None else h.title)

    def title(self, j: int, lowercase_wraps: bool) -> tuple[str, int]:
        return _title(self.lines, j, self.structural, lowercase_wraps)


class _EnactingTerms(_Scanner):
    """Chapters, Sections, Articles and their numbered paragraphs, each number in sequence."""

    def __init__(self, lines: list[_Line]) -> None:
        super().__init__(lines)
        self.next_chapter = self.next_section = self.next_article = 1
        self.article: int | None = None  # index in ``out`` of the current article
        self.number = 0  # its number
        self.definitions = False  # Article 3: "(1) 'AI system' means ..." are its units
        self.next_unit = 1

    def step(self, i: int) -> int:
        text = self.lines[i].text
        if (m := _EU_CHAPTER.match(text)) and m[1] == _to_roman(self.next_chapter):
            return self._chapter(i, m[1])
        if (m := _EU_SECTION.match(text)) and int(m[1]) == self.next_section:
            title, j = self.title(i + 1, lowercase_wraps=False)
            slug = f"chapter-{self.next_chapter - 1}-section-{m[1]}"
            self.add(Heading(self.lines[i].start, 1, f"Section {m[1]}", slug, f"Section {m[1]} {title}".strip(),
                             "article", leaf=False))
            self.next_section += 1
            return j
        if (m := _EU_ARTICLE.match(text)) and int(m[1]) == self.next_article:
            return self._article(i, int(m[1]))
        return self._unit(i)

    def _chapter(self, i: int, numeral: str) -> int:
        title, j = self.title(i + 1, lowercase_wraps=False)
        label = f"Chapter {numeral}"
        self.add(Heading(self.lines[i].start, 0, label, f"chapter-{self.next_chapter}",
                         f"{label} {_sentence_case(title)}".strip(), "article", leaf=False))
        self.next_chapter, self.next_section = self.next_chapter + 1, 1
        return j

    def _article(self, i: int, n: int) -> int:
        title, j = self.title(i + 1, lowercase_wraps=True)
        # A leaf ("Article 4") until its first numbered paragraph makes it a container.
        self.article = self.add(Heading(self.lines[i].start, 2, f"Article {n}", f"art-{n}",
                                        f"Article {n} {title}".strip(), "article"))
        self.number, self.definitions = n, title.lower() == "definitions"
        self.next_article, self.next_unit = n + 1, 1
        return j

    def _unit(self, i: int) -> int:
        """A numbered paragraph ("2. ...") or, in Definitions, a numbered definition ("(2) ...")."""
        m = (_RECITAL if self.definitions else _EU_PARAGRAPH).match(self.lines[i].text)
        if self.article is None or not m or int(m[1]) != self.next_unit:
            return i + 1
        self.contain(self.article)
        n, k = self.number, self.next_unit
        self.add(Heading(self.lines[i].start, 3, f"Article {n}({k})", f"art-{n}-{k}", "", "article"))
        self.next_unit += 1
        return i + 1


class _Annexes(_Scanner):
    """ANNEX I ... ANNEX XIII, their Sections (A, B, ... or 1, 2, ...), points "1." and sub-points "3.1."."""

    structural = _ANNEX_STRUCTURAL

    def __init__(self, lines: list[_Line]) -> None:
        super().__init__(lines)
        self.next_annex = 1
        self.annex: int | None = None
        self.section: int | None = None
        self.section_label = ""
        self.point: int | None = None
        self.point_number, self.point_text = 0, ""
        self.next_point = self.next_sub = 1
        self.may_restart = False  # points restart at 1 in a new Section (not in Annex I)

    def step(self, i: int) -> int:
        text = self.lines[i].text
        if (m := _ANNEX.match(text)) and m[1] == _to_roman(self.next_annex):
            return self._annex(i, m[1])
        if (m := _ANNEX_SECTION.match(text)) and self.annex is not None and m[1] in self._next_section_labels():
            return self._section(i, m[1], m[2])
        if (m := _EU_PARAGRAPH.match(text)) and (int(m[1]) == self.next_point or self.may_restart and m[1] == "1"):
            return self._point(i, int(m[1]))
        if (m := _ANNEX_SUBPOINT.match(text)) and int(m[1]) == self.point_number and int(m[2]) == self.next_sub:
            return self._subpoint(i, int(m[2]))
        return i + 1

    def _annex(self, i: int, numeral: str) -> int:
        title, j = self.title(i + 1, lowercase_wraps=False)
        self.annex = self.add(Heading(self.lines[i].start, 0, f"Annex {numeral}", f"annex-{self.next_annex}",
                                      f"Annex {numeral} {title}".strip(), "annex"))
        self.next_annex += 1
        self.section, self.section_label, self.point, self.point_number = None, "", None, 0
        self.next_point, self.may_restart = 1, False
        return j

    def _next_section_labels(self) -> tuple[str, ...]:
        last = self.section_label
        if not last:
            return ("A", "1")
        return (str(int(last) + 1),) if last.isdigit() else (chr(ord(last) + 1),)

    def _section(self, i: int, label: str, inline_title: str) -> int:
        title, j = (inline_title, i + 1) if inline_title else self.title(i + 1, lowercase_wraps=False)
        self.contain(self.annex)
        annex = self.out[self.annex]
        self.section = self.add(Heading(self.lines[i].start, 1, f"{annex.locator}, Section {label}",
                                        f"{annex.slug}-sec-{label.lower()}", f"Section {label} {title}".strip(), "annex"))
        self.section_label, self.point, self.point_number, self.may_restart = label, None, 0, True
        return j

    def _point(self, i: int, n: int) -> int:
        parent = self.section if self.section is not None else self.annex
        if parent is None:
            return i + 1
        self.contain(parent)
        base = self.out[parent]
        self.point = self.add(Heading(self.lines[i].start, 2, f"{base.locator}, point {n}", f"{base.slug}-{n}", "", "annex"))
        self.point_number, self.point_text = n, self.lines[i].text
        self.next_point, self.next_sub, self.may_restart = n + 1, 1, False
        return i + 1

    def _subpoint(self, i: int, k: int) -> int:
        heading = self.point_text.split(" ", 1)[-1].rstrip(".")  # "3. Quality management system"
        self.contain(self.point, title=f"Point {self.point_number} {heading}")
        point = self.out[self.point]
        self.add(Heading(self.lines[i].start, 3, f"{point.locator}.{k}", f"{point.slug}-{k}", "", "annex"))
        self.next_sub += 1
        return i + 1


# --- Council of Europe Framework Convention (CETS No. 225) -------------------------------------

_COE_CHAPTER = re.compile(r"^Chapter ([IVXLC]+) [–—-] (.+)$")
_COE_ARTICLE = re.compile(r"^Article (\d+) [–—-] (.+)$")
_COE_PARAGRAPH = re.compile(r"^(\d+) (?=[A-Z])")
_COE_STRUCTURAL = re.compile("|".join(p.pattern for p in (_COE_CHAPTER, _COE_ARTICLE, _COE_PARAGRAPH)))


def _coe_headings(lines: list[_Line]) -> list[Heading]:
    return _Convention(lines).headings()


class _Convention(_Scanner):
    """"Chapter I – General provisions", "Article 5 – Integrity of ...", paragraphs "1 Each Party ..."."""

    structural = _COE_STRUCTURAL

    def __init__(self, lines: list[_Line]) -> None:
        super().__init__(lines)
        self.next_chapter = self.next_article = self.next_paragraph = 1
        self.article: int | None = None
        self.number = 0

    def step(self, i: int) -> int:
        text = self.lines[i].text
        if (m := _COE_CHAPTER.match(text)) and m[1] == _to_roman(self.next_chapter):
            self.add(Heading(self.lines[i].start, 0, f"Chapter {m[1]}", f"chapter-{self.next_chapter}",
                             f"Chapter {m[1]} {m[2]}", "article", leaf=False))
            self.next_chapter += 1
            return i + 1
        if (m := _COE_ARTICLE.match(text)) and int(m[1]) == self.next_article:
            title, j = self._wrapped_title(i, m[2])
            n = int(m[1])
            self.article = self.add(Heading(self.lines[i].start, 1, f"Article {n}", f"art-{n}", f"Article {n} {title}", "article"))
            self.number, self.next_article, self.next_paragraph = n, n + 1, 1
            return j
        if (m := _COE_PARAGRAPH.match(text)) and self.article is not None and int(m[1]) == self.next_paragraph \
                and self._ends_sentence(i - 1):
            self.contain(self.article)
            n, k = self.number, self.next_paragraph
            self.add(Heading(self.lines[i].start, 2, f"Article {n}({k})", f"art-{n}-{k}", "", "article"))
            self.next_paragraph += 1
        return i + 1

    def _wrapped_title(self, i: int, first: str) -> tuple[str, int]:
        """The title after the dash, joined with its wrapped line when it stops on a function word."""
        if first.split()[-1].lower() in _TITLE_STOPWORDS and i + 1 < len(self.lines) \
                and not self.structural.match(self.lines[i + 1].text):
            return f"{first} {self.lines[i + 1].text}", i + 2
        return first, i + 1

    def _ends_sentence(self, j: int) -> bool:
        """A paragraph number follows a finished sentence or a heading, never a wrapped line ("... the 1961")."""
        if j < 0:
            return True
        prev = self.lines[j].text
        return prev.endswith((".", ":", ";")) or bool(_COE_ARTICLE.match(prev) or _COE_CHAPTER.match(prev))
