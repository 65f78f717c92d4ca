"""What a question asks about, checked against the corpus itself: instruments (standards, acts,
laws of a place), places without indexed instruments, and years. A part of the question whose
subject the corpus does not hold is named as not covered; the rest is answered.

The checks read the manifest (titles, aliases, jurisdictions) and the passage text, so adding a
document changes what is answerable without touching this module. Questions in the users' other
languages are read with their function words (assistant/lexicon.toml) and their country names
(assistant/places.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from index.chunk import sentence_spans
from index.types import Source

from . import i18n
from .language import lexicon, unspaced_script
from .places import Place, country_name, has_national_instruments, jurisdictions as place_jurisdictions, places
from .query import _name_spans, named_documents

# Names of instruments: standards, and capitalised names ending in an instrument word
# ("Colorado AI Act", "Online Safety (Relief and Accountability) Act"), or "Law on …" / "Decree No. …" titles.
STANDARD = re.compile(r"\bISO(?:/IEC)?\s?\d{4,5}(?:-\d+)?\b", re.I)
NAMED_ACT = re.compile(r"\b((?:(?!(?:Under|The|What|Does|Do|Is|Are|How|Can|Which|When|Per|In|For|And)\b)(?:[A-Z](?:[\w'’-]|\.(?!\s))*|\([A-Z][^()?.!]{0,60}\))\s+(?:(?:and|of|on|for|from)\s+)?){1,6}(?:Act|Law|Bill|Decree|Directive|Regulation|Code|Ordinance|Standard|Strategy|Roadmap|Guidelines?|"
                       r"Guidance|Policy|Plan|Principles|Framework|Order))\b"
                       r"|\b((?:Law|Decree|Decision|Circular)\s+(?:No\.?\s*[\w/.-]+\s+)?on\s+(?:[A-Z][\w-]*\s*){1,6})")
LOCATOR_OF = re.compile(r"^(?:Annex|Article|Chapter|Section|Title|Part|Recital|Paragraph)\s+[\w().-]+\s+of\s+(?:the\s+)?")
INSTRUMENT_NUMBER = re.compile(r"\s*(?:\(EU\)\s*)?(?:No\.?\s*)?\d{1,4}/\d{2,4}\b")
ACRONYM = re.compile(r"\b[A-Z]{3,6}\b|\b(?=(?:[a-z]*[A-Z]){3})[A-Za-z]{4,8}\b")  # "PDPC", "FIDReC"
THAI_ACRONYM = re.compile(r"(?<![\u0E00-\u0E7F])[\u0E01-\u0E2E]{2,5}\.")  # "กสทช." (Thai abbreviations end in a dot)
BILL_NUMBER = re.compile(r"\b(?:SB|HB|AB|LD|H\.R\.|S\.)\s?\d{1,5}\b")
INSTRUMENT_WORDS = re.compile(r"\b(law|laws|act|bill|decree|regulations?|rules|measures|guidelines?|strategy|policy|code|"
                              r"framework|standards?|statute|legislation|ministry|regulator|authority|agency|government|commissioner|"
                              r"commission|court|parliament|congress)\b", re.I)
# Rule books (not bodies: "a travel agency in Manila" names no instrument of the Philippines).
RULE_WORDS = re.compile(r"\b(law|laws|act|bill|decree|regulations?|rules|measures|guidelines?|strategy|policy|code|"
                        r"framework|standards?|statute|legislation)\b", re.I)
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d|21\d\d)\b")
# Court cases ("Getty Images v Stability AI") and bodies named as acting ("the Garante fined …").
CASE = re.compile(r"\b([A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})\s+v\.?\s+([A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})")
ACTING = re.compile(r"\b(fine[sd]?|ruled?|ruling|judgment|judgement|court|verdict|sanction(ed)?|penali[sz]ed|investigat\w+|"
                    r"authority|regulator|agency|commission|ministry|administration)\b", re.I)
# An instrument cited by its number ("Nghị định 13/2023/NĐ-CP", "Law No. 25/2025"): held only if a
# passage or a document's name has that number.
NUMBERED = re.compile(r"(?<![\w/])\d{1,4}/\d{4}(?:/[\w.-]+)?(?![\w/])")
# Events after a document was written ("who has signed it so far"): no indexed text can report them.
# Within one ask (no comma or semicolon between), so the rest of a mixed question is still answered.
SINCE = re.compile(r"\b(?:which|who|how many|how much|what)\b(?:[^.?!,;—–]|\.(?=\w)){0,80}\b(?:ha(?:s|ve))\b(?:[^.?!,;—–]|\.(?=\w)){0,60}"
                   r"\b(?:so far|to date|as of (?:now|today)|since(?: then)?(?=\s*[?.!]|$))", re.I)
# What a figure is called ("fine", "fee", "cap"), for the asks of a figure below.
AMOUNT_NOUNS = (r"(?:fees?|fines?|prices?|costs?|wages?|salar(?:y|ies)|rates?|thresholds?|amounts?|allowances?|grants?|"
                r"budgets?|penalt(?:y|ies)|tax(?:es)?|levy|levies|sums?|subsid(?:y|ies)|pay|tariffs?|market shares?|"
                r"revenues?|premiums?|money|funding|caps?|ceilings?|limits?)")
# The present state of the world ("has ASEAN published it yet", "has any authority already fined a
# company", "has anyone ever been fined", "who chairs it right now"): a document records what it
# says at its date, not what has happened since. Not what a rule already requires or whether it
# is in force: its dates answer that.
_PARTICIPLE = r"[a-z]+(?:ed|en|wn|ne|t)\b"
CURRENT = re.compile(rf"(?:^|[.?!;]\s+|,\s+|\b(?:and|or|but)\s+)(?:ha(?:s|ve))\s+(?:[\w'’-]+\s+){{1,5}}?(?:already\s+)?{_PARTICIPLE}"
                     r"(?:[^.?!,;(]){0,60}?\b(?:yet|so far|to date)\b"
                     rf"|(?:^|[.?!;]\s+|,\s+|\b(?:and|or|but)\s+)(?:ha(?:s|ve))\s+(?:[\w'’-]+\s+){{1,5}}?already\s+{_PARTICIPLE}"
                     rf"|\b(?:if|whether)\s+(?:any|anyone|anybody|someone|a|an|the)\b[^.?!,;]{{0,40}}?\bha(?:s|ve)\s+already\s+{_PARTICIPLE}"
                     r"(?:\s+(?:a|an|any|the)\s+[\w-]+)?"
                     # "has any regulator ever fined …", "did the group actually publish …"
                     r"|(?:^|[.?!;]\s+|,\s+|\b(?:and|or|but|if|whether)\s+)(?:ha(?:s|ve)|did)\s+(?:[\w'’-]+\s+){0,5}?(?:ever|actually)\s+[a-z]+"
                     # "how many companies in Southeast Asia have adopted it"
                     rf"|\bhow many\b(?:[^.?!,;]){{0,60}}?\bha(?:s|ve)\s+(?:already\s+|actually\s+)?{_PARTICIPLE}"
                     r"|\b(?:who|which|how many)\b(?:[^.?!,;]){0,60}?\b(?:right now|currently|at the moment|at present|these days|nowadays)\b"
                     # who holds an office now ("who is the current director of the AI Office"): a
                     # document names roles, not who fills them after its date
                     r"|\bwho\s+(?:is|are)\s+(?:the\s+)?(?:current|present|incumbent|sitting|acting)\s+[a-z]+"
                     # a market figure as it stands ("today's Singapore dollar to US dollar exchange rate";
                     # not a rule's figure: "today's maximum fine" is the Act's)
                     r"|\b(?:today['’]s|this week['’]s|live)\s+(?:[\w-]+\s+){0,5}?(?:rates?|prices?|quotes?)\b", re.I)
NOT_EVENTS = re.compile(r"\b(?:appl(?:y|ies|ied|icable)|in force|binding|entered into force|take[sn]? effect|complied|"
                        r"required|obliged|says?|said|stated?|recommend\w*|provided|defined|described|mentioned|proposed|"
                        r"suggested|covered|registered\s+it)\b", re.I)
# An ask for a body's contact details ("what's the AI Office's email address"): held only if a
# passage gives one (an e-mail address, or a phone number after its word).
CONTACT = re.compile(r"\b(?:e-?mail(?: address)?|phone number|telephone number|hotline|fax number|postal address|mailing address)\b", re.I)
CONTACT_GIVEN = re.compile(r"[\w.-]+@[\w-]+\.[\w.]+|\b(?:tel|phone|telephone|hotline|fax)\b\W{0,3}\+?\d[\d\s()-]{6,}")
# An ask for what something costs ("How much does it cost to join the AI Verify Foundation?"): held
# only if a passage says the priced thing together with a price.
PRICE = re.compile(r"\bhow much (?:does|do|did|would|will|is|are|can)\b[^.?!]{0,80}?\b(?:cost|costs|charge|charges|pay|fees?)\b"
                   r"|\b(?:what|which) (?:is|are|were|was) the (?:price|prices|pricing|fees?|costs?|membership (?:fees?|tiers?)|"
                   r"subscription (?:fees?|plans?))\b|\bmembership (?:fees?|tiers?)\b", re.I)
# Who charges ("what do annotation vendors in Manila charge", "what does that hub charge for …").
CHARGED_BY = re.compile(r"\bwhat (?:do|does|did|would|will|might|could)\s+((?:[\w'’-]+\s+){1,6}?)(?:usually\s+|typically\s+|normally\s+)?"
                        r"(?:charge|charges|bill|cost)\b", re.I)
_DETERMINERS = {"that", "this", "those", "these", "their", "such", "usually", "typically", "normally", "in", "at", "from"}
PRICE_TERMS = re.compile(r"\b(?:fee|fees|price|prices|pricing|membership costs?|subscriptions?)\b|(?:\busd|\beur|\bsgd|\$|€)\s?\d", re.I)
# Which states are parties to an instrument ("Which ASEAN states have adhered to …", "Has Vietnam
# ratified …"): held only if a passage names three or more places together with that status.
PARTIES = re.compile(r"\b(?:which|what|how many)\s+(?:[\w-]+\s+){0,3}?(?:countries|states|nations|members|governments|"
                     r"parties|signatories)\b[^.?!;]{0,80}?\b(ratif\w*|adhere[sd]?|acced\w*|signed|joined|belong to|are members of)", re.I)
STATUS_OF = r"\b(?:has|have|did)\s+{place}\s+(?:\w+\s+)?(ratif\w*|adhere[sd]?|acced\w*|signed|joined|agreed|committed|pledged|endorsed)\b"
# An ask for a figure ("What is the minimum monthly wage …", "what membership fee would …"): held
# only if some sentence of a passage gives the figure's own term (its last two words) with a figure.
AMOUNT_ASK = re.compile(rf"\b(?:(?:what|which)\s+(?:(?:is|are|was|were|would be|will be)\s+(?:the\s+|[A-Z][\w-]*['’]s\s+))?|what['’]s\s+the\s+"
                        # "I'd also like the annual budget of …"
                        r"|(?:i['’]d (?:also )?like|tell me|give me|i (?:also )?need|i (?:also )?want)\s+(?:to know\s+)?the\s+)"
                        rf"((?:[\w-]+\s+){{0,3}}?{AMOUNT_NOUNS})"
                        r"(?=\s+(?:does|do|did|would|will|is|are|was|were|can|could|for|of|per|under|in|on|that|to|if|when)\b|\s*[?,.;]|$)"
                        # "how much are US statutory damages per infringed work?": the figure's own term
                        r"|\bhow much (?:is|are|was|were)\s+(?:the\s+)?((?:[\w-]+\s+){0,3}?[\w-]+)(?=\s+(?:per|for|of|under|in|on|if|when)\b|\s*[?,.;]|$)"
                        # "how much prize money did the winners receive?"
                        r"|\bhow much ((?:[\w-]+\s+){0,2}?[\w-]+)\s+(?=(?:did|does|do|has|have|will|would|can|could)\b)", re.I)
# An ask for a time limit in a unit ("within how many days must we answer an appeal"): held only if
# some sentence of a passage gives the timed thing together with a duration.
DURATION_ASK = re.compile(r"\b(?:within\s+)?how many\s+(?:working\s+|business\s+|calendar\s+)?(days|weeks|months|hours|years)\b"
                          r"([^.?!;]*)", re.I)
DURATION = re.compile(r"\d+\s?(?:working\s+|business\s+|calendar\s+)?(?:days?|weeks?|months?|hours?|years?)\b|\b(?:one|two|three|"
                      r"four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|sixty|ninety)\s+(?:working\s+)?"
                      r"(?:days?|weeks?|months?|hours?|years?)\b", re.I)
_DURATION_STOP = {"must", "should", "would", "could", "will", "have", "does", "shall", "after", "before", "within", "such",
                  "that", "this", "their", "your", "them", "they", "usually", "typically", "take", "takes", "need", "needs",
                  "allowed", "given", "there"}
# Words that size a figure rather than name it ("maximum fine" is a fine).
SIZING = {"maximum", "minimum", "max", "min", "exact", "total", "typical", "current", "usual", "average", "highest",
          "lowest", "statutory", "actual", "official", "new", "expected", "likely", "the", "a", "an", "any", "their", "its"}
FIGURE = re.compile(r"\d[\d,.]*\s?(?:%|percent|per cent|eur\b|euros?|usd|sgd|dollars?|days?|months?|years?|hours?|flops?|"
                    r"million|billion|times)|(?:eur|€|\$|usd|sgd)\s?\d|\b(?:one|two|three|four|five|six|seven|eight|nine|"
                    r"ten|twelve|fifteen|thirty)\s+(?:days?|months?|years?|per cent)", re.I)
# The subject of a question about a product or a company ("Does Microsoft 365 Copilot keep …"):
# a capitalised name no passage mentions, asked about for its own doings, not how a rule classes it.
SUBJECT = re.compile(r"(?:^|[.?!]\s+|,\s+(?:and\s+|but\s+)?)(?:(?i:what|how|why|where|when)\s+)?(?i:does|do|did|is|are|can|will|would|has|have)\s+"
                     r"([A-Z][\w-]*(?:['’]s)?(?:\s+(?:[A-Z][\w-]*|\d+))*)\s+(?!(?i:count|qualify|fall|need|have to|must|be)\b)[a-z]")
# Thai instruments abbreviated letter by letter ("พ.ร.บ." an Act, "พ.ร.ฎ." a royal decree).
THAI_DOTTED = re.compile(r"(?<![\u0E00-\u0E7F.])(?:[\u0E01-\u0E2E]{1,3}\.){2,}")
PROPER = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)\b")
# What a named body's name ends in ("National AI Office", "Cyberspace Administration").
BODY_WORDS = r"(?:Office|Authority|Agency|Administration|Commission|Commissioner|Council|Ministry|Department|Board|Bureau|Institute|Centre|Center)\b"
# A capitalised word before a business noun is where the user is ("our Cebu firm's lawyer"), not an actor.
# So is a compound that says where a business is or sells ("Manchester-facing", "Cebu-based").
BUSINESS_AFTER = re.compile(r"(?:['’]s)?\s+(?:[\w-]+\s+)?(?:firm|company|startup|start-up|lab|office|shop|team|clinic|business|"
                            r"factory|bank|lender|store|branch|subsidiary|app|platform|school|hospital)s?\b"
                            r"|-(?:facing|based|headquartered|registered|focused|bound|oriented)\b", re.I)
# A place's name or demonym right before its public bodies ("Vietnamese authorities would impose").
PLACE_BODIES = re.compile(r"\s+(?:tax\s+)?(?:authorities|regulators?|government|ministr(?:y|ies)|courts?|officials|agencies|"
                          r"police|inspectors?)\b", re.I)
LOCATIVE = re.compile(r"\b(in|at|near|from|based in|out of|around)\s+$", re.I)
# ("… there?" at a clause's end points back at a place; "which one" at a thing just named.)
ANAPHORA = re.compile(r"\b(it|its|they|them|their|this|that|those|these|such)\b|\bthere(?=\s*[?.!,;]|$)|\b(?:which|that|this) one\b", re.I)
# A thing the corpus mentions in fewer passages than this is not something it can answer about.
MIN_MENTIONS = 3
_STOPWORDS = {"the", "of", "on", "and", "for", "no", "ai", "act", "law", "bill", "decree", "directive", "regulation",
              "code", "standard", "ordinance", "decision", "circular", "new", "draft", "national", "data", "digital"}


@dataclass(frozen=True)
class Unheld:
    mention: str  # as written in the question ("Thailand's draft AI law", "ISO/IEC 42001", "2035")
    why: str  # "no document of Thailand is indexed"
    # Weak evidence (an acronym no passage holds, named in no rule-book context: "grants from MDEC"):
    # enough to set one ask of a mixed question aside, never to decline a whole question.
    part_only: bool = False
    reason: str = "reason_not_indexed"  # the i18n key that says why, with ``shown`` as {names}
    # A place's law or a topic word beside a named indexed document: set aside, never a reason to
    # decline a question that asks what that document says.
    aside: bool = False
    shown: str = ""  # what the reason names, when not the mention itself ("whether Vietnam has adhered")

    def reason_text(self, lang: str) -> str:
        return i18n.t(self.reason, lang, names=self.shown or self.mention, what=self.shown or self.mention)


def _words(table: str, lang: str) -> list[str]:
    return lexicon()[table].get(lang, [])


def _any_word(words: list[str]) -> str:
    """A pattern for any of ``words`` as whole words (Thai, written without spaces: anywhere)."""
    spaced = [re.escape(w) for w in words if not unspaced_script(w)]
    unspaced = [re.escape(w) for w in words if unspaced_script(w)]
    parts = ([rf"(?<![\w-])(?:{'|'.join(spaced)})(?![\w-])"] if spaced else []) + ([f"(?:{'|'.join(unspaced)})"] if unspaced else [])
    return "|".join(parts) or r"(?!x)x"


def lexicon_pattern(table: str, lang: str) -> str:
    """A pattern for any word of ``table`` (assistant/lexicon.toml) in ``lang``."""
    return _any_word(_words(table, lang))


def _rule_words(lang: str) -> str:
    return RULE_WORDS.pattern if lang == "en" else lexicon_pattern("rule_words", lang)


def _named_by_sources(name: str, sources: dict[str, Source]) -> bool:
    """A name stands for an indexed document when an alias covers it whole, when what it adds to
    an alias is no further name ("the EU AI Act" yes; "Colorado AI Act" no), or when it names a part
    of an indexed document ("the ASEAN Guide's Risk Assessment Framework")."""
    low = re.sub(r"^(the|under|per)\s+", "", name.lower())
    for src in sources.values():
        for alias in (src.title, src.short_title, *src.aliases):
            a = alias.lower()
            if not a:
                continue
            if len(low) >= 4 and low in a:
                return True
            if low.startswith(a) and re.match(r"['’]s\s", low[len(a):]) and not places(alias):
                return True  # "the ASEAN Guide's Risk Assessment Framework"; "Singapore's Online … Act" is another instrument
            if a in low:
                rest = name[:name.lower().find(a)] + name[name.lower().find(a) + len(a):]
                rest = re.sub(r"^(The|Under|Per)\b", "", rest.strip())
                # what the name adds may be the document's own place or issuer ("the US AI Action
                # Plan", "the IMDA Model AI Governance Framework")
                for other in (src.short_title, *src.aliases):
                    if other and len(other) >= 2:
                        rest = re.sub(rf"(?<![\w-]){re.escape(other)}(?![\w-])", "", rest, flags=re.I)
                for place in places(rest):
                    if src.jurisdiction in place_jurisdictions(place):
                        rest = rest.replace(place.name, "")
                # or words of its own names ("NIST AI Risk Management Framework", "EU HLEG Ethics Guidelines")
                own = set(re.findall(r"[\w-]+", " ".join((src.title, src.short_title, *src.aliases)).lower()))
                rest = " ".join(w for w in re.findall(r"[\w'’-]+", rest) if re.sub(r"['’]s$", "", w.lower()) not in own)
                if not re.search(r"\b[A-Z][\w-]+", rest):
                    return True
    return False


def _mentioned_by_title(name: str, sources: dict[str, Source], question: str) -> bool:
    """The place is part of an indexed document's name as the question writes it ("G7 Hiroshima Code")."""
    low = question.lower()
    return any(name.lower() in a.lower() and a.lower() in low
               for src in sources.values() for a in (src.title, src.short_title, *src.aliases) if a)


