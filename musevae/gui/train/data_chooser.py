"""The Train tab's data box: a benchmark (fetched on request when missing), a folder
imported earlier, or a MIDI folder picked now, imported with progress and a report.

The list names each choice briefly, so the combo box shows it whole in the dock; what it
is (a benchmark's description, a folder's path) is its tooltip and the line below."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from musevae import paths
from musevae.gui.shell.dialogs import Dialogs
from musevae.gui.shell.settings import Settings
from musevae.gui.train.session import TrainSession

BENCHMARKS = ("jsb", "muse", "nottingham", "piano")


class DataChooser(QGroupBox):
    def __init__(
        self,
        session: TrainSession,
        settings: Settings,
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Data", parent)
        self.session, self.settings, self.dialogs = session, settings, dialogs
        self.combo = QComboBox()
        adjust = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        self.combo.setSizeAdjustPolicy(adjust)
        self.combo.setMinimumContentsLength(12)
        self.fetch_button = QPushButton("Fetch")
        self.folder_button = QPushButton("MIDI folder…")
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.report = QPlainTextEdit(readOnly=True)
        self.report.setVisible(False)
        self.report.setMaximumHeight(110)
        row = QHBoxLayout()
        row.addWidget(self.fetch_button)
        row.addWidget(self.folder_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.combo)
        layout.addLayout(row)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.report)
        layout.addStretch(1)
        self.combo.currentIndexChanged.connect(self._on_choice)
        self.fetch_button.clicked.connect(self.fetch_current)
        self.folder_button.clicked.connect(self.choose_folder)
        session.dataProgress.connect(self._on_progress)
        session.importReported.connect(self._on_report)
        session.datasetsChanged.connect(self.refresh)
        session.dataBusyChanged.connect(self._on_busy)
        session.midiFolderChanged.connect(self._on_folder)
        self.refresh()

    def data_dir(self) -> Path:
        return paths.data_dir(self.settings.get("folders/data") or None)

    def refresh(self) -> None:
        """Rebuild the list (after a fetch or import), keeping the current choice."""
        from musevae.data.folders import imported_names
        from musevae.data.registry import get_spec, is_present

        keep = self.combo.currentData()
        self.combo.blockSignals(True)
        self.combo.clear()
        data_dir = self.data_dir()
        for name in BENCHMARKS:
            label = name if is_present(name, data_dir) else f"{name} (not downloaded)"
            self._add(label, name, get_spec(name).description)
        for name in imported_names(data_dir):
            self._add(f"{name} (imported folder)", name, "a MIDI folder imported earlier")
        folder = self.session.midi_folder
        if folder is not None:
            self._add(f"{folder.name} (MIDI folder)", str(folder), f"MIDI folder {folder}")
        index = self.combo.findData(keep) if keep is not None else -1
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)
        self._on_choice()

    def _add(self, label: str, ref: str, about: str) -> None:
        """An item whose data is the dataset's ref (a name or a path)."""
        self.combo.addItem(label, ref)
        self.combo.setItemData(self.combo.count() - 1, about, Qt.ItemDataRole.ToolTipRole)

    def current_ref(self) -> str | None:
        return self.combo.currentData()

    def _missing(self) -> str | None:
        """The chosen benchmark's name when it is not in the data folder."""
        from musevae.data.registry import is_present

        ref = self.combo.currentData()
        if ref not in BENCHMARKS or is_present(ref, self.data_dir()):
            return None
        return ref

    def _on_choice(self, *_: Any) -> None:
        missing = self._missing()
        self.fetch_button.setEnabled(missing is not None)
        if missing:
            where = self.data_dir()
            self.status.setText(f"{missing} is not in {where}: press Fetch to download it.")
        else:
            about = self.combo.currentData(Qt.ItemDataRole.ToolTipRole) or ""
            self.status.setText(f"{about}. Data folder: {self.data_dir()}".lstrip(". "))

    def ready_to_train(self) -> bool:
        """False when the data is missing; offers to fetch it then."""
        missing = self._missing()
        if missing is None:
            return True
        question = f"{missing} is not downloaded yet. Fetch it now?"
        if self.dialogs.confirm("Dataset missing", question):
            self.fetch_current()
        return False

    # --- fetching and importing -----------------------------------------------------
    def fetch_current(self) -> None:
        missing = self._missing()
        if missing is not None:
            self.status.setText(f"Downloading {missing}…")
            self.session.fetch(missing, self.data_dir(), self.settings.get("data/mirror"))

    def choose_folder(self) -> None:
        start = self.settings.get("folders/midi")
        folder = self.dialogs.folder("Train on a folder of MIDI files", start)
        if folder is None:
            return
        self.settings.set("folders/midi", str(folder))
        self.session.import_folder(Path(folder), self.data_dir())

    def _on_folder(self, folder: Path | None) -> None:
        self.refresh()
        if folder is not None:
            self.combo.setCurrentIndex(self.combo.findData(str(folder)))
            self.status.setText(f"Reading the MIDI files in {folder}…")

    def _on_busy(self, busy: bool) -> None:
        self.bar.setVisible(busy)
        self.folder_button.setEnabled(not busy)
        self.fetch_button.setEnabled(not busy and self._missing() is not None)
        if busy:
            self.bar.setRange(0, 0)

    def _on_progress(self, what: str, done: int, total: int) -> None:
        self.bar.setVisible(True)
        self.bar.setRange(0, max(total, 0))  # 0..0: busy indicator when the size is unknown
        self.bar.setValue(done)
        amount = f"{done / 2**20:.1f} MiB" if what == "bytes" else f"{done} files"
        if total > 0:
            amount += f" of {total / 2**20:.1f} MiB" if what == "bytes" else f" of {total}"
        self.bar.setFormat(amount)

    def _on_report(self, report: Any) -> None:
        self.status.setText(report.summary())
        lines = [f"skipped {path}: {reason}" for path, reason in report.skipped]
        self.report.setPlainText("\n".join(lines) or "No file was skipped.")
        self.report.setVisible(True)
