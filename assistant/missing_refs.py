"""Provisions a question names that do not exist ("Article 120" of an Act with 113 articles).

Retrieval still finds the closest passages, but the answer must say first that the named
provision is not there, or a reader takes the quotes for the provision asked about."""

from __future__ import annotations

import re
from dataclasses import replace

from .query import resolve
from .types import Answer


def missing_provisions(ctx) -> list[str]:
    """One sentence per identifier of the question that no indexed document of its grammar has."""
    index, plan = ctx.index, ctx.plan
    notes: list[str] = []
    for ident in plan.identifiers:
        docs = [d for d in ident.documents if d in plan.documents] or list(ident.documents)
        docs = [d for d in docs if index.by_document.get(d)]
        if not docs or resolve(ident, index.by_document, plan.documents):
            continue
        src = index.sources.get(docs[0])
        label = src.label if src else docs[0]
        note = f"Note: {ident.locator_prefix} does not exist in the {label}"
        kind = ident.locator_prefix.split(" ", 1)[0]
        numbers = [int(m.group(1)) for p in index.by_document[docs[0]]
                   if (m := re.match(rf"{re.escape(kind)} (\d+)\b", p.locator))]
        if numbers:
            note += f" (its {kind.lower()}s run from {min(numbers)} to {max(numbers)})"
        notes.append(note + "; what follows is the closest indexed material, not that provision.")
    return list(dict.fromkeys(notes))


def with_missing_provisions(ctx, answer: Answer) -> Answer:
    notes = missing_provisions(ctx)
    if not notes:
        return answer
    return replace(answer, answer=" ".join(notes) + "\n\n" + answer.answer, notes=[*answer.notes, *notes])