def _place_unheld(question: str, place: Place, sources: dict[str, Source], lang: str) -> bool:
    """The question asks about a rule book of a place whose own instruments the corpus does not hold:
    a country without indexed national instruments, or a state or city ("Texas's AI law")."""
    if not place.country or _mentioned_by_title(place.name, sources, question):
        return False
    if has_national_instruments(place.country) and not place.subnational:
        return False
    if place.subnational and any(place.name.lower() in (src.jurisdiction or "").lower() for src in sources.values()):
        return False
    start, end = place_span(question, place.name)
    if lang == "en" and BUSINESS_AFTER.match(question, end):
        return False  # "our Cebu firm's lawyer": where the user is, not a place's rule book
    if lang == "en" and PLACE_BODIES.match(question, end):
        return True  # "Vietnamese authorities", "Thai regulators": that place's own enforcement
    if lang == "en" and re.match(r"['’]s\s+(?:[A-Z]{2,6}\b|(?:[a-z]+\s+){0,2}(?:commissioner|regulator|authority|"
                                 r"ministry|agency|court)|(?:the\s+)?(?:[A-Z][\w-]*\s+){1,4}" + BODY_WORDS + r")",
                                 question[end:]):
        return True  # "Brazil's LGPD", "California's CCPA", "Hong Kong's privacy commissioner"
    rules = _rule_words(lang)
    if lang != "en":  # a country's rule word near it, in either order (cities: too often just where we are)
        return not place.subnational and bool(re.search(rules, question[max(0, start - 100): end + 80], re.I))
    window = question[end:][:80] + " " + question[:start][-40:]
    words = INSTRUMENT_WORDS.pattern if not place.subnational else RULE_WORDS.pattern
    return bool(re.search(words, window, re.I) and re.search(
        rf"{re.escape(place.name)}(?:['’]s)?\s+(?:[\w'’-]+\s+){{0,6}}?{words}|{RULE_WORDS.pattern}\s+(?:of|in|from|for)\s+"
        rf"(?:the\s+)?(?:state\s+of\s+)?{re.escape(place.name)}", question, re.I))


