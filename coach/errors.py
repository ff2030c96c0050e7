"""Errors the user can act on: each carries a plain message and what to do."""


class CoachError(Exception):
    """Base class: ``str(err)`` is the message, ``err.hint`` says what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def explain(self) -> str:
        return f"{self}\n{self.hint}" if self.hint else str(self)


class InputError(CoachError):
    """Something the user typed or uploaded cannot be used as it is."""


class StoreError(CoachError):
    """The knowledge store is missing, corrupt, unreachable or incompatible."""


class ModelError(CoachError):
    """The chat model or the embedding model cannot be loaded or reached."""


class HistoryError(CoachError):
    """The sessions database cannot be opened or written."""


class DocumentError(Exception):
    """A file that cannot be turned into a knowledge document (the reason is the message); the
    indexer reports it by name and skips the file."""
