"""The Library over a shelf of real tiny checkpoints in place of models/: each data set's
default is marked, the app starts with JSB's unless the user chose a model before, and
what the user chooses is what the next start selects."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QTreeWidgetItem

from musevae.gui.library.panel import LibraryPanel
from musevae.gui.library.session import LibrarySession
from musevae.gui.shell.notify import Notifier
from tests.gui.conftest import TIMEOUT_MS
from tests.gui.library.test_library_panel import _details
from tests.train.test_defaults import _model, _test

NADE = {"emission": "nade", "nade_hidden": 3}


@pytest.fixture()
def shelf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two JSB models (the NADE one fits best), one Nottingham model, one piano model
    without test metrics; and a run of yours that fits JSB better than any of them."""
    folder = tmp_path / "shelf"
    _model(folder / "a-jsb.json", "jsb", _test(-6.5, -6.7))
    _model(folder / "b-nade-jsb.json", "jsb", _test(-6.0, -6.0), **NADE)
    _model(folder / "c-nottingham.json", "nottingham", _test(-2.5, -2.6))
    _model(folder / "d-piano.json", "piano", {"valid_elbo": -7.0})
    _model(tmp_path / "runs" / "mine" / "model.json", "jsb", _test(-1.0, -1.0))
    monkeypatch.setattr("musevae.train.library.bundled_models_dir", lambda: folder)
    return folder


def _start(qtbot, tmp_path: Path, settings, dialogs) -> LibraryPanel:
    """A Library tab as the app starts it: built, then its first scan."""
    session = LibrarySession(Notifier(), tmp_path / "runs")
    panel = LibraryPanel(session, settings, dialogs)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(session.changed, timeout=TIMEOUT_MS):
        session.refresh()
    return panel


def _row(panel: LibraryPanel, name: str) -> QTreeWidgetItem:
    (found,) = [
        group.child(i)
        for group in map(panel.tree.topLevelItem, range(panel.tree.topLevelItemCount()))
        for i in range(group.childCount())
        if group.child(i).text(0).split()[0] == name
    ]
    return found


def test_each_sets_default_is_marked_and_jsbs_is_selected_at_the_first_start(
    qtbot, tmp_path, shelf, settings, dialogs
):
    panel = _start(qtbot, tmp_path, settings, dialogs)
    current = panel.session.current
    assert (current.name, current.origin) == ("b-nade-jsb", "shipped")
    assert panel.tree.currentItem() is _row(panel, "b-nade-jsb")
    assert settings.get("library/model") == ""  # the app's choice is not the user's
    marked = {name: _row(panel, name) for name in ("b-nade-jsb", "c-nottingham")}
    assert {n: (i.text(0), i.font(0).bold()) for n, i in marked.items()} == {
        "b-nade-jsb": ("b-nade-jsb  ★", True),
        "c-nottingham": ("c-nottingham  ★", True),
    }
    for name in ("a-jsb", "d-piano", "mine"):
        row = _row(panel, name)
        assert (row.text(0), row.font(0).bold()) == (name, False)
        assert "★" not in row.toolTip(0)
    hover = marked["b-nade-jsb"].toolTip(0).splitlines()
    why = "★ default for jsb: the shipped model with the best test log-likelihood, -6.000 nats"
    assert hover == [f"shipped with musevae: {shelf / 'b-nade-jsb.json'}", f"{why} per frame"]
    assert marked["b-nade-jsb"].text(1) == "RNN · NADE" and _row(panel, "a-jsb").text(1) == "RNN"
    details = _details(panel)
    assert details["emission:"].text() == "NADE (3 hidden, keys low-high)"
    assert details["test log-likelihood:"].text() == "-6.000 (exact)"  # an RNN's
    assert marked["b-nade-jsb"].text(3) == "-6.000"  # the column the defaults rank by
    assert "importance-sampling bound" in panel.tree.headerItem().toolTip(3)
    assert details["default for:"].text().startswith("jsb: the shipped model with the best ")


def test_the_model_the_user_chose_is_the_next_starts_and_a_deleted_one_falls_back(
    qtbot, tmp_path, shelf, settings, dialogs
):
    panel = _start(qtbot, tmp_path, settings, dialogs)
    panel.tree.setCurrentItem(_row(panel, "mine"))
    card = tmp_path / "runs" / "mine" / "model.json"
    assert settings.get("library/model") == str(card)
    assert "default for:" not in _details(panel)

    again = _start(qtbot, tmp_path, settings, dialogs)
    assert again.session.current.card_path == card  # not the default: the user chose

    for part in ("model.json", "model.safetensors"):
        (card.parent / part).unlink()
    card.parent.rmdir()
    third = _start(qtbot, tmp_path, settings, dialogs)
    assert third.session.current.name == "b-nade-jsb"


def test_without_a_jsb_default_the_first_set_with_one_is_selected(
    qtbot, tmp_path, shelf, settings, dialogs
):
    for path in shelf.glob("*-jsb.*"):
        path.unlink()
    panel = _start(qtbot, tmp_path, settings, dialogs)
    assert panel.session.current.name == "c-nottingham"


def test_the_app_starts_with_the_default_the_shipped_models_give(window):
    """The real window over the real models/: no model remembered (fresh settings), so
    the Library and the Generate tab start with the start-up default."""
    from musevae.train.defaults import startup_default
    from musevae.train.library import scan_shipped

    expected = startup_default(scan_shipped())
    assert expected is not None  # models/ ships models with test metrics
    current = window.library.current
    assert current is not None and current.card_path == expected.card_path
    assert window.library_panel.tree.currentItem().text(0) == expected.name + "  ★"
    assert window.generate_panel.buttons["Generate"].isEnabled()
    assert window.settings.get("library/model") == ""
