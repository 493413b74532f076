"""Open the real window on a data dir and report what it tells the user, for the disk
tests.

``python show_window.py DATA_DIR`` prints ``banner <text>`` and ``action <button text or
none>`` once the collection has opened or failed to, and every check that started has
reported. ``python show_window.py DATA_DIR --restore-after-filling FILE`` waits for the
collection to open, fills the disk by writing FILE until it is full, restores the newest
backup the way File › Restore backup… does, and prints ``message <kind> <text>`` for what
the window then says.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.core import backups
from app.ui import messages, restore_dialog
from app.ui.application import create_window


def fill(path: Path) -> None:
    with path.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc


def main(data_dir: Path, filler: Path | None) -> int:
    app = QApplication(sys.argv[:1])
    window = create_window(data_dir)
    backend = window.backend

    def finish(*lines: str) -> None:
        for line in lines:
            print(line, flush=True)
        window.close()
        app.quit()

    def report() -> None:
        banner = window.banner
        action = banner.action.text() if banner.action.isVisibleTo(banner) else "none"
        text = banner.label.text() if banner.isVisibleTo(window) else ""
        finish(f"banner {text}", f"action {action}")

    def settled(_text: str = "") -> None:
        # The DB worker is serial: once this no-op is done, the integrity check the
        # failure started has reported too; one more turn of the loop delivers it.
        backend.tasks.db(
            lambda: None, session=False, on_success=lambda _r: QTimer.singleShot(0, report)
        )

    def restore_on_a_full_disk() -> None:
        assert filler is not None
        backend.store_ready.disconnect(restore_on_a_full_disk)
        bridge = messages.bridge()
        bridge.info_posted.connect(lambda t: finish(f"message info {t}"))
        bridge.error_posted.connect(lambda t: finish(f"message error {t}"))
        bridge.bug_posted.connect(lambda t, _d: finish(f"message bug {t}"))

        def filled(_r: object) -> None:
            newest = backups.list_backups(data_dir)[0]
            restore_dialog.restore(backend, newest)

        # On the DB worker: after the start-up backup, before anything else.
        backend.tasks.db(lambda: fill(filler), session=False, on_success=filled)

    if filler is None:
        backend.store_failed.connect(settled)
        backend.store_ready.connect(settled)
    else:
        backend.store_ready.connect(restore_on_a_full_disk)
        backend.store_failed.connect(lambda t: finish(f"failed {t}"))
    window.show()
    return app.exec()


if __name__ == "__main__":
    args = sys.argv[1:]
    target = Path(args[2]) if len(args) == 3 and args[1] == "--restore-after-filling" else None
    sys.exit(main(Path(args[0]), target))
