"""What every command gets: the resolved data dir, a lazily opened store, output helpers."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.model.paths import resolve_data_dir

if TYPE_CHECKING:
    from app.core.store import Store


@dataclass
class CliContext:
    data_dir_option: str | None = None
    _store: Store | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return resolve_data_dir(self.data_dir_option)

    def check_data_dir(self) -> None:
        """Refuse a bad ``--data-dir`` (an empty one) before any command runs."""
        if self.data_dir_option is not None:
            resolve_data_dir(self.data_dir_option)

    def store(self) -> Store:
        """Open (creating, migrating and seeding if needed) the collection. It is held
        shared while open (:mod:`app.core.lock`): if another process is restoring or
        upgrading it, this waits a few seconds, then fails with one line naming the data
        dir."""
        if self._store is None:
            from app.core.store import Store

            self._store = Store.open(self.data_dir)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @staticmethod
    def emit_json(obj: Any) -> None:
        json.dump(obj, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
