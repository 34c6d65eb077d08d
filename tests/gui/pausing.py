"""The pause check the Train and Tune tabs share: Pause blocks the worker (no update
arrives while it waits), the button then reads Continue, and Continue lets updates come."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPushButton

from tests.gui.conftest import TIMEOUT_MS


def pause_then_continue(session: Any, pause: QPushButton, qtbot: Any) -> None:
    """``session`` is a running Train or Tune session; ``pause`` its panel's Pause button."""
    pause.click()
    qtbot.waitUntil(lambda: session.status == "paused" and session.job.blocked, timeout=TIMEOUT_MS)
    qtbot.wait(50)  # deliver what the worker emitted before it blocked
    updates = session.updates
    qtbot.wait(300)  # the worker waits on its condition: no update arrives
    assert session.updates == updates and session.job.blocked
    assert pause.text() == "Continue"
    pause.click()
    qtbot.waitUntil(lambda: session.updates > updates, timeout=TIMEOUT_MS)
