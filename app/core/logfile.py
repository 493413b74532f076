"""The log file in the data dir: what went wrong, with tracebacks, for a bug report.

Stdlib logging with a rotating file (``logs/parley.log``, a few MB at most), so the
details a user is asked to send survive the session that hit the problem. Qt-free: the
GUI starts it, and its path is shown in Help → About.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.model.paths import logs_dir

LOG_FILENAME = "parley.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3  # parley.log.1 … .3: four files, 4 MB at most

log = logging.getLogger(__name__)


class _ParleyLogFile(RotatingFileHandler):
    """Parley's own handler (told apart from any other on the root logger). A record it
    cannot write (the disk filled up, say) is reported once, in one line: logging's
    default prints a traceback to stderr for every record, where the CLI promises one
    line."""

    _failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        if not self._failed:
            self._failed = True
            err = sys.exc_info()[1]
            sys.stderr.write(f"parley: cannot write the log file {self.baseFilename}: {err}\n")


def log_path(data_dir: Path) -> Path:
    return logs_dir(data_dir) / LOG_FILENAME


def start_log_file(data_dir: Path) -> Path | None:
    """Sends every log record of INFO and above to ``logs/parley.log`` in ``data_dir``,
    instead of any data dir used before in this process. Returns the file, or None when
    it cannot be written (a read-only or full disk): the app still runs, and says why
    on stderr."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _ParleyLogFile):
            root.removeHandler(handler)
            handler.close()
    path = log_path(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _ParleyLogFile(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=False
        )
    except OSError as err:
        log.warning("parley: no log file: %s: %s", path, err.strerror or err)
        return None
    handler.setLevel(logging.INFO)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s")
    )
    root.addHandler(handler)
    return path
