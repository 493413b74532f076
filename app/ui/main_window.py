"""The main window: pages in a stack, menus with their shortcuts, messages in place."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QVBoxLayout, QWidget

from app.ui import messages
from app.ui.backend import Backend
from app.ui.home import HomePage
from app.ui.page_stack import PageStack
from app.ui.rehearsal import RehearsalPage
from app.ui.review import ReviewPage
from app.ui.widgets import Banner, plain_label

if TYPE_CHECKING:
    from app.ui.browser import BrowserPage
    from app.ui.stats_page import StatsPage

DECK_SUFFIXES = {".toml", ".json", ".apkg", ".colpkg", ".csv", ".tsv", ".txt"}


class MainWindow(QMainWindow):
    home_shown = Signal()

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.setWindowTitle("Parley")
        self.setMinimumSize(640, 480)  # pages scroll when they need more (PageStack)
        self._restore_geometry()
        self.setAcceptDrops(True)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.stack = PageStack()
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.home = HomePage(backend)
        self.review = ReviewPage(backend)
        self.rehearsal = RehearsalPage(backend)
        self.stack.addWidget(self.home)
        self.stack.addWidget(self.review)
        self.stack.addWidget(self.rehearsal)
        self._stats: StatsPage | None = None  # built on first use: QtCharts is slow to load
        self._browser: BrowserPage | None = None
        self.home.review_requested.connect(self.start_review)
        self.home.rehearse_requested.connect(self.start_rehearsal)
        self.home.first_run.install_requested.connect(self._install_from_first_run)
        self.home.deck_action.connect(self._deck_action)
        self.review.finished.connect(self.go_home)
        self.rehearsal.finished.connect(self.go_home)

        self.engine_label = plain_label()
        self.statusBar().addPermanentWidget(self.engine_label)
        self._build_menus()

        # Bound methods, not lambdas: Qt drops the connection when this window is destroyed,
        # while the bridge lives on for the whole process. Messages posted before now (a
        # damaged settings file) arrive here first.
        messages.bridge().listen(self._show_info, self._show_error, self._show_bug)
        backend.store_failed.connect(self._store_failed)

    # -- menus ----------------------------------------------------------------------
    def _action(
        self, menu_name: str, text: str, shortcut: str | None, slot: Callable[[], object]
    ) -> QAction:
        menu = self._menus[menu_name]
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({shortcut})")
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self._menus = {name: bar.addMenu(name) for name in ("&File", "&Study", "&Help")}
        self.import_action = self._action("&File", "&Import deck…", "Ctrl+I", self.import_deck)
        self.export_action = self._action("&File", "&Export deck…", "Ctrl+E", self.export_deck)
        self._action("&File", "&Back up now", None, self.back_up_now)
        self._action("&File", "&Restore backup…", None, self.restore_backup)
        self._menus["&File"].addSeparator()
        self.settings_action = self._action("&File", "&Settings…", "Ctrl+,", self.open_settings)
        self._menus["&File"].addSeparator()
        self._action("&File", "&Quit", "Ctrl+Q", self.close)
        self._action("&Study", "&Decks", "Ctrl+H", self.go_home)
        self._action("&Study", "&Review flashcards", "R", self._review_selected)
        self._action("&Study", "Rehearse &role-plays", "P", self._rehearse_selected)
        self._action("&Study", "S&tatistics", "Ctrl+T", self.show_stats)
        self._action("&Study", "&Browse cards", "Ctrl+B", self.show_browser)
        self._menus["&Study"].addSeparator()
        self._action("&Study", "Re&name deck…", "F2", lambda: self._deck_action("rename"))
        # Del is the home page's own shortcut (the browser's Del deletes cards).
        self._action("&Study", "De&lete deck…", None, lambda: self._deck_action("delete"))
        self._action("&Help", "&About Parley", None, self._about)

    def _review_selected(self) -> None:
        if self.stack.currentWidget() is self.home and (deck := self.home.selected_deck()):
            self.start_review(deck)

    def _rehearse_selected(self) -> None:
        if self.stack.currentWidget() is self.home and (deck := self.home.selected_deck()):
            self.start_rehearsal(deck)

    # -- navigation -----------------------------------------------------------------
    def go_home(self) -> None:
        self.stack.setCurrentWidget(self.home)
        self.home.refresh() if self.backend.is_ready else None
        self.home.list.setFocus()
        self.home_shown.emit()

    def start_review(self, deck_name: str) -> None:
        self.stack.setCurrentWidget(self.review)
        self.review.start(deck_name)
        self.review.setFocus()

    def start_rehearsal(self, deck_name: str) -> None:
        self.stack.setCurrentWidget(self.rehearsal)
        self.rehearsal.start(deck_name)
        self.rehearsal.setFocus()

    @property
    def stats(self) -> StatsPage:
        if self._stats is None:
            from app.ui.stats_page import StatsPage

            self._stats = StatsPage(self.backend)
            self.stack.addWidget(self._stats)
            self._stats.finished.connect(self.go_home)
        return self._stats

    def show_stats(self) -> None:
        """Statistics for the deck selected on the home page (or the first deck)."""
        deck = self.home.selected_deck() or (self.home.decks[0].name if self.home.decks else None)
        if deck is None:
            messages.info("There is no deck to show statistics for yet.")
            return
        self.stack.setCurrentWidget(self.stats)
        self.stats.show_deck(deck)
        self.stats.setFocus()

    @property
    def browser(self) -> BrowserPage:
        if self._browser is None:
            from app.ui.browser import BrowserPage

            self._browser = BrowserPage(self.backend)
            self.stack.addWidget(self._browser)
            self._browser.finished.connect(self.go_home)
        return self._browser

    def show_browser(self, search: str = "") -> None:
        """The card browser, over every deck (``search`` as its first search)."""
        self.stack.setCurrentWidget(self.browser)
        self.browser.open(search if isinstance(search, str) else "")

    def _deck_action(self, action: str, name: str | None = None) -> None:
        """A deck action from the menus, the keys or the home page's context menu, on the
        deck named or else the one selected on the home page."""
        from app.ui import deck_actions

        name = name or self.home.selected_deck()
        if name is None:
            messages.info("Select a deck on the home page first.")
            return
        if action == "browse":
            self.show_browser(f'deck:"{name}"')
        elif action == "stats":
            self.home.select_deck(name)
            self.show_stats()
        elif action == "export":
            from app.ui.import_dialog import export_selected_deck

            export_selected_deck(self, self.backend, name)
        elif action == "rename" and self.stack.currentWidget() is self.home:
            deck_actions.rename_deck(self, self.backend, name, self._notify, self.home.select_deck)
        elif action == "delete" and self.stack.currentWidget() is self.home:
            deck_actions.delete_deck(self, self.backend, name, self._notify, self.go_home)

    def _notify(self, text: str, level: str, action: tuple[str, Callable[[], None]] | None) -> None:
        self.banner.show_message(text, level, action, timeout_ms=0 if action else 8000)

    def back_up_now(self) -> None:
        from app.ui.deck_actions import back_up_now

        back_up_now(self.backend)

    # -- size and place -----------------------------------------------------------------
    def _restore_geometry(self) -> None:
        """Where the window was last time; the first time, most of the screen."""
        saved = self.backend.settings.window_geometry
        if saved and self.restoreGeometry(QByteArray.fromBase64(saved.encode("ascii"))):
            return
        screen = self.screen().availableGeometry()
        width = max(800, min(1440, int(screen.width() * 0.8)))
        height = max(600, min(960, int(screen.height() * 0.85)))
        self.resize(min(width, screen.width()), min(height, screen.height()))
        frame = self.frameGeometry()
        frame.moveCenter(screen.center())
        self.move(frame.topLeft())

    def _save_geometry(self) -> None:
        settings = self.backend.settings
        settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        # On close the workers are stopping, so this small write is made here. On a full
        # or read-only disk the next start simply opens at the first-run size.
        with contextlib.suppress(OSError):
            settings.save(self.backend.data_dir)

    def restore_backup(self) -> None:
        from app.ui.restore_dialog import RestoreDialog

        RestoreDialog.ask(self, self.backend)

    # -- dialogs ------------------------------------------------------------------------
    def import_deck(self) -> None:
        from app.ui.import_dialog import ImportDialog

        ImportDialog.ask_and_import(self, self.backend)

    def import_paths(self, paths: list[Path]) -> None:
        from app.ui.import_dialog import ImportDialog

        for path in paths:
            ImportDialog.import_file(self, self.backend, path)

    def export_deck(self) -> None:
        from app.ui.import_dialog import export_selected_deck

        export_selected_deck(self, self.backend, self.home.selected_deck())

    def open_settings(self) -> None:
        from app.ui.settings_dialog import SettingsDialog

        SettingsDialog.edit(self, self.backend)

    def install_model(self, before: Callable[[], None] | None = None) -> None:
        """Ask for a model .zip and install it in Settings; ``before`` runs once a file
        was chosen, not after a cancel."""
        from app.ui import file_dialogs
        from app.ui.settings_dialog import SettingsDialog

        path = file_dialogs.open_file(
            self, self.backend, "Install a speech model", file_dialogs.ZIP_FILTER
        )
        if path is not None:
            if before is not None:
                before()
            SettingsDialog.edit(self, self.backend, install_zip=path)

    def _install_from_first_run(self) -> None:
        # Only a chosen file settles the first-run question: after a cancel the panel
        # stays, with both choices still open.
        self.install_model(before=self.home.first_run.dismiss)

    def _about(self) -> None:
        from app.ui.about_dialog import AboutDialog

        AboutDialog.show_for(self, self.backend.data_dir, self.backend.log_file)

    # -- messages -----------------------------------------------------------------------
    def _show_info(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _show_error(self, text: str) -> None:
        self.banner.show_message(text, "error")

    def _show_bug(self, text: str, detail: str) -> None:
        def copy() -> None:
            QApplication.clipboard().setText(detail)
            messages.info("The details are on the clipboard, ready for a bug report.")

        where = f" ({self.backend.log_file})" if self.backend.log_file else ""
        self.banner.show_message(
            f"{text} Your work is saved. Details were written to the log{where}.",
            "error",
            action=("Copy details", copy),
        )

    def _store_failed(self, text: str) -> None:
        self.home.summary.setText("The collection could not be opened.")
        self.banner.show_message(text, "error")

    # -- drag and drop ----------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(Path(u.toLocalFile()).suffix.lower() in DECK_SUFFIXES for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.backend.shutdown()
        self._save_geometry()
        event.accept()
