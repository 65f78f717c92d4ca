"""The provision knowledge layer: editorial annotations per structural unit, kept as data.

One TOML file per document in ``index/annotations/<document_id>.toml``, keyed by the unit part of
the stable passage id (``art-50-1`` for ``eu-ai-act-2024-1689#art-50-1`` and its ``~2`` chunks).
An annotation holds the questions the provision answers (in everyday words, with optional
translations), its kind, its actors, its topics, an optional plain-words gist (an editorial
summary, never a quote) and, where the document sets one, the date it applies from with the
locator of the provision that sets that date. See ``index/annotations/README.md``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

ANNOTATIONS_DIR = Path(__file__).parent / "annotations"
TOPICS_FILE = Path(__file__).parent / "crosswalk" / "topics.toml"

KINDS = ("obligation", "prohibition", "right", "definition", "scope", "exception", "deadline", "penalty",
         "recommendation", "procedure", "background", "front-matter")
# Kinds that explain rather than rule: demoted unless the question asks for them.
EXPLANATORY = frozenset({"background", "front-matter"})
ACTORS = ("provider", "deployer", "importer", "distributor", "authorised-representative", "product-manufacturer",
          "gpai-provider", "developer", "organisation", "government", "regulator", "individual")
LANGUAGES = ("id", "ms", "vi", "th", "fil")


class AnnotationError(ValueError):
    """An annotation file that cannot be used; the message names the file and the unit."""


@dataclass(frozen=True)
class AppliesFrom:
    date: str  # ISO date, e.g. "2026-08-02"
    set_by: str  # locator of the provision that sets it, e.g. "Article 113"
    note: str = ""  # which part applies from then, e.g. "Chapters I and II"


@dataclass(frozen=True)
class Annotation:
    document_id: str
    unit: str
    kind: str
    questions: tuple[str, ...]
    actors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    gist: str = ""
    applies_from: tuple[AppliesFrom, ...] = ()
    translations: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (language, questions)

    def all_questions(self) -> tuple[str, ...]:
        return self.questions + tuple(q for _lang, qs in self.translations for q in qs)


def unit_key(passage_id: str) -> str:
    """The unit part of a passage id: ``doc#art-50-1~2`` -> ``art-50-1``."""
    return passage_id.split("#", 1)[-1].split("~", 1)[0]


def topic_ids() -> tuple[str, ...]:
    with open(TOPICS_FILE, "rb") as f:
        return tuple(tomllib.load(f)["topics"])


def load_file(path: Path, topics: tuple[str, ...] | None = None) -> dict[str, Annotation]:
    """Annotations of one document file, validated: a bad field fails loudly, naming the unit."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AnnotationError(f"{path.name}: {exc}") from exc
    doc = data.get("document_id") or path.stem
    topics = topics if topics is not None else topic_ids()
    out = {}
    for unit, raw in (data.get("units") or {}).items():
        out[unit] = _annotation(doc, unit, raw, topics, path.name)
    return out


def _annotation(doc: str, unit: str, raw: dict, topics: tuple[str, ...], where: str) -> Annotation:
    def bad(msg: str) -> AnnotationError:
        return AnnotationError(f"{where}: unit {unit!r}: {msg}")

    kind = raw.get("kind")
    if kind not in KINDS:
        raise bad(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    questions = tuple(raw.get("questions") or ())
    if kind not in EXPLANATORY and not 1 <= len(questions) <= 8:
        raise bad(f"{len(questions)} questions; write 3-6")
    for name, allowed in (("actors", ACTORS), ("topics", topics)):
        unknown = [a for a in raw.get(name, ()) if a not in allowed]
        if unknown:
            raise bad(f"unknown {name} {unknown}; use {', '.join(allowed)}")
    applies = tuple(AppliesFrom(a["date"], a["set_by"], a.get("note", "")) for a in raw.get("applies_from", ()))
    translations = raw.get("translations") or {}
    unknown_langs = [lang for lang in translations if lang not in LANGUAGES]
    if unknown_langs:
        raise bad(f"unknown translation languages {unknown_langs}; use {', '.join(LANGUAGES)}")
    return Annotation(doc, unit, kind, questions, tuple(raw.get("actors", ())), tuple(raw.get("topics", ())),
                      str(raw.get("gist", "")).strip(), applies,
                      tuple((lang, tuple(qs)) for lang, qs in sorted(translations.items())))


def load_all(folder: Path = ANNOTATIONS_DIR) -> dict[str, dict[str, Annotation]]:
    """Every document's annotations: {document_id: {unit: Annotation}}."""
    topics = topic_ids()
    out: dict[str, dict[str, Annotation]] = {}
    for path in sorted(folder.glob("*.toml")):
        anns = load_file(path, topics)
        if anns:  # a long document may be split over <document_id>.partN.toml files
            out.setdefault(next(iter(anns.values())).document_id, {}).update(anns)
    return out


def for_passage(annotations: dict[str, dict[str, Annotation]], passage_id: str) -> Annotation | None:
    doc = passage_id.split("#", 1)[0]
    return annotations.get(doc, {}).get(unit_key(passage_id))
