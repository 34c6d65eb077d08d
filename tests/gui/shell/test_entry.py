"""``musevae`` alone opens the app; with a sub-command it stays a Qt-free CLI."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import REPO_ROOT

def _run(code: str, tmp_path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}  # fmt: skip
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO_ROOT, env=env, timeout=120)  # fmt: skip


def test_the_self_test_opens_the_window_and_loads_the_models(tmp_path):
    code = "import sys\nfrom musevae.__main__ import main\nsys.exit(main(['--self-test']))"
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    shipped = len(list((REPO_ROOT / "models").glob("*.json")))
    assert f"window shown, models loaded ({shipped} in the library" in result.stdout
    assert "Qt platform offscreen" in result.stdout


def test_a_sub_command_runs_the_cli_without_loading_qt(tmp_path):
    code = (
        "import sys\nfrom musevae.__main__ import main\ncode = main(['data', 'list'])\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')]\nsys.exit(code)\n"
    )
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "jsb" in result.stdout
