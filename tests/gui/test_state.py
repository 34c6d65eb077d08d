"""State objects: the time axis, settings, messages, and the library's file operations."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QByteArray, QSettings

from musevae.errors import CheckpointError
from musevae.gui.library.ops import card_summary, delete_run, is_user_run, rename_run, list_score
from musevae.gui.shell.notify import Notifier, install_excepthook
from musevae.gui.shell.settings import Settings
from musevae.gui.roll.timeline import MAX_PX_PER_STEP, TimeAxis
from musevae.paths import bundled_models_dir


def test_zoom_keeps_the_step_under_the_anchor_in_place(qtbot):
    axis = TimeAxis(px_per_step=4.0)
    axis.scroll_to(10.0)
    assert axis.step_at(200) == 60.0  # 10 + 200 / 4
    with qtbot.waitSignal(axis.changed):
        axis.zoom(2.0, anchor_x=200)
    assert axis.px_per_step == 8.0 and axis.step_at(200) == 60.0 and axis.first == 35.0
    assert axis.visible(400) == (35, 85)
    axis.zoom(1000.0)
    assert axis.px_per_step == MAX_PX_PER_STEP


def test_follow_scrolls_only_when_the_step_leaves_the_screen():
    axis = TimeAxis(px_per_step=10.0)  # 100 steps on 1000 px
    axis.follow(50, 1000)
    assert axis.first == 0.0
    axis.follow(150, 1000)
    assert axis.first == 140.0  # the step lands 10% from the left edge


def test_settings_round_trip_and_fall_back_on_bad_values(tmp_path, qtbot):
    path = str(tmp_path / "s.ini")
    settings = Settings(QSettings(path, QSettings.Format.IniFormat))
    with qtbot.waitSignal(settings.changed) as changed:
        settings.set("playback/tempo", 132.5)
    assert changed.args == ["playback/tempo"]
    settings.set("window/geometry", QByteArray(b"\x01\x02"))
    settings.sync()
    again = Settings(QSettings(path, QSettings.Format.IniFormat))
    assert again.get("playback/tempo") == 132.5
    assert again.get("window/geometry") == QByteArray(b"\x01\x02")
    raw = QSettings(path, QSettings.Format.IniFormat)
    raw.setValue("playback/tempo", "fast")  # a hand-edited file
    raw.sync()
    assert Settings(QSettings(path, QSettings.Format.IniFormat)).get("playback/tempo") == 100.0
    with pytest.raises(KeyError):
        settings.set("no/such", 1)


def test_user_errors_keep_their_words_and_bugs_carry_a_trace(qtbot):
    notifier = Notifier()
    user = notifier.error("Open", CheckpointError("model.json is damaged; train again"))
    assert (user.text, user.detail) == ("model.json is damaged; train again", "")
    try:
        {}["missing"]
    except KeyError as error:
        bug = notifier.error("Oops", error)
    assert bug.text.startswith("Unexpected KeyError") and "Traceback" in bug.detail
    assert [m.title for m in notifier.messages] == ["Open", "Oops"]


def test_the_excepthook_shows_unexpected_errors_instead_of_aborting(qtbot, capsys):
    notifier = Notifier()
    previous = install_excepthook(notifier)
    try:
        try:
            raise RuntimeError("a bug")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    assert notifier.messages[-1].text.startswith("Unexpected RuntimeError: a bug")
    assert "RuntimeError: a bug" in capsys.readouterr().err


def test_card_summary_shows_missing_facts_as_dashes():
    card = {"model": {"kind": "srnn"}, "dataset": {"name": "jsb"},
            "metrics": {"valid_elbo": -6.5, "test": {"elbo": {"frame_weighted": -6.25}}}}
    summary = card_summary(card)
    assert (summary["type"], summary["dataset"], summary["test ELBO"]) == ("SRNN", "jsb", "-6.250")
    assert card_summary({})["test ELBO"] == "—"
    assert summary["test log-likelihood"] == "—"
    card["metrics"]["test"] |= {"log_likelihood": {"frame_weighted": -6.1}, "samples": 100}
    assert card_summary(card)["test log-likelihood"] == "-6.100 (IS bound, K = 100)"
    assert list_score(card) == "-6.100"
    assert summary["emission"] == "Bernoulli"  # a card from before emissions


def test_card_summary_names_the_emission():
    card = {"model": {"kind": "rnn", "config": {"emission": "nade", "nade_hidden": 150,
                                                "key_order": "high-low"}}}  # fmt: skip
    summary = card_summary(card)
    assert summary["type"] == "RNN · NADE"
    assert summary["emission"] == "NADE (150 hidden, keys high-low)"


def test_only_the_users_runs_can_be_renamed_or_deleted(tmp_path):
    runs = tmp_path / "models"
    card = runs / "run-a" / "model.json"
    card.parent.mkdir(parents=True)
    card.write_text("{}")
    assert is_user_run(card, runs)
    assert not is_user_run(bundled_models_dir() / "jsb-srnn.json", runs)
    with pytest.raises(Exception, match="not one of your training runs"):
        delete_run(bundled_models_dir() / "jsb-srnn.json", runs)
    with pytest.raises(Exception, match="not a usable name"):
        rename_run(card, "../escape", runs)
    moved = rename_run(card, "run-b", runs)
    assert moved == runs / "run-b" / "model.json" and moved.is_file()
    (runs / "run-c").mkdir()
    with pytest.raises(Exception, match="already exists"):
        rename_run(moved, "run-c", runs)
    delete_run(moved, runs)
    assert not (runs / "run-b").exists()
