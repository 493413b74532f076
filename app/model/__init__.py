"""The plain data every package shares: deck contents, errors, paths, settings and timed
words.

This is the bottom layer: it imports nothing else from ``app``, so formats, scoring,
speech and core can all build on it without importing each other (the import contract
in pyproject.toml holds it there).
"""
