"""Parley's Qt-free core: the collection (SQLAlchemy models, storage, scheduling,
backups), importing and exporting decks through ``app.formats``, and the services the CLI
and GUI share. The plain data it shares with formats, scoring and speech is in
``app.model``, below them all."""
