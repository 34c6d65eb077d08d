"""Fixtures for the GUI tests: a window with scripted dialogs and its own settings file,
a tiny trained model, a small folder of MIDI files. Everything lives in tmp_path."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from musevae.data.folders import split_of
from musevae.data.import_options import ImportOptions
from musevae.data.midi_io import write_midi
from musevae.gui.shell.dialogs import Dialogs
from musevae.gui.shell.refcount_guard import guard_singletons
from musevae.gui.shell.settings import Settings
from tests.gui.pieces import chord_piece

TIMEOUT_MS = 60_000  # generous: the 2-core CI machine is shared
guard_singletons()  # as the app does at start (PySide6 6.12 on Python < 3.12)


class ScriptedDialogs(Dialogs):
    """Answers the app's questions from a script instead of a person: ``answers`` holds
    one queue per kind of question (open_file, save_file, folder, text, confirm). A
    save_file answer is a path (the filter offered is taken) or a (path, filter) pair;
    ``offered`` keeps each save dialog's (filters, filter offered)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.answers: dict[str, deque[Any]] = {}
        self.asked: list[tuple[str, str]] = []
        self.offered: list[tuple[str, str]] = []

    def script(self, kind: str, *answers: Any) -> None:
        self.answers.setdefault(kind, deque()).extend(answers)

    def _answer(self, kind: str, title: str) -> Any:
        self.asked.append((kind, title))
        queue = self.answers.get(kind)
        if not queue:
            raise AssertionError(f"the app asked an unscripted {kind} question: {title!r}")
        return queue.popleft()

    def open_file(self, title: str, start: str, filters: str) -> Path | None:
        return self._answer("open_file", title)

    def save_file(
        self, title: str, start: str, filters: str, selected: str = ""
    ) -> tuple[Path, str] | None:
        self.offered.append((filters, selected))
        answer = self._answer("save_file", title)
        if answer is None or isinstance(answer, tuple):
            return answer
        return Path(answer), selected or filters.split(";;")[0]

    def folder(self, title: str, start: str) -> Path | None:
        return self._answer("folder", title)

    def text(self, title: str, label: str, value: str) -> str | None:
        return self._answer("text", title)

    def confirm(self, title: str, question: str) -> bool:
        return self._answer("confirm", title)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture()
def dialogs() -> ScriptedDialogs:
    return ScriptedDialogs()


@pytest.fixture()
def window(qtbot: Any, settings: Settings, dialogs: ScriptedDialogs) -> Any:
    """The main window, shown offscreen, with its models loaded (torch imported)."""
    from musevae.gui.shell.app import create_window

    main = create_window(settings=settings, dialogs=dialogs, popups=False)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=TIMEOUT_MS):
        main.show()
    yield main
    main.close()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny RNN trained for two short epochs; returns its model card."""
    from musevae.train.trainer import train
    from tests.train.toy import quick_config, tiny_sizes, toy_dataset

    out = tmp_path_factory.mktemp("tiny-model")
    for _ in train("rnn", tiny_sizes("rnn"), toy_dataset(), quick_config(), out):
        pass
    return out / "model.json"


@dataclasses.dataclass(frozen=True)
class MidiFolder:
    path: Path
    garbage: str  # the file name of the one unreadable file


@pytest.fixture()
def midi_folder(tmp_path: Path) -> MidiFolder:
    """Small MIDI files, as many as it takes for every split to get one (a file's split
    is a hash of its bytes), and one garbage ``.mid``."""
    folder = tmp_path / "midi"
    folder.mkdir()
    counts = dict.fromkeys(("train", "valid", "test"), 0)
    for i in range(200):
        path = folder / f"piece{i:03d}.mid"
        write_midi(chord_piece(i % 13 - 6, 20 + i % 17), path)
        split = split_of(hashlib.sha256(path.read_bytes()).hexdigest(), ImportOptions())
        counts[split] += 1
        if counts["train"] >= 4 and counts["valid"] and counts["test"]:
            break
    (folder / "broken.mid").write_bytes(b"this is not a MIDI file at all")
    return MidiFolder(folder, "broken.mid")
