"""Open the real window on a data dir and report what its banner says once the collection
has failed to open (or opened), for the disk tests.

Run as ``python show_window.py DATA_DIR``. Prints ``banner <text>`` and ``action <button
text or none>`` once every check started by the failure has reported, then exits.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.ui.application import create_window


def main(data_dir: Path) -> int:
    app = QApplication(sys.argv[:1])
    window = create_window(data_dir)
    backend = window.backend

    def report() -> None:
        banner = window.banner
        action = banner.action.text() if banner.action.isVisibleTo(banner) else "none"
        print(f"banner {banner.label.text() if banner.isVisibleTo(window) else ''}", flush=True)
        print(f"action {action}", flush=True)
        window.close()
        app.quit()

    def settled(_text: str = "") -> None:
        # The DB worker is serial: once this no-op is done, the integrity check the
        # failure started has reported too; one more turn of the loop delivers it.
        backend.tasks.db(
            lambda: None, session=False, on_success=lambda _r: QTimer.singleShot(0, report)
        )

    backend.store_failed.connect(settled)
    backend.store_ready.connect(settled)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
