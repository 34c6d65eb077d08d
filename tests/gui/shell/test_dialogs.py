"""Dialogs.open_file_in: a file question that starts in, and then remembers, a folder."""

from __future__ import annotations

from pathlib import Path

from musevae.gui.shell.dialogs import MIDI_FILTER, Dialogs
from musevae.gui.shell.settings import Settings


class _Answering(Dialogs):
    """The real Dialogs but for the modal file picker: it answers ``answer`` and keeps
    the folder each question started in."""

    def __init__(self, answer: Path | None) -> None:
        super().__init__(None)
        self.answer = answer
        self.starts: list[str] = []

    def open_file(self, title: str, start: str, filters: str) -> Path | None:
        self.starts.append(start)
        return self.answer


def test_the_question_starts_in_the_saved_folder_and_saves_the_chosen_one(
    settings: Settings, tmp_path: Path
) -> None:
    settings.set("folders/prime", str(tmp_path / "last time"))
    chosen = tmp_path / "this time" / "tune.mid"
    dialogs = _Answering(chosen)
    assert dialogs.open_file_in(settings, "folders/prime", "Prime", MIDI_FILTER) == chosen
    assert dialogs.starts == [str(tmp_path / "last time")]
    assert settings.get("folders/prime") == str(tmp_path / "this time")


def test_a_cancelled_question_keeps_the_saved_folder(settings: Settings, tmp_path: Path) -> None:
    settings.set("folders/models", str(tmp_path))
    assert _Answering(None).open_file_in(settings, "folders/models", "Open", MIDI_FILTER) is None
    assert settings.get("folders/models") == str(tmp_path)
