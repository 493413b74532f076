"""Errors split the way users experience them.

A ``KnownError`` is an expected environmental failure (a broken deck file, a missing
model, no microphone): it carries a message fit to show as-is and never a traceback.
Anything else is a bug and gets a crash report.
"""

from __future__ import annotations


class KnownError(Exception):
    """A failure the user can act on; ``str(err)`` is the whole message."""


class DeckFormatError(KnownError):
    """A deck file could not be read. The message names the file and, where it applies,
    the line or entry."""

    def __init__(self, path: object, problem: str, where: str | None = None) -> None:
        self.path = str(path)
        self.problem = problem
        self.where = where
        location = f"{self.path}: {where}" if where else self.path
        super().__init__(f"{location}: {problem}")


class NotFoundError(KnownError):
    """A named deck, card or backup does not exist."""


class CorruptCollectionError(KnownError):
    """The collection file is damaged; the message says how to get back the last backup."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(
            f"{self.path}: the collection is damaged ({problem}). Your backups are safe: "
            "restore the last good one with File › Restore backup… or "
            "`parley backup restore --latest-good`."
        )
