"""Starting the desktop app: ``musevae`` with no arguments ends up in :func:`run`.

The window is shown before torch is imported: the models load in the worker while the
person already sees the app (``MainWindow.start_loading``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from musevae import __version__
from musevae.gui.shell.main_window import MainWindow
from musevae.gui.shell.notify import install_excepthook
from musevae.gui.shell.refcount_guard import guard_singletons
from musevae.gui.shell.settings import APPLICATION, ORGANISATION

LOAD_DELAY_MS = 50
RESOURCES = Path(__file__).resolve().parents[3] / "resources"  # the repository root


def resources_dir() -> Path:
    """``resources/`` beside the package (or inside a PyInstaller bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) / "resources" if bundle else RESOURCES


def application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (made once), named so QSettings land under "musevae"."""
    guard_singletons()  # before the first paint: see refcount_guard
    os.environ.setdefault("JACK_NO_START_SERVER", "1")  # listing MIDI ports starts no server
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv if argv is not None else sys.argv[:1]))
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("musevae")
    icon = resources_dir() / "icons" / "musevae.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    style = resources_dir() / "styles" / "musevae.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app  # type: ignore[return-value]


def create_window(**options: object) -> MainWindow:
    """The main window with the unexpected-error hook installed; models load once shown."""
    window = MainWindow(**options)  # type: ignore[arg-type]
    install_excepthook(window.notifier)
    # a moment after the first show, so the first paint is not queued behind torch's import
    window.shown.connect(lambda: QTimer.singleShot(LOAD_DELAY_MS, window.start_loading))
    return window


def run(argv: Sequence[str] | None = None) -> int:
    app = application(argv)
    window = create_window()
    window.show()
    return app.exec()


def self_test(argv: Sequence[str] | None = None, timeout_s: float = 120.0) -> int:
    """Open the window, wait until the models have loaded (or the first error), report
    and quit: 0 when the app works here. For packagers (a built bundle finds its Qt
    plugins, torch and models) and for the tests; QT_QPA_PLATFORM=offscreen on a server."""
    app = application(argv)
    window = create_window(popups=False)
    outcome: list[str] = []

    def ready() -> None:
        library = window.library
        outcome.append(
            f"musevae {__version__}: window shown, models loaded "
            f"({len(library.entries)} in the library, {len(library.problems)} unusable); "
            f"Qt platform {app.platformName()}"
        )
        app.quit()

    window.ready.connect(ready)
    window.notifier.posted.connect(lambda message: message.level == "error" and app.quit())
    QTimer.singleShot(int(timeout_s * 1000), app.quit)
    window.show()
    app.exec()
    errors = [m for m in window.notifier.messages if m.level == "error"]
    window.close()
    for message in errors:
        print(f"error: {message.title}: {message.text}", file=sys.stderr)
    if not outcome and not errors:
        print(f"the models did not load within {timeout_s:.0f} s", file=sys.stderr)
    print(outcome[0] if outcome else "self-test failed")
    return 0 if outcome and not errors else 1