# Kinds of instrument a place may have one of without having the others: "Indonesia's national AI
# strategy" is not its circular letter on AI ethics.
KINDS = r"(strateg(?:y|ies)|roadmap|action plan|bill|decree)"


def other_kind_of_instrument(question: str, place: Place, sources: dict[str, Source], lang: str) -> str | None:
    """Where the question asks about a place's instrument of a kind none of its indexed documents is
    ("Indonesia's national AI strategy"), or an EU member state's own national law (only EU law is
    indexed for it: "Poland's own AI law"): that phrase."""
    if lang != "en" or not place.country or place.subnational:
        return None
    for m in re.finditer(re.escape(place.name), question):
        after = question[m.end():m.end() + 60]
        own = re.match(rf"['’]s\s+(?:own|national|domestic)\s+(?:[\w-]+\s+){{0,3}}?{RULE_WORDS.pattern}", after, re.I)
        if own and place.country not in _regions_national():
            return place.name + own.group(0)
        kind = re.match(rf"['’]s\s+(?:[\w-]+\s+){{0,3}}?{KINDS}\b", after, re.I)
        if kind:
            word = kind.group(1).lower()[:5]
            theirs = [s for s in sources.values()
                      if s.jurisdiction in place_jurisdictions(place) and s.jurisdiction not in ("EU", "ASEAN")]
            if theirs and not any(word in " ".join([s.title, s.short_title, *s.aliases]).lower() for s in theirs):
                return place.name + kind.group(0)
    return None


