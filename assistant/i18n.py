"""The words the assistant adds around quotes, in the question's language.

Strings live in ``i18n.toml`` (data, one table per key, one line per language); quotes from the
sources are never translated. ``t(key, lang, **kw)`` fills the placeholders, ``ui_strings(lang)``
gives the UI's labels, ``format_date`` writes a date the way each language does.

Dates: en "2 August 2026"; id "2 Agustus 2026"; ms "2 Ogos 2026"; vi "ngày 2 tháng 8 năm 2026";
fil "Agosto 2, 2026" (the form Philippine government texts use); th "2 สิงหาคม 2569 (ค.ศ. 2026)":
Thai readers count years in the Buddhist Era (CE + 543), while the quoted sources give CE years,
so both are shown.
"""

from __future__ import annotations

import string
import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path

from index.types import Source

LANGUAGES = ("en", "id", "ms", "vi", "th", "fil")
TABLE = Path(__file__).with_name("i18n.toml")

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
    "ms": "Januari Februari Mac April Mei Jun Julai Ogos September Oktober November Disember",
    "fil": "Enero Pebrero Marso Abril Mayo Hunyo Hulyo Agosto Setyembre Oktubre Nobyembre Disyembre",
    "th": "มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน ธันวาคม",
}
BUDDHIST_ERA_OFFSET = 543


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, str]]:
    """{key: {language: text}}, read once."""
    with open(TABLE, "rb") as f:
        return tomllib.load(f)


def language(lang: str | None) -> str:
    """A supported language code ("tl" is accepted for Filipino); anything else is English."""
    lang = (lang or "en").lower()
    lang = {"tl": "fil", "in": "id", "my": "ms", "zsm": "ms"}.get(lang, lang)
    return lang if lang in LANGUAGES else "en"


def t(key: str, lang: str | None = "en", **kw: object) -> str:
    """The string ``key`` in ``lang`` with its placeholders filled; an unknown key is a KeyError
    (a typo must fail in tests, not show a raw key to a user)."""
    entry = table()[key]
    text = entry.get(language(lang)) or entry["en"]
    return text.format(**kw) if kw else text


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def ui_strings(lang: str | None) -> dict[str, str]:
    """Every UI label (the ``ui_*`` keys, without the prefix) in ``lang``; placeholders left in."""
    lang = language(lang)
    return {key[3:]: entry.get(lang) or entry["en"] for key, entry in table().items() if key.startswith("ui_")}


def format_date(iso: str, lang: str | None = "en") -> str:
    """An ISO date ("2026-08-02") as people write it in ``lang``; a malformed date is returned as is."""
    try:
        d = date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    lang = language(lang)
    if lang == "vi":
        return f"ngày {d.day} tháng {d.month} năm {d.year}"
    month = MONTHS[lang].split()[d.month - 1]
    if lang == "th":
        return f"{d.day} {month} {d.year + BUDDHIST_ERA_OFFSET} (ค.ศ. {d.year})"
    if lang == "fil":
        return f"{month} {d.day}, {d.year}"
    return f"{d.day} {month} {d.year}"


def kind_word(doc_type: str, lang: str | None = "en") -> str:
    """A document kind ("guideline", "code-of-conduct") in ``lang``; unknown kinds in plain English."""
    key = f"kind_{doc_type}"
    return t(key, lang) if key in table() else doc_type.replace("-", " ")


def binding_label(src: Source, lang: str | None = "en") -> str:
    """"voluntary guideline", "pedoman sukarela", "hướng dẫn tự nguyện"…"""
    return t("binding_label", lang, binding=t("binding" if src.binding else "voluntary", lang),
             kind=kind_word(src.doc_type, lang))


def where_label(src: Source, lang: str | None = "en") -> str:
    key = f"where_{src.jurisdiction}"
    return t(key, lang) if key in table() else src.jurisdiction


def status_word(status: str, lang: str | None = "en") -> str:
    """A document status ("in force", "revoked", "superseded", "draft") in ``lang``."""
    key = "status_" + status.strip().lower().replace(" ", "_").replace("-", "_")
    return t(key, lang) if key in table() else status
