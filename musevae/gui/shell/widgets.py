"""Small widget makers the side panels share, so each field is built one way."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox


def spin(low: int, high: int, value: int, tip: str = "") -> QSpinBox:
    """A whole-number box from ``low`` to ``high`` holding ``value`` (clamped into range).

    The range is set before the value, so a value above QSpinBox's default 99 is kept.
    """
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    return box
