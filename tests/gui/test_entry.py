"""``musevae`` alone opens the app; with a sub-command it stays a Qt-free CLI."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import REPO_ROOT

OPEN_AND_QUIT = """
import sys
from PySide6.QtWidgets import QApplication
import musevae.gui.app as app

made = app.create_window
def create_window(**options):
    window = made(**options)
    window.ready.connect(lambda: (print("READY", window.windowTitle(), window.isVisible()),
                                  QApplication.quit()))
    return window
app.create_window = create_window  # watch the real window; everything else is real
from musevae.__main__ import main
sys.exit(main([]))
"""


def _run(code: str, tmp_path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}  # fmt: skip
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO_ROOT, env=env, timeout=120)  # fmt: skip


def test_no_arguments_open_the_window_and_load_the_models(tmp_path):
    result = _run(OPEN_AND_QUIT, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "READY musevae True" in result.stdout


def test_a_sub_command_runs_the_cli_without_loading_qt(tmp_path):
    code = (
        "import sys\nfrom musevae.__main__ import main\ncode = main(['data', 'list'])\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')]\nsys.exit(code)\n"
    )
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "jsb" in result.stdout
