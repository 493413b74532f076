"""Parley: rehearse spoken technical explanations, offline."""

__version__ = "0.1.0"
