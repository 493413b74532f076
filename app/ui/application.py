"""Starting the desktop app: the QApplication, the theme, the window, then the
collection opened in the background so the window appears at once."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from importlib import resources
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__
from app.core import lock
from app.core.logfile import start_log_file
from app.model.errors import KnownError
from app.ui import messages
from app.ui.backend import Backend
from app.ui.backup_timer import start_backup_timer
from app.ui.main_window import MainWindow
from app.ui.theme import apply_theme

APP_ID = "io.github.parley.Parley"


def create_window(data_dir: Path) -> MainWindow:
    """Build the window over ``data_dir`` and start opening the collection."""
    messages.bridge()  # created on the GUI thread, before any worker can post
    log_file = start_log_file(data_dir)  # before settings load: their warnings go there too
    backend = Backend(data_dir)
    backend.log_file = log_file
    # Start opening the collection first: the DB worker imports SQLAlchemy, migrates and
    # seeds while this thread builds the window. Its result is delivered through the
    # event loop, so nothing can arrive before the window is listening.
    backend.open_store()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, backend.settings.theme)
    window = MainWindow(backend)
    if backend.settings_problems:
        messages.error(f"Some settings were reset. {backend.settings_problems}")
    start_backup_timer(backend, window)  # integrity check, then a backup every 30 min
    return window


def report_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """``sys.excepthook``: an exception nothing caught (a slot, a timer, a virtual method
    Qt called) is a bug; the user is told and the log keeps the traceback."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if isinstance(exc, KnownError):
        messages.error(str(exc))
        return
    detail = "".join(traceback.format_exception(exc_type, exc, tb))
    messages.bug(f"Something went wrong ({exc_type.__name__}: {exc}).", detail)


def _report_thread_uncaught(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        report_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def install_excepthook() -> None:
    """Every uncaught exception, on the GUI thread or any other, goes to the bug path."""
    sys.excepthook = report_uncaught
    threading.excepthook = _report_thread_uncaught


def run_app(data_dir: Path, *, quit_after_start: bool = False, report_startup: bool = False) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install_excepthook()
    # Migrations are routine; their INFO lines are noise on every first start.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Parley")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Parley")
    app.setDesktopFileName(APP_ID)
    icon = resources.files("resources") / "icons" / "parley.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    # One window per data dir: a second one would overwrite the first one's settings and
    # show a collection the first is changing. Say so (a dialog for whoever started it
    # from a desktop icon, one line on stderr for the terminal) and exit non-zero.
    owner: lock.WindowLock | None = None
    try:
        owner = lock.hold_window(data_dir)
    except lock.DataDirBusyError as err:
        if not quit_after_start:
            tell_open_elsewhere(str(err))
        raise
    except KnownError:
        pass  # a read-only or full disk: the window opens and its banner says what to do
    try:
        return _run_window(app, data_dir, quit_after_start, report_startup)
    finally:
        if owner is not None:
            owner.release()


def tell_open_elsewhere(text: str) -> None:
    """The seam tests patch: the dialog a second window shows instead of opening."""
    QMessageBox.warning(None, "Parley is already open", text)


def _run_window(
    app: QApplication, data_dir: Path, quit_after_start: bool, report_startup: bool
) -> int:
    window = create_window(data_dir)
    if report_startup:
        # Milestones for the start-up benchmark, read from stdout as they happen.
        QTimer.singleShot(0, lambda: _milestone("window-shown"))
        window.home.decks_shown.connect(lambda: _milestone("decks-shown"))
    window.show()
    if quit_after_start:
        # Quit once the collection is open and the home page has its decks.
        window.home.decks_shown.connect(lambda: QTimer.singleShot(0, window.close))
        window.backend.store_failed.connect(lambda _t: QTimer.singleShot(0, window.close))
    return app.exec()


def _milestone(name: str) -> None:
    print(f"startup {name}", flush=True)
