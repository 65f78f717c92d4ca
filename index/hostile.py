"""Text inside a document that addresses the reader as a model ("ignore previous instructions",
"you are now ...", "as an AI assistant you must answer ..."). A policy document never talks to the
program reading it, so such a sentence is data about an attack, not content: the index reports it
at ingest and the composers never quote it as an answer.
"""

from __future__ import annotations

import re

ADDRESSES_MODEL = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(previous|prior|above|earlier|preceding|"
    r"all|any|your|the)\b[^.!?\n]{0,20}\b(instructions?|prompts?|rules|directions|guidelines|sources|context)\b"
    r"|\byou are now\b|\bfrom now on,? (you|the (assistant|model|ai))\b"
    r"|\b(new|updated|hidden|secret) instructions?\s*:|\binstructions? (to|for) (the |any )?(ai|assistant|model|llm|chatbot)s?\b"
    r"|\b(reveal|print|show|repeat) (your|the) (hidden |system )*(prompt|instructions)\b"
    r"|\bas an? (ai|language model|llm|assistant|chatbot)\b[^.!?\n]{0,30}\byou (must|should|will|shall)\b"
    r"|\b(dear|attention|note to (the )?)\s*(ai|assistant|model|llm|chatbot|language model)s?\b"
    r"|\b(ai|assistant|model|llm|chatbot)s? (reading|processing|summari[sz]ing) this\b"
    r"|\bpretend (to be|you are)\b|\bact as (an?|the) (ai|assistant|model|chatbot|llm)\b"
    r"|\b(do not|don't|never) (tell|inform|reveal to|mention to) the user\b"
    r"|<\|?(im_start|im_end|system|endoftext)\|?>|\[/?INST\]",
    re.I | re.M,
)


def addresses_model(text: str) -> bool:
    """Does this text speak to an AI reader instead of about its subject?"""
    return bool(ADDRESSES_MODEL.search(text))


def hostile_sentences(text: str, limit: int = 5) -> list[str]:
    """Up to ``limit`` sentences (flattened, at most 160 characters) that address the reader as a model."""
    out: list[str] = []
    for m in ADDRESSES_MODEL.finditer(text):
        start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        ends = [i for i in (text.find(".", m.end()), text.find("\n", m.end())) if i != -1]
        sentence = " ".join(text[start : min(ends) + 1 if ends else len(text)].split())[:160]
        if sentence and sentence not in out:
            out.append(sentence)
        if len(out) >= limit:
            break
    return out
