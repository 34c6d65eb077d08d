"""Which model the app starts with: the one the user chose last time, else a default.

A model the user selects is remembered (its card's path, in the settings). When the
first scan ends, that model is selected again if the library still holds it; otherwise
(a first start, or a model since deleted) the default of JSB Chorales, or of the first
data set that has one (:func:`musevae.train.defaults.startup_default`), so Generate works
at once. The automatic choice is not remembered: a better model shipped later becomes
the start for everyone who never chose one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from musevae.gui.library.session import LibrarySession
from musevae.gui.shell.settings import Settings

KEY = "library/model"


class StartupChoice(QObject):
    def __init__(
        self, session: LibrarySession, settings: Settings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.settings = session, settings
        self._chosen = False  # the first scan's choice is made
        self._choosing = False  # the selection changing now is the app's, not the user's
        session.changed.connect(self._on_changed)
        session.currentChanged.connect(self._remember)

    def _on_changed(self) -> None:
        s = self.session
        if self._chosen or not s.scanned:
            return
        self._chosen = True
        if s.current is not None:  # opened from disk before the scan ended
            return
        self._choosing = True
        try:
            remembered = self.settings.get(KEY)
            if remembered:
                s.select_path(Path(remembered))
            if s.current is None and s.startup is not None:
                s.select(s.startup)
        finally:
            self._choosing = False

    def _remember(self, entry: Any) -> None:
        if not self._choosing:
            self.settings.set(KEY, str(entry.card_path) if entry is not None else "")
