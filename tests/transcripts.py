"""Comparing what a recogniser wrote with what was said, for tests."""

from __future__ import annotations


def heard(text: str) -> set[str]:
    """The words of a transcript, lower case and without punctuation."""
    return {w.strip(".,!?;:\"'").lower() for w in text.split()} - {""}
