"""Keeping the keyboard focus where a person expects it.

Qt passes the focus of a widget that gets disabled along the tab chain, and after Start
or Generate that chain led into the transport's tempo box, with its text selected: the
next key typed changed the tempo. And a closed dialog left no window active, so the
window's shortcuts (Ctrl+G, Ctrl+O) did nothing until it was clicked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


def set_enabled(states: Mapping[QWidget, bool], focus_to: QWidget) -> None:
    """Apply ``states`` (widget -> enabled); a widget being disabled while it holds the
    focus hands it to ``focus_to`` (enabled first), not to the next one in the chain."""
    for widget, enabled in states.items():
        if enabled:
            widget.setEnabled(True)
    focus = QApplication.focusWidget()
    leaving = [widget for widget, enabled in states.items() if not enabled]
    holds = focus is not None and any(w is focus or w.isAncestorOf(focus) for w in leaving)
    if holds and focus_to.isEnabled() and focus_to not in leaving:
        focus_to.setFocus(Qt.FocusReason.OtherFocusReason)
    for widget in leaving:
        widget.setEnabled(False)


@contextmanager
def focus_returns(parent: QWidget | None) -> Iterator[None]:
    """Around a modal dialog: afterwards ``parent``'s window is active again and the
    widget that had the focus has it back."""
    focus = QApplication.focusWidget()
    try:
        yield
    finally:
        give_back(parent, focus)


def give_back(parent: QWidget | None, focus: QWidget | None) -> None:
    """Activate ``parent``'s window and give ``focus`` its focus back (if still usable)."""
    window = parent.window() if parent is not None and shiboken6.isValid(parent) else None
    if window is None or not window.isVisible():
        return
    window.activateWindow()
    if focus is not None and shiboken6.isValid(focus) and focus.isEnabled():
        if focus.isVisible() and focus.window() is window:
            focus.setFocus(Qt.FocusReason.ActiveWindowFocusReason)


def on_close_give_back(parent: QWidget) -> Callable[..., None]:
    """A slot for a non-modal box's ``finished``: the window and its focus come back."""
    focus = QApplication.focusWidget()
    return lambda *_: give_back(parent, focus)
