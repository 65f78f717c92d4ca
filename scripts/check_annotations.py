"""Validate annotation files and report which units of their document they cover.

    python scripts/check_annotations.py index/annotations/eu-ai-act-2024-1689.toml [--units DIR]

--units: a folder of worksheets from `scripts/units.py --all DIR` (faster than re-parsing).
Exits 1 on a malformed file or on annotations whose unit does not exist in the document.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.annotations import AnnotationError, load_file  # noqa: E402


def worksheet(document_id: str, units_dir: Path | None) -> list[dict]:
    if units_dir and (units_dir / f"{document_id}.jsonl").is_file():
        return [json.loads(line) for line in (units_dir / f"{document_id}.jsonl").read_text().splitlines()]
    from scripts.units import units  # noqa: PLC0415
    from assistant.settings import Settings  # noqa: PLC0415

    return units(document_id, Settings())


def main(argv: list[str]) -> int:
    units_dir = Path(argv[argv.index("--units") + 1]) if "--units" in argv else None
    files = [Path(a) for a in argv if a.endswith(".toml")]
    status = 0
    for path in files:
        try:
            anns = load_file(path)
        except AnnotationError as exc:
            print(f"ERROR {exc}")
            status = 1
            continue
        doc = next(iter(anns.values())).document_id if anns else path.stem.split(".")[0]
        rows = worksheet(doc, units_dir)
        known = {r["unit"]: r for r in rows}
        unknown = sorted(set(anns) - set(known))
        missing = [u for u in known if u not in anns and known[u]["kind"] not in ("front", "recital")]
        kinds = Counter(a.kind for a in anns.values())
        questions = sum(len(a.questions) for a in anns.values())
        translated = sum(1 for a in anns.values() if a.translations)
        print(f"{path.name}: {len(anns)} annotated of {len(known)} units ({questions} questions, "
              f"{translated} with translations); kinds {dict(kinds)}")
        if unknown:
            print(f"ERROR units not in the document: {unknown[:20]}")
            status = 1
        if missing:
            print(f"not yet annotated ({len(missing)}): {missing[:30]}{' …' if len(missing) > 30 else ''}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
