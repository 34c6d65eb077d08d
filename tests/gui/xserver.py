"""A real X server for the tests that need the xcb platform, not offscreen: Xvfb on a
display number it picks itself (``-displayfd``), so parallel runs never collide."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.support import skip_or_fail


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """``DISPLAY`` of a running Xvfb, 1280x800 in 24-bit colour."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        skip_or_fail("Xvfb is not installed (Debian: apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    with os.fdopen(read) as answer:
        number = answer.readline().strip()
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def qt_env(display: str | None, **extra: str) -> dict[str, str]:
    """The environment for a subprocess that opens (or tries to open) a window."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE")}  # fmt: skip
    if display is not None:
        env["DISPLAY"] = display
    return {**env, **extra}
