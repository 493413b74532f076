"""Packaging tests reuse the shared network guard (tests/no_network.py)."""

import sys
from pathlib import Path

# `python -m pytest` (scripts/dev) has the repo root on sys.path; a bare `pytest` does not.
# `pythonpath = ["."]` in pyproject's pytest options would make this unnecessary.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.no_network import no_network  # noqa: E402, F401  (a fixture, found by name)
