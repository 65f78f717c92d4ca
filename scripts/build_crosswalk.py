"""Derive the crosswalk grid (index/crosswalk/mapping.toml) from the annotations and retrieval, then
apply the review decisions (index/crosswalk/review.toml).

    python scripts/build_crosswalk.py            # rewrite mapping.toml
    python scripts/build_crosswalk.py --check    # exit 1 when mapping.toml is not what the build gives
    python scripts/build_crosswalk.py --show DOC # print a document's cells for review

Per topic x document: the document's annotated units whose `topics` name the topic (explanatory
kinds left out), ranked by how close their text is to the topic (dense cosine of the topic's title
and description), how normative their kind is and whether the topic is their main one; the best
three are the cell's provisions, each quoted by the sentence that names the topic. A document with
no annotated unit on the topic gets a retrieval fallback (a close passage that names the topic),
marked `via = "retrieval"`; with neither, the cell is "not addressed". The review file then pins,
drops or re-quotes provisions, or marks a cell not addressed, with a note saying why.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.citations import PageMap, cite  # noqa: E402
from assistant.crosswalk import (CROSSWALK_DIR, MAPPING_FILE, OBLIGATION_KINDS, Topic, cell_kind,  # noqa: E402
                                 load_topics)
from assistant.crosswalk_quotes import best_quote, table_like  # noqa: E402
from index.annotations import EXPLANATORY, unit_key  # noqa: E402
from index.retrieve import PassageIndex  # noqa: E402

REVIEW_FILE = CROSSWALK_DIR / "review.toml"
MAX_PROVISIONS = 3
KIND_WEIGHT = {"obligation": 0.2, "prohibition": 0.2, "penalty": 0.2, "recommendation": 0.2, "right": 0.15,
               "procedure": 0.1, "deadline": 0.1}
RETRIEVAL_MIN_COSINE = 0.5


def rank_units(index: PassageIndex, doc: str, topic: Topic, vector) -> list[tuple[str, float]]:
    annotations = index.knowledge.annotations.get(doc, {})
    scored = []
    for unit, a in annotations.items():
        if topic.id not in a.topics or a.kind in EXPLANATORY or (doc, unit) not in index.by_unit:
            continue
        pids = index.by_unit[(doc, unit)]
        dense = float(max(index.cosines(vector, pids)))
        text = " ".join(index.passages[p].text for p in pids)
        score = (dense + KIND_WEIGHT.get(a.kind, 0.0) + (0.15 if a.topics[0] == topic.id else 0.0)
                 + 0.05 * min(len(topic.pattern.findall(text)), 3) - 0.05 * (len(a.topics) - 1)
                 - (0.3 if table_like(text) else 0.0))  # checklist tables read across columns quote badly
        scored.append((unit, score))
    return sorted(scored, key=lambda us: -us[1])


def retrieval_fallback(index: PassageIndex, doc: str, topic: Topic, vector) -> list[str]:
    """Units of a close passage that names the topic, for a document whose annotations do not."""
    out = []
    for hit in index.dense(vector, 5, {doc}):
        a = index.knowledge.annotation(hit.passage.passage_id)
        if hit.score >= RETRIEVAL_MIN_COSINE and (a is None or a.kind not in EXPLANATORY) \
                and topic.pattern.search(hit.passage.text):
            out.append(unit_key(hit.passage.passage_id))
    return list(dict.fromkeys(out))[:1]


def provision(index: PassageIndex, doc: str, unit: str, topic: Topic, via: str, quote: str | None = None) -> dict:
    pids = index.by_unit[(doc, unit)]
    passages = [index.passages[p] for p in pids]
    if quote is not None:  # a reviewed quote: must be verbatim in one of the unit's passages
        found = [(p, p.text.index(quote)) for p in passages if quote in p.text]
        if not found:
            raise SystemExit(f"review.toml: quote for {doc}#{unit} is not in its passages: {quote[:60]!r}")
        passage, start = found[0]
        end = start + len(quote)
    else:
        chosen = best_quote(passages, topic)
        if chosen is None:
            raise SystemExit(f"{doc}#{unit}: no quotable sentence")
        passage, start, end = chosen
    pages = index.pages_of(doc)
    c = cite(1, passage, index.sources[doc], start, end, PageMap(*pages) if pages else None)
    a = index.knowledge.annotations.get(doc, {}).get(unit)
    return {"passage_id": c.passage_id, "locator": c.locator, "page": c.page, "kind": a.kind if a else "unannotated",
            "actors": list(a.actors) if a else [], "quote": c.quote, "via": via}


def build(index: PassageIndex, review: dict) -> list[dict]:
    topics = load_topics()
    reviewed_docs = set(review.get("reviewed_documents", []))
    decisions = review.get("cells", {})
    cells = []
    for t, topic in topics.items():
        vector = index.embed_query(f"{topic.title}. {topic.description}")
        for doc in index.sources:
            decision = decisions.get(f"{t}|{doc}", {})
            quotes = decision.get("quotes", {})
            if "pin" in decision:
                units = [(unit_key(p), "review") for p in decision["pin"]]
            else:
                ranked = [u for u, _ in rank_units(index, doc, topic, vector) if f"{doc}#{u}" not in decision.get("drop", [])]
                units = [(u, "annotation") for u in ranked[:MAX_PROVISIONS]]
                if not units and not decision.get("drop"):
                    units = [(u, "retrieval") for u in retrieval_fallback(index, doc, topic, vector)]
            if decision.get("not_addressed"):
                units = []
            provisions = [provision(index, doc, u, topic, via, quotes.get(f"{doc}#{u}")) for u, via in units]
            kind = cell_kind([p["kind"] for p in provisions])
            binding = index.sources[doc].binding and any(p["kind"] in OBLIGATION_KINDS for p in provisions)
            actors = sorted({a for p in provisions for a in p["actors"]})
            cells.append({"topic": t, "document": doc, "status": "addressed" if provisions else "not addressed",
                          "kind": kind, "binding": binding, "actors": actors,
                          "reviewed": doc in reviewed_docs or bool(decision), "note": decision.get("note", ""),
                          "provisions": provisions})
    return cells


def to_toml(cells: list[dict]) -> str:
    """TOML of the cells (JSON strings are valid TOML basic strings)."""
    def v(x) -> str:
        if isinstance(x, bool):
            return "true" if x else "false"
        if isinstance(x, int):
            return str(x)
        if isinstance(x, list):
            return "[" + ", ".join(v(i) for i in x) + "]"
        return json.dumps(x, ensure_ascii=False)

    out = ["# The interoperability crosswalk: GENERATED by scripts/build_crosswalk.py from the annotations'",
           "# topics and retrieval, with the review decisions of review.toml applied. Do not edit by hand:",
           "# change review.toml (or the annotations) and rebuild. One cell per topic x document.", ""]
    for c in cells:
        out.append("[[cell]]")
        for k in ("topic", "document", "status", "kind", "binding", "actors", "reviewed", "note"):
            if k == "note" and not c[k]:
                continue
            out.append(f"{k} = {v(c[k])}")
        for p in c["provisions"]:
            out.append("[[cell.provisions]]")
            for k in ("passage_id", "locator", "page", "kind", "actors", "via", "quote"):
                if p[k] is not None:
                    out.append(f"{k} = {v(p[k])}")
        out.append("")
    return "\n".join(out)


def show(cells: list[dict], doc: str) -> None:
    for c in cells:
        if c["document"] != doc:
            continue
        print(f"== {c['topic']}: {c['status']} {c['kind']} binding={c['binding']} {c['actors']} {c['note']}")
        for p in c["provisions"]:
            print(f"   {p['passage_id']} [{p['kind']}, {p['via']}] p.{p['page']}: {p['quote'][:220]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when mapping.toml differs from a fresh build")
    ap.add_argument("--show", metavar="DOC", help="print a document's cells (for review)")
    args = ap.parse_args()
    from assistant.service import Assistant

    index = Assistant().index
    with open(REVIEW_FILE, "rb") as f:
        review = tomllib.load(f)
    cells = build(index, review)
    text = to_toml(cells)
    if args.show:
        show(cells, args.show)
        return 0
    if args.check:
        same = MAPPING_FILE.is_file() and MAPPING_FILE.read_text() == text
        print("mapping.toml is current" if same else "mapping.toml differs from a fresh build: rebuild it")
        return 0 if same else 1
    MAPPING_FILE.write_text(text)
    addressed = sum(c["status"] == "addressed" for c in cells)
    print(f"wrote {MAPPING_FILE}: {len(cells)} cells, {addressed} addressed, "
          f"{sum(len(c['provisions']) for c in cells)} provisions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
