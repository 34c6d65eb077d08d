"""The main window: the roll in the middle, Library / Train / Generate in a dock, the
transport on a toolbar, messages in the status bar. It builds the state objects, hands
them to the views and wires the few links between them; it holds no state of its own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from musevae.gui.workers import tasks
from musevae.gui.roll.clip_drag import ClipHandle
from musevae.gui.shell.dialogs import Dialogs
from musevae.gui.generate.export_actions import ExportActions
from musevae.gui.generate.session import GenerateSession
from musevae.gui.generate.state import GenerationState
from musevae.gui.generate.interaction_actions import InteractionActions
from musevae.gui.library.session import LibrarySession
from musevae.gui.midi_in.session import MidiInSession
from musevae.gui.shell.notify import INFO, Message, Notifier, show_popup
from musevae.gui.playback.session import PlaybackSession
from musevae.gui.playback.state import PlaybackState
from musevae.gui.generate.panel import GeneratePanel
from musevae.gui.library.panel import LibraryPanel
from musevae.gui.midi_in.panel import KeyboardBar
from musevae.gui.roll.panel import RollPanel
from musevae.gui.train.panel import TrainPanel
from musevae.gui.train.chart import TrainingCharts
from musevae.gui.playback.transport import TransportBar
from musevae.gui.tune.panel import TunePanel
from musevae.gui.tune.chart import TuneCharts
from musevae.gui.workers.job import Job, start_job
from musevae.gui.shell.settings import Settings
from musevae.gui.roll.timeline import TimeAxis
from musevae.gui.train.session import TrainSession
from musevae.gui.tune.session import TuneSession

MIDI_SUFFIXES = (".mid", ".midi")
DOCK_WIDTH = 390
TRAIN_TAB = 1


def scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


class MainWindow(QMainWindow):
    """``shown`` fires once, the first time the window is on screen; ``ready`` once the
    models are loaded (torch imported, library scanned)."""

    shown = Signal()
    ready = Signal()

    def __init__(
        self,
        settings: Settings | None = None,
        dialogs: Dialogs | None = None,
        notifier: Notifier | None = None,
        popups: bool = True,
        user_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("musevae")
        self.setObjectName("musevae-main")
        self.popups = popups
        self.notifier = notifier or Notifier(self)
        self.settings = settings or Settings(parent=self)
        self.dialogs = dialogs or Dialogs(self)
        self.generation = GenerationState(self)
        self.axis = TimeAxis(parent=self)
        self.playback = PlaybackState(self.settings.get("playback/tempo"), self)
        self.library = LibrarySession(self.notifier, user_dir, self)
        self.training = TrainSession(self.notifier, self)
        self.generating = GenerateSession(self.generation, self.notifier, self)
        self.player = PlaybackSession(self.playback, self.generation, self.notifier, self)
        self.exports = ExportActions(self.generation, self.playback, self.settings,
                                     self.dialogs, self.notifier, self)  # fmt: skip
        self.roll_panel = RollPanel(self.generation, self.axis, self.playback)
        self.library_panel = LibraryPanel(self.library, self.settings, self.dialogs)
        self.train_panel = TrainPanel(self.training, self.settings, self.dialogs)
        self.charts = TrainingCharts(self.training)
        self.generate_panel = GeneratePanel(
            self.generating, self.library, self.settings, self.dialogs
        )
        self.tuning = TuneSession(self.notifier, self)
        self.tune_panel = TunePanel(self.tuning, self.library, self.settings, self.dialogs)
        self.tune_charts = TuneCharts(self.tuning)
        self.midi_in = MidiInSession(self.playback, self.generation, self.player,
                                     self.generating, self.generate_panel, self.settings, self)  # fmt: skip
        self._warm_up: Job | None = None
        self._was_shown = False
        self._build()
        self._wire()
        self._restore()

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.centre = QStackedWidget()
        self.centre.addWidget(self.roll_panel)
        self.centre.addWidget(self.charts)  # while the Train tab is open
        self.setCentralWidget(self.centre)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.library_panel, "Library")
        self.tabs.addTab(scrolled(self.train_panel), "Train")
        self.tabs.addTab(scrolled(self.generate_panel), "Generate")
        self.centre.addWidget(self.tune_charts)  # while the Tune tab is open
        self.tune_tab = scrolled(self.tune_panel)
        self.tabs.addTab(self.tune_tab, "Tune")
        self.tabs.currentChanged.connect(self._show_centre)
        dock = QDockWidget("Models", self)
        dock.setObjectName("models-dock")
        dock.setWidget(self.tabs)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)  # fmt: skip
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        self.loading = QLabel("Loading models…")
        self.statusBar().addPermanentWidget(self.loading)
        self.setAcceptDrops(True)
        self._actions()
        exports = [self.action[name] for name in ("export", "export_wav", "export_all")]
        self.action["export_all"].setIconText("Export all")
        self.transport = TransportBar(self.playback, self.player, exports, self)
        self.addToolBar(self.transport)
        playback = self.menuBar().addMenu("&Playback")
        playback.addActions([self.transport.play_action, self.transport.loop_action])
        self.transport.play_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.addAction(self.transport.play_action)
        self.interaction = InteractionActions(self.roll_panel.editor, self.generation,
                                              self.generating, self.generate_panel,
                                              self.playback, self.dialogs, self)  # fmt: skip
        self.interaction.fill(self.menuBar().addMenu("&Edit"), self)
        self.transport.addSeparator()  # the roll's tools: a toolbar folds them away when narrow
        self.transport.addAction(self.interaction.draw)
        self.transport.addWidget(ClipHandle(self.generation, self.playback,
                                            self.roll_panel.editor.selection))  # fmt: skip
        self.keyboard_bar = KeyboardBar(self.midi_in, self.settings, self)
        self.addToolBar(self.keyboard_bar)
        self.roll_panel.roll.show_live(self.midi_in)

    def _show_centre(self, tab: int) -> None:
        """The learning curves while the Train tab is open, the tuning curves while the
        Tune tab is, the piece otherwise."""
        tune = self.tabs.widget(tab) is self.tune_tab
        curves = self.charts if tab == TRAIN_TAB else self.tune_charts if tune else None
        self.centre.setCurrentWidget(curves or self.roll_panel)

    def _actions(self) -> None:
        def action(menu: str, text: str, slot: object, shortcut: str | None = None) -> QAction:
            item = QAction(text, self)
            if shortcut:
                item.setShortcut(QKeySequence(shortcut))
            item.triggered.connect(slot)
            # window-wide, whichever panel (or floating dock) has the focus
            item.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            if menu not in self.menus:
                self.menus[menu] = self.menuBar().addMenu(menu)
            self.menus[menu].addAction(item)
            self.addAction(item)
            return item

        self.menus: dict[str, QMenu] = {}
        self.action = {
            "open": action(
                "&File", "Open checkpoint…", self.library_panel.open_checkpoint, "Ctrl+O"
            ),
            "prime": action("&File", "Prime from MIDI…", self.generate_panel.choose_prime),
            "export": action("&File", "Export MIDI…", self.exports.export_midi, "Ctrl+E"),
            "export_wav": action("&File", "Export WAV…", self.exports.export_wav),
            "export_all": action(
                "&File", "Export all candidates + lanes…", self.exports.export_all
            ),
            "quit": action("&File", "Quit", self.close, "Ctrl+Q"),
            "generate": action("&Generate", "Generate", self._generate, "Ctrl+G"),
            "stop_generating": action("&Generate", "Stop generating", self.generating.stop),
        }

    def _wire(self) -> None:
        self.notifier.posted.connect(self._show_message)
        self.midi_in.countInChanged.connect(self._show_count_in)
        self.roll_panel.roll.seekRequested.connect(self.player.seek)
        self.ready.connect(self.player.watch_ports)
        self.training.checkpointSaved.connect(lambda card: self.library.refresh())
        self.training.finished.connect(lambda card: self.library.refresh(select=card))
        self.tuning.checkpointSaved.connect(lambda card: self.library.refresh())
        self.tuning.tunedChanged.connect(lambda card: self.library.refresh())
        self.tune_panel.generateRequested.connect(self._generate)
        self.playback.tempoChanged.connect(lambda bpm: self.settings.set("playback/tempo", bpm))
        self.playback.portChanged.connect(lambda port: self.settings.set("playback/port", port))
        self.playback.inputChanged.connect(lambda port: self.settings.set("playback/input", port))
        self.playback.loopChanged.connect(lambda loop: self.settings.set("playback/loop", loop))

    def _generate(self) -> None:
        self.tabs.setCurrentIndex(2)
        self.generate_panel.generate()

    def _show_count_in(self, text: str) -> None:
        """The count-in's beats in the status bar, gone at the downbeat."""
        if text:
            self.statusBar().showMessage(text)
        elif self.statusBar().currentMessage().startswith("Count-in"):
            self.statusBar().clearMessage()

    def _show_message(self, message: Message) -> None:
        self.statusBar().showMessage(f"{message.title}: {message.text}", 15_000)
        if self.popups and message.level != INFO:
            show_popup(self, message)

    # --- startup: window first, then the models ---------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._was_shown:
            self._was_shown = True
            self.roll_panel.roll.setFocus()  # not the first box in the chain: typing is harmless
            self.shown.emit()

    def start_loading(self) -> None:
        """Import torch and scan the library in the worker, after the window is up."""
        self._warm_up = start_job(lambda post: tasks.warm_up(), self._on_catalogue,
                                  self._on_load_failed, None, "warm-up", self)  # fmt: skip

    def _on_catalogue(self, catalogue: tasks.Catalogue) -> None:
        self.training.set_catalogue(catalogue)
        self.library.scanningChanged.connect(self._on_scanned)
        self.library.refresh()

    def _on_scanned(self, scanning: bool) -> None:
        if not scanning:
            self.library.scanningChanged.disconnect(self._on_scanned)
            self.loading.setText("")
            self.ready.emit()

    def _on_load_failed(self, error: BaseException) -> None:
        self.loading.setText("Models unavailable")
        self.notifier.error("Cannot load the model code", error)

    # --- drag and drop: a MIDI file becomes the prime ----------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls()]
        if any(f.suffix.lower() in MIDI_SUFFIXES for f in files):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls()]
        midi = [f for f in files if f.suffix.lower() in MIDI_SUFFIXES]
        if midi:
            event.acceptProposedAction()
            self.tabs.setCurrentIndex(2)
            self.generating.set_prime(midi[0])

    # --- settings and closing ---------------------------------------------------------
    def _restore(self) -> None:
        self.resize(QSize(1280, 800))
        geometry, state = self.settings.get("window/geometry"), self.settings.get("window/state")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        if not state.isEmpty():
            self.restoreState(state)
        self.playback.set_loop(self.settings.get("playback/loop"))
        self.playback.set_port(self.settings.get("playback/port"))
        self.playback.set_input(self.settings.get("playback/input"))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.set("window/state", self.saveState())
        self.settings.sync()
        self.midi_in.close()
        self.generating.stop(wait_ms=10_000)
        self.player.close()
        self.training.stop_all()  # a running training ends with a resumable checkpoint
        self.tuning.stop()  # a running tune ends with its tuned copy written
        for job in [self._warm_up, *self.library.jobs, *self.exports.jobs]:
            if job is not None:
                job.wait(30_000)
        event.accept()