def _regions_national() -> set[str]:
    from .places import _regions

    return set(_regions()["national"])


def _acronym_as_rule_book(question: str, word: str, lang: str) -> bool:
    """An acronym named as an issuer or rule book ("under the HKMA guidance", "GDPR's rules",
    "panduan dari OJK"), not any acronym ("our KYC app")."""
    if re.search(rf"\b(under|comply with|complies with|complying with|per|according to|required by|does|do)\s+(the\s+)?{word}\b"
                 rf"|\b{word}(['’]s)?\s+(law|act|rules|guidance|guidelines|regulations?|framework|standards?|"
                 rf"requirements?|principles|code)\b", question, re.I):
        return True
    if lang == "en":
        return False
    issuer, rules = lexicon_pattern("issuer_words", lang), _rule_words(lang)
    return bool(re.search(rf"(?:{issuer})\s*{word}\b", question, re.I) or re.search(rf"(?:{rules})\s*{word}\b", question, re.I))


def unheld(question: str, sources: dict[str, Source], mentions: Callable[[str], int], lang: str = "en",
           mentions_word: Callable[[str], int] | None = None,
           mentions_where: Callable[..., int] | None = None) -> list[Unheld]:
    """The things the question asks about that the corpus does not hold.

    ``mentions(text)`` counts the passages whose text contains ``text`` (case-insensitive);
    ``mentions_word(word)`` those that contain it as a whole word (acronyms: "PDP" is not "PDPC");
    ``mentions_where(text, test, whole_word=False)`` those that contain it and pass ``test`` (their
    lower-case text)."""
    mentions_word = mentions_word or mentions
    out: list[Unheld] = []
    names_held = asks_about_a_document(question, sources)

    def scarce(name: str, count: Callable[[str], int]) -> bool:
        """Too rare to answer about; a name that a question about a named document asks after needs
        only one mention ("the Cyber Security Agency, as mentioned in the expanded ASEAN guide").
        A place before a name counts when passages say the two together ("Singapore National AI
        Strategy"; not "Thailand's Personal Data Protection Act")."""
        found = count(name)
        if found == 0 and mentions_where is not None and (split := _leading_place(name)):
            place, rest = split
            found = mentions_where(rest, lambda t: place.lower() in t)
        return found < (1 if names_held else MIN_MENTIONS)
    for m in STANDARD.finditer(question):
        if not _named_by_sources(m.group(0), sources):
            out.append(Unheld(m.group(0), "no indexed document is that standard"))
    for m in BILL_NUMBER.finditer(question):
        if mentions_word(m.group(0)) == 0:
            out.append(Unheld(m.group(0), "it is not among the indexed documents"))
    for m in NAMED_ACT.finditer(question):
        name = (m.group(1) or m.group(2)).strip()
        if re.search(r"(^|[.?!]\s+)$", question[:m.start()]) and len(name.split()) > 2:
            name = name.split(None, 1)[1]  # a word capitalised only because it starts the sentence ("Apakah AI Act")
        # "Annex IX of Regulation 2024/1689": the instrument is what follows the provision, with its number
        name = LOCATOR_OF.sub("", name)
        if number := INSTRUMENT_NUMBER.match(question, m.end()):
            name += number.group(0)
        if _named_by_sources(name, sources):
            continue
        distinctive = [w for w in re.findall(r"[\w'’-]+", name) if w.lower().strip("'’s") not in _STOPWORDS and len(w) > 2]
        if distinctive and scarce(name, mentions):
            out.append(Unheld(name, "it is not among the indexed documents"))
    if lang != "en" and not unspaced_script(question):
        # a rule word before a capitalised name ("UU Pelindungan Data Pribadi", "Batas Republika 11232")
        # names an instrument, as NAMED_ACT's instrument word after one does in English
        for m in re.finditer(rf"(?:{_rule_words(lang)})\s+((?-i:[A-Z][\w-]*)(?:\s+(?-i:[A-Z0-9][\w-]*)){{0,5}})", question, re.I):
            name, title = m.group(0), m.group(1)
            distinctive = [w for w in title.split() if w.lower() not in _STOPWORDS and len(w) > 2]
            if (distinctive and not places(title) and not _named_by_sources(title, sources)
                    and not _named_by_sources(name, sources) and scarce(name, mentions)):
                # beside a named indexed document it may be what that document cites ("does the SE
                # refer to UU Pelindungan Data Pribadi"): set aside, not a reason to decline
                out.append(Unheld(name, "it is not among the indexed documents", aside=names_held))
    for m in ACRONYM.finditer(question):
        word = m.group(0)
        if _named_by_sources(word, sources) or mentions_word(word) >= MIN_MENTIONS:
            continue
        if _acronym_as_rule_book(question, word, lang):
            out.append(Unheld(word, "it is not among the indexed documents"))
        elif mentions_word(word) == 0:
            out.append(Unheld(word, "no indexed document mentions it", part_only=True))
    for m in THAI_ACRONYM.finditer(question):
        if mentions(m.group(0)) == 0:
            out.append(Unheld(m.group(0), "no indexed document mentions it", part_only=True))
    for m in THAI_DOTTED.finditer(question):
        if mentions(m.group(0)) == 0:
            out.append(Unheld(m.group(0), "it is not among the indexed documents"))
    if not names_held:
        for m in SUBJECT.finditer(question):
            name = m.group(1)
            if (name not in {"I", "We"} and not places(name) and not _named_by_sources(name, sources)
                    and mentions_word(name) < MIN_MENTIONS):
                out.append(Unheld(name, "no indexed document mentions it"))
    for place in places(question):
        if phrase := other_kind_of_instrument(question, place, sources, lang):
            out.append(Unheld(phrase, "it is not among the indexed documents", aside=True))
        elif _place_unheld(question, place, sources, lang):
            asked = re.search(rf"{re.escape(place.name)}(?:['’]s)?\s+(?:\w+\s+){{0,2}}?{RULE_WORDS.pattern}", question, re.I)
            # (an adjective names its country: "Vietnamese authorities" are Vietnam's)
            country = country_name(place.country) if lang == "en" and not place.subnational else place.name
            shown = asked.group(0) if asked and lang == "en" else (country if country.lower() != place.name.lower() else "")
            out.append(Unheld(place.name, f"no instrument of {country} itself is indexed", shown=shown, aside=True))
    for m in CASE.finditer(question):
        if mentions(m.group(1)) < MIN_MENTIONS or mentions(m.group(2)) < MIN_MENTIONS:
            out.append(Unheld(m.group(0), "no indexed document reports that case"))
    for m in PROPER.finditer(question):
        name = m.group(1)
        window = question[max(0, m.start() - 50): m.end() + 50]
        located = LOCATIVE.search(question[:m.start()]) or BUSINESS_AFTER.match(question, m.end())  # "an office in Lyon": a place, not an actor
        if (scarce(name, mentions_word) and ACTING.search(window) and not located and not _named_by_sources(name, sources)
                and not places(name)):
            out.append(Unheld(name, "no indexed document mentions it"))
    for m in NUMBERED.finditer(question):
        if mentions(m.group(0)) == 0 and not _named_by_sources(m.group(0), sources) and re.search(
                rf"(?:{_rule_words(lang)}|{RULE_WORDS.pattern})[^.?!]{{0,40}}$", question[:m.start()], re.I):
            out.append(Unheld(m.group(0), "it is not among the indexed documents"))
    if mentions_where is not None:
        out += _unheld_prices(question, mentions_where, sources, lang) + _unheld_parties(question, mentions_where)
        if lang == "en":
            out += _unheld_figures(question, mentions_where)
    for m in CONTACT.finditer(question):
        # whose details: the name just before ("the AI Office's email address"), else any
        owner = re.search(r"((?:[A-Z][\w.-]*\s+){0,4}[A-Z][\w.-]*)['’]s\s+$", question[max(0, m.start() - 60):m.start()])
        needle = owner.group(1) if owner else m.group(0).split()[0][:5]
        if mentions_where is not None and mentions_where(needle, lambda t: CONTACT_GIVEN.search(t) is not None) == 0:
            shown = f"{owner.group(1)}'s {m.group(0)}" if owner else m.group(0)
            out.append(Unheld(m.group(0), "no indexed document gives such contact details", reason="reason_no_record", shown=shown))
    after = "the indexed documents cannot report what happened after they were written"
    for m in SINCE.finditer(question):
        out.append(Unheld(m.group(0), after, reason="reason_after_documents"))
    if lang == "en":
        for m in CURRENT.finditer(question):
            near = question[m.start():m.end() + 60]
            # in a question or a request, not a statement ("we have already done a DPIA.")
            asked = re.match(r"[^.?!]*\?", question[m.end():]) or re.search(r"\b(?:tell|give|show)\s+(?:me|us)\b[^.?!]*$",
                                                                           question[:m.start()], re.I)
            # "has the Commission published its guidelines on … yet": an indexed document is the answer
            published = re.search(r"\b(?:published|issued|released|adopted)\b", m.group(0), re.I) and names_a_document(near, sources)
            if asked and not NOT_EVENTS.search(near[: len(m.group(0)) + 25]) and not SINCE.search(m.group(0)) and not published:
                ask = re.sub(r"^[\s.?!;,]*(?:(?:and|or|but)\s+)?", "", m.group(0))  # the ask, not the joint before it
                out.append(Unheld(ask, after, reason="reason_after_documents"))
    for m in YEAR.finditer(question):
        if mentions(m.group(0)) == 0:
            out.append(Unheld(m.group(0), "no indexed document says anything about that year"))
    out += _figures_of_unheld(question, out, sources, lang, mentions_word, mentions_where)
    seen: set[str] = set()
    out.sort(key=lambda u: u.part_only)  # of one mention, the firm reading wins (a priced "UMKM" over a bare one)
    return [u for u in out if not (u.mention.lower() in seen or seen.add(u.mention.lower()))]


