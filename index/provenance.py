"""Where a source comes from: the project's manifest (official; its file's sha256 is checked) or a
user who added it. A user's document is labelled as such wherever it is shown, ranks below
official sources unless a question or filter selects it, and is binding only when an operator
confirmed that (the uploader's word alone never makes it so)."""

from __future__ import annotations

from .types import Source

USER_LABEL = "added by a user, unofficial"
USER_DOC_TYPE = "user"  # doc_type of every source a user added (index/sources.py user_source)


def is_user_added(src: Source | None) -> bool:
    return src is not None and src.doc_type == USER_DOC_TYPE


def provenance(src: Source | None) -> str:
    return "user" if is_user_added(src) else "official"
