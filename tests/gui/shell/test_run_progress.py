"""The run-progress block the Train and Tune tabs share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel

from musevae.gui.shell.run_progress import RunProgress


def test_the_bar_the_line_and_the_folder(qtbot: Any, tmp_path: Path) -> None:
    block = RunProgress("Not training.")
    qtbot.addWidget(block)
    assert block.label.text() == "Not training." and block.run_label.text() == ""
    block.show_updates(30, 120, "running · update 30 of 120")
    assert (block.bar.minimum(), block.bar.maximum(), block.bar.value()) == (0, 120, 30)
    assert block.label.text() == "running · update 30 of 120"
    run = tmp_path / "jsb-srnn-20261204-190000"
    block.show_run("run", run)
    assert block.run_label.text() == "run: jsb-srnn-20261204-190000"
    assert block.run_label.toolTip() == str(run)
    block.show_run("run", None)  # a new run has no folder yet
    assert block.run_label.text() == "" and block.run_label.toolTip() == ""


def test_an_unknown_total_leaves_the_bar_empty_not_busy(qtbot: Any) -> None:
    block = RunProgress("Not tuning.")
    qtbot.addWidget(block)
    block.show_updates(0, 0, "Tuning idle.")
    assert (block.bar.maximum(), block.bar.value()) == (1, 0)  # 0..0 would be a busy bar


def test_added_lines_stand_between_the_status_line_and_the_folder(qtbot: Any) -> None:
    rates = QLabel("violations per step")
    block = RunProgress("Not tuning.", rates)
    qtbot.addWidget(block)
    layout = block.layout()
    order = [layout.itemAt(i).widget() for i in range(layout.count())]
    assert order == [block.bar, block.label, rates, block.run_label]
