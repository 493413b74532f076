"""The main window: pages in a stack, menus with their shortcuts, messages in place."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from app import __version__
from app.ui import messages
from app.ui.backend import Backend
from app.ui.home import HomePage
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
        self.resize(1280, 800)
        self.setAcceptDrops(True)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.stack = QStackedWidget()
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
        self.home.first_run.install_requested.connect(self.install_model)
        self.review.finished.connect(self.go_home)
        self.rehearsal.finished.connect(self.go_home)

        self.engine_label = plain_label()
        self.statusBar().addPermanentWidget(self.engine_label)
        self._build_menus()

        bridge = messages.bridge()
        # Bound methods, not lambdas: Qt drops the connection when this window is destroyed,
        # while the bridge lives on for the whole process.
        bridge.info_posted.connect(self._show_info)
        bridge.error_posted.connect(self._show_error)
        bridge.bug_posted.connect(self._show_bug)
        backend.store_failed.connect(self._store_failed)

    # -- menus ----------------------------------------------------------------------
    def _action(self, menu_name: str, text: str, shortcut: str | None, slot) -> QAction:  # type: ignore[no-untyped-def]
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

    def install_model(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from app.ui.settings_dialog import SettingsDialog

        path, _filter = QFileDialog.getOpenFileName(
            self, "Install a speech model", "", "Zip archives (*.zip)"
        )
        if path:
            SettingsDialog.edit(self, self.backend, install_zip=Path(path))

    def _about(self) -> None:
        messages.info(f"Parley {__version__} — rehearse spoken technical explanations, offline.")

    # -- messages -----------------------------------------------------------------------
    def _show_info(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _show_error(self, text: str) -> None:
        self.banner.show_message(text, "error")

    def _show_bug(self, text: str, detail: str) -> None:
        self.banner.show_message(
            f"{text} Your work is saved. Details were written to the log.", "error"
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
        event.accept()
