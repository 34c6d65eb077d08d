"""The launcher pieces: icons in every size, a desktop entry, and the one-command
install for the current user (into a temporary XDG_DATA_HOME)."""

from __future__ import annotations

import configparser
import os
import subprocess

from PySide6.QtGui import QImage

from tests.support import REPO_ROOT

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
INSTALL = REPO_ROOT / "packaging" / "install-desktop-entry"


def read_entry(text: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str  # desktop keys are case-sensitive
    parser.read_string(text)
    return parser["Desktop Entry"]


def test_every_icon_size_is_there_and_square(qtbot):
    for size in ICON_SIZES:
        image = QImage(str(REPO_ROOT / f"resources/icons/hicolor/{size}x{size}/apps/musevae.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # drawn, not blank
    assert (REPO_ROOT / "resources/icons/musevae.svg").is_file()


def test_the_desktop_entry_launches_musevae_with_its_icon():
    entry = read_entry((REPO_ROOT / "packaging/musevae.desktop").read_text(encoding="utf-8"))
    assert (entry["Type"], entry["Exec"], entry["Icon"]) == ("Application", "musevae", "musevae")
    assert entry["Categories"].endswith(";") and entry["Terminal"] == "false"


def test_install_and_uninstall_for_the_current_user(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    program = "/opt/music apps/musevae"  # a path with a space is quoted in Exec
    subprocess.run([str(INSTALL), program], env=env, check=True, capture_output=True)
    entry = read_entry((tmp_path / "applications/musevae.desktop").read_text(encoding="utf-8"))
    assert entry["Exec"] == f'"{program}"' and entry["TryExec"] == program
    for size in ICON_SIZES:
        assert (tmp_path / f"icons/hicolor/{size}x{size}/apps/musevae.png").is_file()
    assert (tmp_path / "icons/hicolor/scalable/apps/musevae.svg").is_file()
    subprocess.run([str(INSTALL), "--uninstall"], env=env, check=True, capture_output=True)
    assert not (tmp_path / "applications/musevae.desktop").exists()
    assert not list(tmp_path.glob("icons/hicolor/*/apps/musevae.*"))
