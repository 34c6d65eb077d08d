"""The keyboard strip drawn as a piano: white keys white with edges between them, black
keys dark and short, and C names in the app's text size, not a few pixels high."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFontMetricsF

from musevae.gui.roll.key_axis import KeyAxis
from musevae.gui.roll.keyboard import BLACK_SHARE, KeyboardWidget

MIDDLE_C = 39  # roll key of MIDI 60
E4, F4 = MIDDLE_C + 4, MIDDLE_C + 5


def drawn(qtbot, height: int = 880) -> tuple[KeyboardWidget, KeyAxis, object]:
    keys = KeyAxis()
    keyboard = KeyboardWidget(keys)
    qtbot.addWidget(keyboard)
    keyboard.resize(keyboard.sizeHint().width(), height)
    return keyboard, keys, keyboard.grab().toImage()


def lightness(image, x: float, y: float) -> int:
    return QColor(image.pixel(int(x), int(y))).lightness()


def test_white_keys_are_white_and_the_edges_between_them_are_drawn(qtbot):
    keyboard, keys, image = drawn(qtbot)  # 88 keys, 10 px a row
    width, black_end = keyboard.width(), keyboard.width() * BLACK_SHARE
    d4 = keys.row_top(MIDDLE_C + 2, 880)
    assert lightness(image, width * 0.3, d4 + 5) == 255  # a white key, left of the names
    c_sharp = keys.row_top(MIDDLE_C + 1, 880)
    assert lightness(image, 3, c_sharp + 5) < 80  # a black key
    assert lightness(image, black_end + 4, c_sharp + 5) < 235  # C and D meet behind C#
    assert lightness(image, black_end + 4, c_sharp + 2) == 255
    e_f = keys.row_top(E4, 880)  # F's row ends where E's begins: no black key between
    assert min(lightness(image, 3, e_f + dy) for dy in (-1, 0)) < 235
    assert lightness(image, 3, keys.row_top(F4, 880) + 5) == 255


def test_c_names_are_as_large_as_the_text_around_them(qtbot):
    keyboard, keys, image = drawn(qtbot, height=560)  # 88 keys at 1280 x 800: 6.4 px rows
    metrics = QFontMetricsF(keyboard.label_font())
    assert metrics.height() >= QFontMetricsF(keyboard.font()).height() >= 11
    assert keyboard.width() >= metrics.horizontalAdvance("C8") / (1 - BLACK_SHARE)
    # "C4" is drawn at the right, resting on middle C's row: dark pixels there
    bottom = keys.row_top(MIDDLE_C, 560) + keys.row_height(560)
    right = range(int(keyboard.width() * BLACK_SHARE), keyboard.width() - 2)
    rows = range(int(bottom - metrics.height()), int(bottom))
    dark = sum(lightness(image, x, y) < 140 for x in right for y in rows)
    assert dark > 15
