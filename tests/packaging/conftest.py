"""Packaging tests reuse the shared network guard (tests/no_network.py; tests/ is on
sys.path through the root conftest, as for tests/ui)."""

from no_network import no_network  # noqa: F401  (a fixture, found by name)