def _unheld_prices(question: str, mentions_where: Callable[..., int],
                   sources: dict[str, Source], lang: str = "en") -> list[Unheld]:
    """Asks for the price of a named thing (a capitalised name after the price phrase, not an
    indexed document) that no passage gives together with a fee, a price or an amount. With no
    name, the priced thing is the span's last two content words ("… in the EU database")."""
    out = []
    for m in CHARGED_BY.finditer(question):
        content = [w for w in re.findall(r"[\w-]+", m.group(1)) if w.lower() not in _PRICE_STOP and w.lower() not in _DETERMINERS]
        name = " ".join(content[-2:])
        if name and not _named_by_sources(name, sources) and mentions_where(
                name, lambda t: PRICE_TERMS.search(t) is not None, whole_word=True) == 0:
            out.append(Unheld(m.group(0).strip(), "no indexed document gives its price", reason="reason_no_price", shown=m.group(1).strip()))
    asks = list(PRICE.finditer(question))
    if lang != "en" and _words("price_asks", lang):
        asks += list(re.finditer(lexicon_pattern("price_asks", lang), question, re.I))
    for m in asks:
        priced = _rest_of_sentence(question, m.start())  # the priced thing, not the sentence's other ask
        names = []
        for name in re.findall(r"\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)+|\b[A-Z]{3,6}\b", priced):
            if name.split()[0] in {"How", "What", "Which", "Does", "Do", "Is", "Are", "Can", "The"}:
                name = name.split(None, 1)[1] if len(name.split()) > 1 else ""
            if len(name) > 2 and not _named_by_sources(name, sources):
                names.append(name)
        if not names and lang == "en":
            clause = priced.split(",")[0]
            content = [w for w in re.findall(r"[\w-]+", clause) if w.lower() not in _PRICE_STOP]
            # only a noun phrase that ends the clause ("in the EU database"), not "have to pay to join it"
            if len(content) >= 2 and re.search(rf"\b{re.escape(content[-2])}\s+{re.escape(content[-1])}\W*$", clause):
                names = [f"{content[-2]} {content[-1]}"]
        for name in names:
            if mentions_where(name, lambda t: PRICE_TERMS.search(t) is not None, whole_word=True) == 0:
                out.append(Unheld(name, "no indexed document gives its price", reason="reason_no_price"))
    return out


