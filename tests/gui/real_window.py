"""Run by test_real_window.py in a subprocess on a real X server (the xcb platform):
open the app's window, generate from a shipped model, and screenshot the screen.

    python tests/gui/real_window.py MODEL_CARD SHOT.png   -> one JSON line on stdout

The screenshot comes from the X server's own framebuffer (``QScreen.grabWindow(0)``),
not from Qt painting into an image, so it shows what a person would see.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtGui import QImage

from musevae.gui.shell.app import application, create_window
from musevae.gui.shell.settings import Settings

TIMEOUT_MS = 120_000
STEPS = 32


def wait(signal: object, check: object = None) -> None:
    loop, fired = QEventLoop(), []

    def on_signal(*values: object) -> None:
        if check is None or check(*values):  # type: ignore[operator]
            fired.append(values)
            loop.quit()

    signal.connect(on_signal)  # type: ignore[attr-defined]
    QTimer.singleShot(TIMEOUT_MS, loop.quit)
    loop.exec()
    signal.disconnect(on_signal)  # type: ignore[attr-defined]
    if not fired:
        raise SystemExit(f"timed out waiting for {signal}")


def settle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(card: Path, shot: Path) -> int:
    app = application()
    settings = Settings(QSettings(str(shot.with_suffix(".ini")), QSettings.Format.IniFormat))
    window = create_window(settings=settings, popups=False)
    window.resize(1280, 800)
    window.show()
    wait(window.ready)
    window.library.select_path(card)
    panel = window.generate_panel
    window.tabs.setCurrentIndex(2)
    panel.steps.setValue(STEPS)
    panel.candidates.setValue(1)
    panel.random_seed.setChecked(False)
    panel.seed.setValue(3)
    panel.buttons["Generate"].click()
    wait(window.generating.busyChanged, lambda busy: not busy)
    window.roll_panel._fit()
    settle(500)  # let the X server draw the last frame
    image = app.primaryScreen().grabWindow(0).toImage()
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    image.save(str(shot), "PNG")
    colours = {image.pixel(x, y) for x in range(0, image.width(), 4)
               for y in range(0, image.height(), 4)}  # fmt: skip
    errors = [m.text for m in window.notifier.messages if m.level == "error"]
    report = {
        "platform": app.platformName(),
        "visible": window.isVisible(),
        "model": window.library.current.name if window.library.current else None,
        "steps": window.generation.steps,
        "notes": int(window.generation.notes().sum()),
        "colours": len(colours),
        "size": [image.width(), image.height()],
        "errors": errors,
    }
    window.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
