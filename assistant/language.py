"""Which language a question is asked in: English, Bahasa Indonesia, Malay, Vietnamese, Thai or
Filipino (codes en, id, ms, vi, th, fil).

Lingua ships its n-gram models inside the package (nothing is downloaded); the detector is
restricted to these six languages and built once per process. Short chat questions are where
detectors fail, so two cheap, certain signals come first:

- Thai script is only Thai here; Vietnamese letters (đ, ơ, ư, ă and the tone-marked vowels of
  U+1EA0-U+1EF9) are only Vietnamese.
- Everything else goes to lingua. A question whose best language is below ``MIN_CONFIDENCE``
  ("Article 50?", "GDPR vs AI Act") is English: the framing stays in the language of the sources.

Malay vs Indonesian (one language family, most words shared; lingua alone confuses them on short
questions). The rule, in order:
1. words that only one standard uses decide ("syarikat", "kerajaan", "maklumat", "adakah", "bahawa"
   are Malay; "perusahaan", "pemerintah", "informasi", "apakah", "bahwa" are Indonesian): the side
   with more such words wins;
2. with no decisive word (or a tie), lingua's choice stands only when it is clearly ahead
   (confidence margin >= ``MS_ID_MARGIN``);
3. otherwise Indonesian, the larger readership and the language of the indexed circular. The two
   framings read naturally to speakers of either, so a near-tie costs little.
"""

from __future__ import annotations

import os
import re
import threading
import tomllib
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "id", "ms", "vi", "th", "fil")
MIN_CONFIDENCE = 0.5  # below this, lingua is guessing: answer in English
MS_ID_MARGIN = 0.3  # lingua's lead that settles Malay vs Indonesian without a decisive word
SHORT_WORDS = 3  # a follow-up this short ("Dan UE?") inherits the language of the conversation

_THAI = re.compile(r"[\u0E00-\u0E7F]")


def unspaced_script(text: str) -> bool:
    """Written in a script without spaces between words (Thai): word boundaries cannot be looked for."""
    return bool(_THAI.search(text))
_VIETNAMESE = re.compile(r"[đĐơƠưƯăĂ\u1EA0-\u1EF9]")
_LETTER = re.compile(r"[^\W\d_]", re.U)

# Words of one standard only: a speaker of the other standard would write them differently
# (kerajaan / pemerintah, maklumat / informasi, bahawa / bahwa). Lower-case, whole words. Words both
# use ("apakah", "harus", "bolehkah", "undang-undang", "memberitahu") are left out on purpose.
MALAY_ONLY = frozenset("""
syarikat kerajaan maklumat adakah bahawa perniagaan percuma kakitangan sahaja kerana cuba iaitu automatik
mahkamah selepas semasa sebarang kandungan dikehendaki peribadi kenderaan pengiklanan majikan pembekal wang
baharu bilakah rasmi telefon bimbit perisian akta mengikut nak
""".split())
INDONESIAN_ONLY = frozenset("""
perusahaan pemerintah informasi bahwa bisnis gratis karyawan karena coba yaitu otomatis pengadilan terkait
konten pribadi haruskah kendaraan kebijakan pemasok uang kapan gimana nggak enggak resmi telepon periklanan
edaran kominfo
""".split())


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _build_detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.INDONESIAN, Language.MALAY, Language.VIETNAMESE, Language.THAI,
        Language.TAGALOG).with_preloaded_language_models().build()


def _detector():
    """The lingua detector over the six languages, models preloaded (built once per process)."""
    with _lock:
        return _build_detector()


def warm_up() -> None:
    """Load lingua's models in the background: loading takes 3-10 s of CPU, which the first question
    must not wait for. Started when this module is imported (POLICY_LANGUAGE_WARMUP=0 turns it off)."""
    if os.environ.get("POLICY_LANGUAGE_WARMUP", "1") != "0":
        threading.Thread(target=_detector, name="lingua-warm-up", daemon=True).start()


_CODE = {"ENGLISH": "en", "INDONESIAN": "id", "MALAY": "ms", "VIETNAMESE": "vi", "THAI": "th", "TAGALOG": "fil"}


def confidences(text: str) -> dict[str, float]:
    """Lingua's confidence per language code (they sum to 1 over the six)."""
    return {_CODE[c.language.name]: float(c.value) for c in _detector().compute_language_confidence_values(text)}


def malay_or_indonesian(text: str, conf: dict[str, float]) -> str:
    """The rule in the module docstring."""
    words = re.findall(r"[a-z]+(?:-[a-z]+)*", text.lower())
    ms = sum(w in MALAY_ONLY for w in words)
    id_ = sum(w in INDONESIAN_ONLY for w in words)
    if ms != id_:
        return "ms" if ms > id_ else "id"
    if conf.get("ms", 0.0) - conf.get("id", 0.0) >= MS_ID_MARGIN:
        return "ms"
    return "id"


_NAME = re.compile(r"[\w'’.-]*[^\W\d_][\w'’.-]*")


def _without_names(text: str) -> str:
    """The text without words that carry a capital after their first letter ("ChatGPT", "OpenAI's",
    "AI", "EU"): product names and acronyms belong to no language, and lingua reads them as Tagalog
    ("Is OpenAI's ChatGPT a general-purpose AI model under the AI Act?" was Filipino, 0.54)."""
    words = _NAME.findall(text)
    kept = [w for w in words if w[1:] == w[1:].lower()]
    return " ".join(kept) if len(kept) >= SHORT_WORDS else text


def detect(text: str, fallback: str = "en") -> str:
    """The language code of ``text``; ``fallback`` when the text carries too little to tell."""
    letters = _LETTER.findall(text)
    if not letters:
        return fallback
    if len(_THAI.findall(text)) >= max(2, 0.3 * len(letters)):
        return "th"
    if len(_VIETNAMESE.findall(text)) >= 2:
        return "vi"
    conf = confidences(_without_names(text))
    # Malay and Indonesian share most words and split lingua's confidence between them: the family counts.
    malay_family = conf.get("id", 0.0) + conf.get("ms", 0.0)
    best = max(conf, key=conf.get) if conf else "en"
    if best in ("id", "ms") and malay_family >= MIN_CONFIDENCE:
        return malay_or_indonesian(text, conf)
    if conf.get(best, 0.0) < MIN_CONFIDENCE:
        return fallback
    if best in ("id", "ms"):
        return malay_or_indonesian(text, conf)
    return best


def question_language(question: str, previous_questions: list[str] | tuple[str, ...] = ()) -> str:
    """The language to answer in: the question's own, or, for a very short follow-up that cannot
    tell ("Dan UE?", "Article 6?"), the language of the conversation's earlier questions."""
    if len(re.findall(r"\w+", question)) > SHORT_WORDS or _THAI.search(question) or _VIETNAMESE.search(question):
        return detect(question)
    earlier = detect(previous_questions[-1]) if previous_questions else "en"
    own = detect(question, fallback=earlier)
    return earlier if own == "en" else own


warm_up()


@lru_cache(maxsize=1)
def lexicon() -> dict[str, dict[str, list[str]]]:
    """The function words of each language (assistant/lexicon.toml), read once."""
    with open(Path(__file__).with_name("lexicon.toml"), "rb") as f:
        return tomllib.load(f)
