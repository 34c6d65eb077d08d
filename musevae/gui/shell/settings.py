"""What the app remembers between sessions (QSettings, organisation "musevae").

One typed table of keys with defaults, so a value of the wrong type left by an older
version (or a hand-edited file) reads as the default instead of breaking the app.
``changed(key)`` lets views follow a setting that another view changes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

ORGANISATION = "musevae"
APPLICATION = "musevae"

DEFAULTS: dict[str, Any] = {
    "playback/port": "",  # "" = the built-in sound
    "playback/input": "",  # "" = no MIDI input
    "midi_in/silence": 1.0,  # seconds of silence that end a phrase played
    "midi_in/bars": 4,  # the longest take Continue records
    "midi_in/count_in": 0,  # bars of metronome clicks before Continue records: 0, 1 or 2
    "midi_in/metronome": False,  # clicks on while Continue records
    "playback/tempo": 100.0,
    "playback/loop": False,
    "folders/data": "",  # "" = musevae's default data folder
    "folders/midi": "",  # last MIDI folder imported for training
    "folders/prime": "",
    "folders/melody": "",  # last folder a melody to harmonise came from
    "folders/export": "",
    "export/velocity": "fixed",  # a MIDI export's loudness: "fixed" or "confidence"
    "folders/models": "",
    "library/model": "",  # the card of the model last chosen; "" = a data set's default
    "data/mirror": "",  # base URL that replaces the benchmark server
    "train/device": "auto",
    "train/precision": "float32",  # or "bfloat16" where the hardware has it natively
    "window/geometry": QByteArray(),
    "window/state": QByteArray(),
}


class Settings(QObject):
    """Typed access to QSettings; ``store`` may be any QSettings (tests use an INI file)."""

    changed = Signal(str)

    def __init__(self, store: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store if store is not None else QSettings(ORGANISATION, APPLICATION)

    def get(self, key: str) -> Any:
        default = DEFAULTS[key]
        value = self._store.value(key, default)
        if isinstance(default, QByteArray):
            return value if isinstance(value, QByteArray) else default
        try:
            if isinstance(default, bool):
                return value if isinstance(value, bool) else str(value).lower() == "true"
            return type(default)(value)
        except (TypeError, ValueError):
            return default

    def set(self, key: str, value: Any) -> None:
        if key not in DEFAULTS:
            raise KeyError(f"unknown setting {key!r}")
        if self.get(key) == value:
            return
        self._store.setValue(key, value)
        self.changed.emit(key)

    def sync(self) -> None:
        self._store.sync()
