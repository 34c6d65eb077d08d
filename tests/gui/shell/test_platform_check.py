"""``musevae`` checks that Qt can open a window before it starts Qt: no display, an
unreachable display or a missing system library is one clear message and exit code 2,
never Qt's abort (exit code 134) with a message that names no library."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from musevae.gui.shell import platform_check
from musevae.gui.shell.platform_check import library_message, platform_problem
from tests.gui.xserver import qt_env, x_display  # noqa: F401  (fixture)
from tests.support import REPO_ROOT, skip_or_fail

QT_ABORT = "no Qt platform plugin could be initialized"
HIDDEN = ("libxcb-icccm.so.4", "libxcb-keysyms.so.1")  # the two a fresh Debian lacked


def _musevae(env: dict[str, str], *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-m", "musevae", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env,
                          cwd=REPO_ROOT)  # fmt: skip


@pytest.mark.parametrize("args", [(), ("--self-test",)])
def test_no_display_is_one_line_and_exit_code_2(args: tuple[str, ...]) -> None:
    result = _musevae(qt_env(None), *args)
    assert result.returncode == 2
    assert result.stderr.strip() == platform_check.NO_DISPLAY
    assert "QT_QPA_PLATFORM=offscreen musevae --self-test" in result.stderr


def test_an_unreachable_x_display_is_named(tmp_path: Path) -> None:
    result = _musevae(qt_env(":987"))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("musevae: cannot connect to the X display ':987'")


def test_the_message_names_libraries_and_packages_for_debian_and_fedora() -> None:
    message = library_message('Qt\'s "xcb" platform plugin', ["libxcb-cursor.so.0", "libfoo.so.3"])
    assert message.splitlines() == [
        'musevae cannot open its window: Qt\'s "xcb" platform plugin needs libraries that '
        "are missing: libxcb-cursor.so.0, libfoo.so.3.",
        "Install them, then start musevae again:",
        "  Debian/Ubuntu: sudo apt install libxcb-cursor0 <the package with libfoo.so.3>",
        "  Fedora:        sudo dnf install xcb-util-cursor 'libfoo.so.3()(64bit)'",
        "The command line works without a window: musevae --help",
    ]


def test_qts_own_missing_library_asks_for_a_reinstall_of_pyside() -> None:
    message = library_message("Qt", ["libQt6XcbQpa.so.6"])
    assert "apt" not in message and platform_check.REINSTALL_QT in message


def test_a_headless_platform_needs_no_display() -> None:
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert platform_problem({"QT_QPA_PLATFORM": "nosuch;offscreen"}) is None  # Qt takes the 2nd


def test_a_real_x_display_is_fine(x_display: str) -> None:  # noqa: F811
    assert platform_problem({"DISPLAY": x_display}) is None


def _hiding(libraries: tuple[str, ...], tmp_path: Path) -> tuple[str, ...]:
    """A command prefix that runs its command with ``libraries`` gone from the system
    library folder: a private mount namespace with an overlay of whiteouts on it."""
    if shutil.which("unshare") is None:
        skip_or_fail("unshare (util-linux) is not installed")
    plugin = Path(platform_check._plugin_file("xcb", {}) or "")
    found = re.search(rf"{re.escape(libraries[0])} => (\S+)", subprocess.run(
        ["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout)  # fmt: skip
    if found is None:
        skip_or_fail(f"{libraries[0]} is not installed, so it cannot be hidden")
    folder = Path(found[1]).resolve().parent
    upper, work = tmp_path / "upper", tmp_path / "work"
    upper.mkdir(), work.mkdir()
    whiteouts = " && ".join(f"{{ [ -e {upper / n} ] || mknod {upper / n} c 0 0; }}" for n in libraries)
    script = (f'{whiteouts} && mount -t overlay overlay -o lowerdir={folder},upperdir={upper},'
              f'workdir={work} {folder} && exec "$@"')  # fmt: skip
    probe = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", "true"],
                           capture_output=True, text=True)  # fmt: skip
    if probe.returncode != 0:
        skip_or_fail(f"cannot hide libraries here (needs root and mount namespaces): {probe.stderr}")
    return ("unshare", "-m", "sh", "-c", script, "sh")


def test_a_missing_system_library_really_breaks_qt_and_is_named(x_display: str, tmp_path: Path) -> None:  # noqa: F811
    prefix = _hiding(HIDDEN, tmp_path)
    env = qt_env(x_display)
    plain_qt = subprocess.run(
        [*prefix, sys.executable, "-c", "from PySide6.QtWidgets import QApplication\nQApplication([])"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert plain_qt.returncode != 0 and QT_ABORT in plain_qt.stderr  # the simulation is real
    for args in [(), ("--self-test",)]:
        result = _musevae(env, *args, prefix=prefix)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == library_message('Qt\'s "xcb" platform plugin', list(HIDDEN))
        assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in result.stderr
        assert "sudo dnf install xcb-util-wm xcb-util-keysyms" in result.stderr


def test_with_the_libraries_the_self_test_passes_on_x11(x_display: str) -> None:  # noqa: F811
    result = _musevae(qt_env(x_display), "--self-test")
    assert result.returncode == 0, result.stderr
    assert "Qt platform xcb" in result.stdout
