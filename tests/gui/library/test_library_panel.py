"""The Library tab with checkpoints of one name from three origins, a renamed pair and a
damaged file opened from disk: what it lists, how it tells them apart, what it says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from musevae.gui.library.ops import hover_text, labels
from musevae.gui.library.session import LibrarySession
from musevae.gui.shell.notify import ERROR, WARNING, Notifier
from musevae.gui.library.panel import LibraryPanel
from musevae.train.defaults import reason
from tests.gui.conftest import TIMEOUT_MS


def _copy_pair(card: Path, folder: Path, stem: str, *, names_itself: bool) -> Path:
    """``card`` and its weights copied to ``folder/stem.*``; the card names its weights
    ``stem.safetensors`` if ``names_itself``, else still ``model.safetensors`` (a pair
    renamed by hand)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(card.with_suffix(".safetensors"), folder / f"{stem}.safetensors")
    data = json.loads(card.read_text())
    if names_itself:
        data["weights"]["file"] = f"{stem}.safetensors"
    (folder / f"{stem}.json").write_text(json.dumps(data))
    return folder / f"{stem}.json"


@pytest.fixture()
def panel(qtbot, tmp_path, tiny_model, settings, dialogs, monkeypatch):
    """A Library tab over: shipped "tiny", your run "tiny", nothing opened yet."""
    shelf, runs = tmp_path / "shelf", tmp_path / "runs"
    _copy_pair(tiny_model, shelf, "tiny", names_itself=True)
    (runs / "tiny").mkdir(parents=True)
    for part in ("model.json", "model.safetensors"):
        shutil.copy(tiny_model.parent / part, runs / "tiny" / part)
    monkeypatch.setattr("musevae.train.library.bundled_models_dir", lambda: shelf)
    session = LibrarySession(Notifier(), runs)
    widget = LibraryPanel(session, settings, dialogs)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(session.changed, timeout=TIMEOUT_MS):
        session.refresh()
    return widget


def _rows(panel: LibraryPanel) -> dict[str, list[tuple[str, str, str]]]:
    """Group title -> (shown name, column 1, hover text) of each row."""
    tree, rows = panel.tree, {}
    for g in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(g)
        items = [group.child(i) for i in range(group.childCount())]
        rows[group.text(0)] = [(i.text(0), i.text(1), i.toolTip(0)) for i in items]
        assert all(i.toolTip(c) == i.toolTip(0) for i in items for c in range(4))  # every column
    return rows


def _open(panel: LibraryPanel, dialogs, qtbot, path: Path) -> None:
    dialogs.script("open_file", path)
    with qtbot.waitSignal(panel.session.changed, timeout=TIMEOUT_MS):
        panel.buttons["Open checkpoint…"].click()


def _details(panel: LibraryPanel) -> dict[str, QLabel]:
    """The details form: row label -> its field."""
    form, found = panel.details, {}
    for row in range(1, form.rowCount()):  # row 0 is the name
        label = form.itemAt(row, form.ItemRole.LabelRole).widget()
        found[label.text()] = form.itemAt(row, form.ItemRole.FieldRole).widget()
    return found


def test_a_damaged_checkpoint_opened_from_disk_is_listed_with_its_problem(
    panel, dialogs, qtbot, tmp_path, tiny_model
):
    card = _copy_pair(tiny_model, tmp_path / "downloads", "tiny", names_itself=True)
    weights = bytearray(card.with_suffix(".safetensors").read_bytes())
    weights[-3] ^= 0xFF  # a flipped byte in the last tensor: the header still parses
    card.with_suffix(".safetensors").write_bytes(bytes(weights))
    before = panel.session.current
    _open(panel, dialogs, qtbot, card)
    rows = _rows(panel)
    assert "Opened" not in rows and panel.session.current is before  # not offered, not chosen
    ((name, problem, hover),) = rows["Cannot be used"]
    assert name == "tiny (opened)" and "checksum differs" in problem
    assert hover.startswith(f"opened from disk: {card}\n") and "checksum differs" in hover
    message = panel.session.notifier.messages[-1]
    assert (message.level, message.title) == (ERROR, "Cannot use tiny")


def test_models_of_one_name_are_told_apart_by_origin_and_path(
    panel, dialogs, qtbot, tmp_path, tiny_model
):
    renamed = _copy_pair(tiny_model, tmp_path / "elsewhere", "tiny", names_itself=False)
    _open(panel, dialogs, qtbot, renamed)
    shelf, runs = tmp_path / "shelf" / "tiny.json", tmp_path / "runs" / "tiny" / "model.json"
    rows = _rows(panel)
    notice = (
        "tiny.json names its weights model.safetensors, which is not beside it; "
        "tiny.safetensors, the file with the card's name, is used instead"
    )
    why = f"★ default for toy: {reason(panel.session.defaults['toy'])}"  # the toy set's only
    shipped = f"shipped with musevae: {shelf}\n{why}"
    assert rows == {
        "Shipped": [("tiny (shipped)  ★", "RNN", shipped)],
        "Yours": [("tiny (yours)", "RNN", f"your training run: {runs}")],
        "Opened": [("tiny (opened)", "RNN", f"opened from disk: {renamed}\n{notice}")],
    }
    current = panel.session.current  # the opened one, selected, with what was done said
    assert (current.origin, current.card_path) == ("opened", renamed)
    message = panel.session.notifier.messages[-1]
    assert (message.level, message.text) == (WARNING, notice)
    details = _details(panel)
    assert (details["origin:"].text(), details["note:"].text()) == ("opened from disk", notice)
    assert details["card:"].toolTip() == str(renamed)  # elided text, the full path on hover

    panel.tree.setCurrentItem(panel.tree.topLevelItem(0).child(0))
    assert panel.session.current.origin == "shipped"
    details = _details(panel)
    assert details["origin:"].text() == "shipped with musevae" and "note:" not in details


def test_labels_add_the_origin_only_to_shared_names():
    items = [("tiny", "shipped"), ("bach", "yours"), ("tiny", "opened")]
    assert labels(items) == ["tiny (shipped)", "bach", "tiny (opened)"]
    assert hover_text("yours", Path("/m/r/model.json"), "", "a note") == (
        "your training run: /m/r/model.json\na note"
    )