_PRICE_STOP = {"how", "much", "does", "do", "did", "would", "will", "is", "are", "can", "it", "cost", "costs", "charge",
               "charges", "pay", "fee", "fees", "the", "a", "an", "of", "to", "in", "on", "for", "with", "per", "our",
               "my", "we", "us", "me", "i", "you", "euros", "euro", "dollars", "ai", "what", "which", "price", "prices"}


def _unheld_figures(question: str, mentions_where: Callable[..., int]) -> list[Unheld]:
    """Asks for a figure ("the minimum monthly wage", "what membership fee") whose own term no
    sentence of any passage gives together with a figure."""
    out = []
    for m in AMOUNT_ASK.finditer(question):
        asked = m.group(1) or m.group(2) or m.group(3)
        words = [w for w in asked.split() if w.lower() not in SIZING and not (m.group(1) is None and w.lower() in _PRICE_STOP)]
        if not words:
            continue
        term = " ".join(w.lower() for w in words[-2:])
        term = re.sub(r"(?:ies|y|s)$", "", term) if len(words[-1]) > 4 else term.rstrip("s")
        if len(words) < 2:  # "the fine": too general to judge, unless no passage has the word at all ("salary")
            held = mentions_where(term, lambda t: True, whole_word=False) > 0
        else:
            held = mentions_where(term, lambda t: any(term in t[a:b] and FIGURE.search(t, a, b) for a, b in sentence_spans(t))) > 0
        if not held:
            out.append(Unheld(asked, "no indexed document gives that figure", reason="reason_no_figure"))
    for m in DURATION_ASK.finditer(question):
        # the thing timed is the ask's last content word ("… must we answer such an appeal": appeal)
        content = [w.lower() for w in re.findall(r"[A-Za-z-]{4,}", m.group(2)) if w.lower() not in _DURATION_STOP]
        if not content:
            continue
        topic = re.sub(r"(?:ies|s)$", "", content[-1]) if len(content[-1]) > 4 else content[-1]
        if mentions_where(topic, lambda t: any(topic in t[a:b] and DURATION.search(t, a, b) for a, b in sentence_spans(t))) == 0:
            out.append(Unheld(m.group(0).strip(), "no indexed document gives that figure", reason="reason_no_figure",
                              shown=f"how many {m.group(1)}"))
    return out


