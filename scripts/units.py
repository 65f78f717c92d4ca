"""Print a document's structural units (the worksheet editors annotate from) as JSON lines.

    python scripts/units.py eu-ai-act-2024-1689 > /tmp/units/eu-ai-act-2024-1689.jsonl
    python scripts/units.py --all /tmp/units

One line per unit (a locator; a long unit's chunks are joined): unit key, locator, kind,
pages, section path and the full text. Nothing is embedded: parse, structure and chunk only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.library import all_sources, ingest_config  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from index.annotations import unit_key  # noqa: E402
from index.pipeline import _prepare  # noqa: E402
from index.sources import fetch  # noqa: E402


def units(document_id: str, settings: Settings) -> list[dict]:
    cfg = ingest_config(settings)
    src = next(s for s in all_sources(settings) if s.document_id == document_id)
    path = fetch(src, list(cfg.mirrors), cfg.cache_dir, cfg.allow_download)
    _pages, passages = _prepare(src, path, cfg)
    out: dict[str, dict] = {}
    for p in passages:
        key = unit_key(p.passage_id)
        u = out.setdefault(key, {"unit": key, "locator": p.locator, "kind": p.kind, "page": p.page_start,
                                 "section_path": list(p.section_path), "passages": [], "text": ""})
        u["passages"].append(p.passage_id)
        u["text"] += ("\n" if u["text"] else "") + p.text
    return list(out.values())


def main(argv: list[str]) -> None:
    settings = Settings()
    if argv and argv[0] == "--all":
        folder = Path(argv[1])
        folder.mkdir(parents=True, exist_ok=True)
        for src in all_sources(settings):
            rows = units(src.document_id, settings)
            (folder / f"{src.document_id}.jsonl").write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
            print(f"{src.document_id}: {len(rows)} units", file=sys.stderr)
        return
    for r in units(argv[0], settings):
        print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
