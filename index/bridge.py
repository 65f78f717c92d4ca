"""English words for a question asked in another language, learned from the annotations.

About 750 units per language carry translated annotation questions beside their English ones
(index/annotations/). A word of the translations that keeps company with an English word of the
same units ("phạt" with "fine", "แชทบอท" with "chatbot") is that word's English: the association is
the Dice coefficient of the two words' units. Retrieval appends a non-English question's English
words to its lexical and dense queries, so BM25 and the English-only MiniLM see the question's
content, not only its names.

The table comes from the annotation files alone (no dictionary is shipped for these languages), so
adding translations improves it without touching code. On the tune split's non-English cases this
took the gold passage into the top 20 for Thai from 0.41 to 0.67 and Vietnamese from 0.43 to 0.54
(README, "Change set 2026-12-02 (fourth session)").
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict

from .annotations import Annotation
from .lexical import _STOP, _words

MIN_UNITS = 3  # a word seen in fewer units has no reliable company
MAX_SHARE = 0.2  # a word in more than this share of units is a function word ("của", "ที่")
MIN_DICE = 0.25
PER_WORD = 2  # English words kept per foreign word

_lock = threading.Lock()
_tables: dict[str, dict[str, dict[str, list[str]]]] = {}


# Vietnamese writes a word's syllables apart ("dữ liệu", data): syllable pairs count as words too.
# On tune's Vietnamese cases the gold passage reached the top 20 for 0.47 instead of 0.41.
SYLLABIC = {"vi"}


def _foreign(text: str, lang: str = "") -> list[str]:
    words = [w for w in _words(text) if len(w) > 1 and not w.isdigit()]
    if lang in SYLLABIC:
        words += [f"{a}_{b}" for a, b in zip(words, words[1:])]
    return words


def _english(text: str) -> set[str]:
    return {w for w in _words(text) if w not in _STOP and len(w) > 2 and not w.isdigit()}


def build(annotations: dict[str, dict[str, Annotation]]) -> dict[str, dict[str, list[str]]]:
    """language -> foreign word -> its English words, best first."""
    units: dict[str, list[tuple[set[str], set[str]]]] = defaultdict(list)
    for doc in sorted(annotations):
        for unit in sorted(annotations[doc]):
            a = annotations[doc][unit]
            english = {w for q in a.questions for w in _english(q)}
            for lang, questions in a.translations:
                units[lang].append(({w for q in questions for w in _foreign(q, lang)}, english))
    tables = {}
    for lang, pairs in units.items():
        df_f, df_e, both = Counter(), Counter(), Counter()
        for f, e in pairs:
            df_f.update(f)
            df_e.update(e)
            both.update((x, y) for x in f for y in e)
        table: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for (x, y), n in both.items():
            if df_f[x] < MIN_UNITS or df_e[y] < MIN_UNITS or df_f[x] > MAX_SHARE * len(pairs):
                continue
            dice = 2 * n / (df_f[x] + df_e[y])
            if dice >= MIN_DICE:
                table[x].append((dice, y))
        tables[lang] = {x: [y for _, y in sorted(v, key=lambda t: (-t[0], t[1]))[:PER_WORD]] for x, v in table.items()}
    return tables


def table_for(knowledge) -> dict[str, dict[str, list[str]]]:
    """The table of a knowledge layer (built once per annotation set)."""
    with _lock:
        table = _tables.get(knowledge.hash)
    if table is None:
        table = build(knowledge.annotations)
        with _lock:
            _tables[knowledge.hash] = table
    return table


# Malay and Indonesian share most of their vocabulary: a word one table lacks is looked up in the other's.
SIBLING = {"ms": "id", "id": "ms"}


def english_words(knowledge, text: str, language: str) -> str:
    """The English words of a question in ``language`` (empty for English or an unknown language)."""
    tables = table_for(knowledge) if knowledge is not None and knowledge.annotations else {}
    table, sibling = tables.get(language), tables.get(SIBLING.get(language, ""), {})
    if not table:
        return ""
    return " ".join(dict.fromkeys(y for w in _foreign(text, language) for y in table.get(w) or sibling.get(w, ())))
