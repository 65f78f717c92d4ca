"""Errors raised by the index layer. Messages name the document and say what to do next."""


class IndexError_(Exception):
    """Base of index errors (named with a trailing _ to keep the builtin IndexError visible)."""


class SourceError(IndexError_):
    """A document could not be fetched, verified or parsed; the rest of the corpus is unaffected."""

    def __init__(self, document_id: str, message: str):
        super().__init__(f"{document_id}: {message}")
        self.document_id = document_id
        self.reason = message

    def __reduce__(self):  # survives the trip back from a parsing worker process
        return (SourceError, (self.document_id, self.reason))


class IndexNotReady(IndexError_):
    """No index has been built yet."""