# Sentence ends; Thai abbreviations end in a dot ("อย. ประเภทไหน") and Thai writes no full stops.
SENTENCES = re.compile(r"(?<=[?.!;])\s+(?![a-z0-9\u0E00-\u0E7F])")


def _figures_of_unheld(question: str, found: list[Unheld], sources: dict[str, Source], lang: str,
                       mentions_word: Callable[[str], int], mentions_where: Callable[..., int] | None) -> list[Unheld]:
    """A figure asked of something no passage mentions ("berapa nilai TKDN minimal", "the fee at
    the SEC", "ค่าธรรมเนียม อย. เท่าไร") is a figure no indexed document gives: the weak evidence
    of an unknown acronym or name becomes firm in a sentence that asks for a figure, unless that
    sentence names an indexed document (whose figure it may ask for). So does a state or province
    of a country whose own instruments are not indexed, when it is the only place there."""
    asks = lexicon_pattern("figure_asks", lang)
    out = []
    for sentence in SENTENCES.split(question):
        if not re.search(asks, sentence, re.I):
            continue
        named = names_a_document(sentence, sources)
        # the currency right after the ask ("bao nhiêu đồng", "กี่ล้านบาท"), not a word that holds it ("Hội đồng")
        amounts = rf"(?:{asks})[^?.!]{{0,12}}?({_any_word([f for forms in _currencies() for f in forms])})"
        out += [Unheld(m.group(1), "no indexed document gives an amount in that currency", reason="reason_no_figure",
                       part_only=named) for m in re.finditer(amounts, sentence, re.I)
                if mentions_where and not _currency_used(m.group(1), mentions_where)]
        if named:
            continue
        unknown = [u.mention for u in found if u.part_only and u.mention.lower() in sentence.lower()]
        if lang != "en":  # (English names an actor's figures through SUBJECT and PROPER)
            unknown += [m.group(1) for m in PROPER.finditer(sentence) if len(m.group(1)) >= 4 and not places(m.group(1))
                        and not _named_by_sources(m.group(1), sources) and mentions_word(m.group(1)) == 0]
        where = places(sentence)
        if where and all(p.subnational and p.country and not has_national_instruments(p.country) for p in where):
            unknown += [p.name for p in where]
        out += [Unheld(name, "no indexed document gives that figure", reason="reason_no_figure") for name in unknown]
    return out


def _currencies() -> list[list[str]]:
    return list(lexicon()["currencies"].values())


def _currency_used(word: str, mentions_where: Callable[..., int]) -> bool:
    """Does any passage give an amount in this currency, in any of its forms ("S$1 million" for
    "Singapore dollars")? A form beside a number counts, not a bare code ("RM" in a NIST heading)."""
    forms = next((f for f in _currencies() if word.lower() in (x.lower() for x in f)), [word])
    for form in forms:
        f = re.escape(form.lower())
        amount = re.compile(rf"\d[\d,.]*\s?(?:million|billion|juta|triệu|ล้าน)?\s?{f}(?![a-z])|(?<![a-z]){f}\s?\d")
        if mentions_where(form, lambda t: amount.search(t) is not None) > 0:
            return True
    return False


def _unheld_parties(question: str, mentions_where: Callable[..., int]) -> list[Unheld]:
    """Asks which states are parties to an instrument, or whether a place is one: the indexed
    instruments state their own terms, not who has since joined them, unless a passage lists
    places with that status."""
    out = []
    for m in PARTIES.finditer(question):
        stem = m.group(1).lower()[:5]
        if mentions_where(stem, lambda t: len(places(t)) >= 3) == 0:
            out.append(Unheld(m.group(0), "no indexed document lists the states that have done so", reason="reason_no_record",
                              shown=m.group(0)[0].lower() + m.group(0)[1:]))
    for place in places(question):
        for m in re.finditer(STATUS_OF.format(place=re.escape(place.name)), question, re.I):
            if mentions_where(place.name, lambda t, s=m.group(1).lower()[:5]: s in t) == 0:
                out.append(Unheld(m.group(0), f"no indexed document says whether {place.name} has done so",
                                  reason="reason_no_record", shown=f"whether {place.name} {m.group(0).split()[0].lower()} {m.group(1)}"))
    return out


def _leading_place(name: str) -> tuple[str, str] | None:
    """("Singapore", "National AI Strategy") of "Singapore National AI Strategy" (None if no place leads)."""
    found = [p for p in places(name) if name.lower().startswith(p.name.lower())]
    if not found:
        return None
    rest = re.sub(r"^['’]s\s+", "", name[len(found[0].name):]).strip()
    return (found[0].name, rest) if rest else None


def _rest_of_sentence(question: str, start: int) -> str:
    """question[start:] up to the end of its sentence (. ? ! or ;)."""
    return re.split(r"[.?!;]", question[start:], maxsplit=1)[0]


def place_span(text: str, name: str) -> tuple[int, int]:
    i = text.find(name)
    return (i, i + len(name)) if i >= 0 else (0, 0)


CONTINUATION_WORDS = 5  # a part this short names no subject of its own
ASK_WORDS = (r"what|how|does|do|is|are|can|could|which|when|from when|since when|by when|who|will|would|should|must|"
             r"may|tell|has|have|did")
