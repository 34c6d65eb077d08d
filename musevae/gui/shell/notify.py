"""Messages for the user, and the safety net that turns any error into one.

Errors never block the app: a :class:`Notifier` keeps every message (tests read them)
and announces it; the window shows it in the status bar and, for warnings and errors,
in a *non-modal* message box. ``install_excepthook`` routes unexpected exceptions (in a
slot, a paint event, a thread) to the same place, so a bug costs one action, not the
session and its unsaved music.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from musevae.errors import MusevaeError
from musevae.gui.shell.focus import on_close_give_back

INFO, WARNING, ERROR = "info", "warning", "error"


@dataclass(frozen=True)
class Message:
    level: str  # INFO, WARNING or ERROR
    title: str
    text: str
    detail: str = ""  # a traceback, for unexpected errors only


class Notifier(QObject):
    """Collects messages and emits ``posted(Message)``; safe to call from any thread."""

    posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.messages: list[Message] = []

    def post(self, level: str, title: str, text: str, detail: str = "") -> Message:
        message = Message(level, title, text, detail)
        self.messages.append(message)
        self.posted.emit(message)
        return message

    def info(self, title: str, text: str) -> Message:
        return self.post(INFO, title, text)

    def warning(self, title: str, text: str) -> Message:
        return self.post(WARNING, title, text)

    def error(self, title: str, error: BaseException | str) -> Message:
        """An error for the user: a MusevaeError's own words, anything else with a trace."""
        if isinstance(error, str):
            return self.post(ERROR, title, error)
        if isinstance(error, (MusevaeError, ValueError, OSError)):
            return self.post(ERROR, title, describe(error))
        detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        text = f"Unexpected {type(error).__name__}: {error}. The app goes on; please report it."
        return self.post(ERROR, title, text, detail)


def describe(error: BaseException) -> str:
    """One readable line for a user-facing error."""
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror}{where}"
    return str(error) or type(error).__name__


def show_popup(parent: QWidget, message: Message) -> QMessageBox:
    """A non-modal box (``open``, never ``exec``): the event loop and the music go on.
    Once it is closed the window is active again, with its focus and shortcuts."""
    icon = QMessageBox.Icon.Critical if message.level == ERROR else QMessageBox.Icon.Warning
    box = QMessageBox(icon, message.title, message.text, QMessageBox.StandardButton.Ok, parent)
    if message.detail:
        box.setDetailedText(message.detail)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(on_close_give_back(parent))
    box.open()
    return box


Hook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def install_excepthook(notifier: Notifier) -> Hook:
    """Show unexpected exceptions instead of aborting; returns the hook it replaced."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, tb)
            return
        traceback.print_exception(kind, error, tb)
        notifier.error("Unexpected error", error.with_traceback(tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
    return previous
