"""Parley's Qt-free core: storage, scheduling, deck formats and the services the CLI
and GUI share."""
