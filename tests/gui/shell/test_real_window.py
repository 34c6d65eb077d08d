"""The app on a real X server (Xvfb, Qt's xcb platform): the window appears, a
generation from a shipped model reaches the piano roll, and the screen shows it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.gui.xserver import qt_env, x_display  # noqa: F401  (fixture)
from tests.support import REPO_ROOT

SCRIPT = Path(__file__).parent.parent / "real_window.py"


def test_the_window_opens_on_x11_and_shows_a_generated_piece(x_display, tmp_path):  # noqa: F811
    shot = tmp_path / "window.png"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(REPO_ROOT / "models" / "srnn-jsb.json"), str(shot)],
        capture_output=True, text=True, timeout=300, cwd=REPO_ROOT,
        env=qt_env(x_display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(REPO_ROOT)),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb" and report["visible"]
    assert report["model"] == "srnn-jsb" and report["errors"] == []
    assert report["steps"] == 32 and report["notes"] > 0
    assert report["size"] == [1280, 800]
    assert report["colours"] > 50, "the screenshot is (nearly) blank"
    assert shot.stat().st_size > 10_000