_PARTS = re.compile(rf"(?<=[?.!;])\s+(?-i:(?![a-z0-9]))|\s*[,—–]?\s+\b(?:and also|and|but|as well as|plus)\b\s+(?=(?:{ASK_WORDS})\b)", re.I)


def split_parts(question: str) -> list[str]:
    """The separate asks of a question ("What does X say about Y, and what does Z require?")."""
    return [p.strip(" ,;") for p in _PARTS.split(question) if p and len(re.findall(r"\w+", p)) >= 3]


def _cut_before(part: str, mention: str, lang: str, sources: dict[str, Source]) -> tuple[str, str] | None:
    """A part that asks about an indexed document and, after a conjunction, about the unheld mention
    ("Does UNESCO suggest X, and would Brazil's bill make it mandatory?"): (held ask, unheld ask)."""
    at = part.lower().find(mention.lower())
    if at <= 0:
        return None
    joins = _any_word(_words("conjunctions", lang) or _words("conjunctions", "en"))
    # Thai writes no space after a conjunction ("…ผิดพลาด แล้วต้องแจ้ง…"): a Thai letter may follow it.
    cuts = [m for m in re.finditer(rf"(?:,\s*|\s+)(?:{joins})(?:\s+|(?=[\u0E00-\u0E7F]))|[,;]\s+", part[:at], re.I)]
    for m in reversed(cuts):
        head, tail = part[: m.start()].strip(" ,;"), part[m.end():].strip(" ,;")
        if len(re.findall(r"\w+", head)) >= 4 and len(re.findall(r"\w+", tail)) >= 2 and named_documents(head, sources):
            return head, tail
    return None


def _about(unheld: Unheld, part: str, sources: dict[str, Source] | None) -> bool:
    """The part asks about the unheld thing; weak evidence (``part_only``) does not outweigh an
    indexed document the same part names ("AI Act EU kepada PKS": PKS is the SMEs it supports)."""
    if unheld.mention.lower() not in part.lower():
        return False
    # nor does a place set aside beside a document the part asks about ("How much is the Thai
    # government putting into ThaiLLM according to the expanded ASEAN guide")
    # (a document's name that is the place's own, "Thailand's PDPA", is not one)
    if unheld.aside and places(unheld.mention) and sources and asks_about_a_document(part, sources):
        return False
    return not (unheld.part_only and sources and names_a_document(part, sources))


def asks_about_a_document(question: str, sources: dict[str, Source]) -> bool:
    """The question names an indexed document by its own name, not as something else's
    ("the PCPD's model framework" is the PCPD's, not Singapore's Model Framework)."""
    return any(not _only_a_place(question[start:end]) and not re.search(r"[\w)]['’]s\s+(?:the\s+)?$", question[:start])
               for start, end, _ in _name_spans(question, sources))


def names_a_document(part: str, sources: dict[str, Source]) -> bool:
    """The part names an indexed document by a name of its own, not only by a place ("the UK's …")."""
    return any(not _only_a_place(part[start:end]) for start, end, _ in _name_spans(part, sources))


def _only_a_place(name: str) -> bool:
    """"the UK's", "Singapore": a name that is a place and nothing more ("AI Act EU" is more)."""
    rest = name
    for place in places(name):
        rest = re.sub(re.escape(place.name), " ", rest, flags=re.I)
    return bool(places(name)) and not re.search(r"\w", re.sub(r"['’]s\b|\bthe\b", " ", rest, flags=re.I))


def split_uncovered(question: str, missing: list[Unheld], lang: str = "en",
                    sources: dict[str, Source] | None = None) -> tuple[str, list[tuple[str, Unheld]]] | None:
    """(the answerable rest, [(uncovered part, what it asks about that is not held)]), or None
    when nothing answerable is left."""
    if not missing:
        return question, []
    parts = []
    for p in split_parts(question):
        cuts = (_cut_before(p, u.mention, lang, sources or {}) for u in missing if u.mention.lower() in p.lower())
        cut = next((c for c in cuts if c and not any(_about(u, c[0], sources) for u in missing)), None)
        parts += list(cut) if cut else [p]
    if len(parts) < 2:
        return None
    keep, dropped = [], []
    previous = None
    for p in parts:
        about = next((u for u in missing if _about(u, p, sources)), None)
        # A part that names no unheld thing but points back at the one just before it ("…, and
        # what does it require?"), or only continues it ("…, and what are the penalties?"), is about it too.
        # A part that names an indexed document has a subject of its own ("Also, what does the ASEAN
        # Guide suggest … behind their AI systems?").
        if about is None and dropped and dropped[-1][0] == previous and not (sources and names_a_document(p, sources)) and (
                (ANAPHORA.search(p) and _is_ask(p, lang)) or len(re.findall(r"\w+", p)) <= CONTINUATION_WORDS
                or _refers_back(p, previous)):
            about = dropped[-1][1]
        previous = p
        if about is None:
            keep.append(p)
        else:
            dropped.append((p, about))
    if not any(_is_ask(p, lang) for p in keep) or not dropped:
        return None  # what is left only sets the scene ("Our app has customers in Denver.")
    return " ".join(keep), dropped


def _refers_back(part: str, previous: str) -> bool:
    """A short ask whose definite noun was introduced just before ("… order a platform to take it
    down, and how quickly must the platform comply?"): it continues that ask."""
    if len(re.findall(r"\w+", part)) > 2 * CONTINUATION_WORDS:
        return False
    before = {w.lower() for w in re.findall(r"\w+", previous)}
    return any(w.lower() in before for w in re.findall(r"\bthe\s+(\w{4,})", part, re.I))


ASK = re.compile(r"^(what|how|does|do|did|has|have|is|are|can|could|which|(?:by |from |since |until )?when|who|will|would|"
                 r"should|must|may|tell|explain|list|compare|any|where|why)\b", re.I)


def _is_ask(part: str, lang: str = "en") -> bool:
    """A part that asks something ("If we fine-tune, when do…" too); in other languages, one with a
    question word of the language (assistant/lexicon.toml, ask_words)."""
    if part.rstrip().endswith("?"):
        return True
    if lang != "en":  # (English question words are other words here: Filipino "May …" is "there is …")
        return bool(re.search(lexicon_pattern("ask_words", lang), part, re.I))
    return any(ASK.match(clause.strip()) for clause in [part, *part.split(",")[1:]])
