"""A long run's progress in a side panel: the bar, a line saying where the run stands,
any lines the panel adds, and the run folder's name.

The Train and Tune tabs show their runs the same way; the folder's name is elided so a
long one cannot widen the dock, and its full path is the tooltip."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from musevae.gui.shell.elided_label import ElidedLabel


class RunProgress(QWidget):
    """``lines`` stand between the status line and the folder's name, in that order."""

    def __init__(self, idle_text: str, *lines: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.label = QLabel(idle_text)
        self.label.setWordWrap(True)
        self.run_label = ElidedLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the rows line up with the panel's own
        for widget in (self.bar, self.label, *lines, self.run_label):
            layout.addWidget(widget)

    def show_updates(self, done: int, total: int, text: str) -> None:
        """``done`` of ``total`` updates on the bar (empty while the total is 0) and ``text``."""
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)
        self.label.setText(text)

    def show_run(self, caption: str, run: Path | str | None) -> None:
        """"``caption``: folder name", or nothing before a run has a folder."""
        self.run_label.setText("" if run is None else f"{caption}: {Path(run).name}")
        self.run_label.setToolTip("" if run is None else str(run))
