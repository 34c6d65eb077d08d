"""Can Qt open a window here? Asked before the ``QApplication`` exists.

Qt's own answer to a platform plugin that cannot load is an abort (exit code 134) with
"no Qt platform plugin could be initialized", which names neither the missing system
library nor the package that holds it. This module finds both, without starting Qt: it
works out which plugin Qt would load (``QT_QPA_PLATFORM``, else the session's display),
checks that a display is there to connect to, and asks the dynamic linker (``ldd``)
which of the plugin's libraries it cannot find.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package); everything Qt's wheels load from
# the system (readelf -d over PySide6's platform plugins, QtGui, QtWidgets, QtMultimedia)
SYSTEM_PACKAGES: dict[str, tuple[str, str]] = {
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libpulse.so.0": ("libpulse0", "pulseaudio-libs"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libz.so.1": ("zlib1g", "zlib"),
}
HEADLESS = {"offscreen", "minimal", "vnc", "linuxfb", "eglfs", "minimalegl", "vkkhrdisplay"}
_PLUGIN_FILES = {"wayland": ("qwayland", "qwayland-generic"), "xcb": ("qxcb",)}
REINSTALL_QT = "pip install --force-reinstall PySide6-Essentials PySide6-Addons"
NO_DISPLAY = (
    "musevae: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set): start it "
    "from a desktop session, set DISPLAY (X11, e.g. over ssh -X) or WAYLAND_DISPLAY, or "
    "check the install without a screen: QT_QPA_PLATFORM=offscreen musevae --self-test"
)


def platform_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why Qt could not open a window here, as a message for the user; None when it can.

    With several platforms asked for (``QT_QPA_PLATFORM="wayland;xcb"``) Qt takes the
    first that loads, so one that works is enough."""
    env = os.environ if environ is None else environ
    platforms = _wanted_platforms(env)
    if not platforms:
        return NO_DISPLAY
    problems = [_problem_with(name, env) for name in platforms]
    return None if None in problems else problems[0]


def library_message(what: str, missing: Sequence[str]) -> str:
    """The message for ``missing`` shared libraries: what they are, how to install them."""
    names = ", ".join(missing)
    system = [name for name in missing if not name.startswith("libQt6")]
    lines = [f"musevae cannot open its window: {what} needs libraries that are missing: {names}."]
    if system:
        debian = _unique(SYSTEM_PACKAGES.get(n, (f"<the package with {n}>", ""))[0] for n in system)
        fedora = _unique(SYSTEM_PACKAGES[n][1] if n in SYSTEM_PACKAGES else f"'{n}()(64bit)'"
                         for n in system)  # fmt: skip
        lines += [
            "Install them, then start musevae again:",
            f"  Debian/Ubuntu: sudo apt install {' '.join(debian)}",
            f"  Fedora:        sudo dnf install {' '.join(fedora)}",
        ]
    if len(system) < len(missing):
        lines.append(f"Qt's own libraries are incomplete; reinstall them: {REINSTALL_QT}")
    lines.append("The command line works without a window: musevae --help")
    return "\n".join(lines)


def missing_from_import_error(error: ImportError) -> list[str]:
    """The library named by an ImportError from a Qt module ("libEGL.so.1: cannot open...")."""
    return re.findall(r"([\w.+-]+\.so(?:\.\d+)*): cannot open shared object file", str(error))


def missing_libraries(path: Path) -> list[str]:
    """The shared libraries that ``path`` needs and the dynamic linker cannot find."""
    ldd = shutil.which("ldd")
    if ldd is None:  # no ldd (a minimal image): the first missing name, from dlopen itself
        import ctypes

        try:
            ctypes.CDLL(str(path))
        except OSError as error:
            return missing_from_import_error(ImportError(str(error)))
        return []
    result = subprocess.run([ldd, str(path)], capture_output=True, text=True, check=False)
    return _unique(re.findall(r"^\s*(\S+) => not found", result.stdout, flags=re.M))


def _wanted_platforms(env: Mapping[str, str]) -> list[str]:
    """The plugins Qt will try, in its order (``name:options`` loses its options)."""
    requested = env.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        return [part.split(":", 1)[0].strip() for part in requested.split(";") if part.strip()]
    if sys.platform == "darwin":
        return ["cocoa"]
    if sys.platform == "win32":
        return ["windows"]
    wayland = env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland"
    if not env.get("DISPLAY"):
        return ["wayland"] if env.get("WAYLAND_DISPLAY") else []
    return ["wayland", "xcb"] if wayland else ["xcb"]


def _problem_with(platform: str, env: Mapping[str, str]) -> str | None:
    display = _display_problem(platform, env)
    if display is not None:
        return display
    plugin = _plugin_file(platform, env)
    if plugin is None:
        if platform in HEADLESS or platform in ("cocoa", "windows"):
            return None  # built into the bundle or the platform; Qt reports it if not
        return (f'musevae cannot open its window: Qt has no "{platform}" platform plugin '
                f"here (QT_QPA_PLATFORM); try xcb, wayland or offscreen, or: {REINSTALL_QT}")  # fmt: skip
    if not sys.platform.startswith("linux"):
        return None
    missing = missing_libraries(plugin)
    return library_message(f'Qt\'s "{platform}" platform plugin', missing) if missing else None


def _display_problem(platform: str, env: Mapping[str, str]) -> str | None:
    if platform == "xcb":
        display = env.get("DISPLAY", "")
        if not display:
            return NO_DISPLAY
        if not _x_display_reachable(display):
            return (f"musevae: cannot connect to the X display {display!r} (DISPLAY): is the "
                    "X server running, and is this session allowed to use it?")  # fmt: skip
    if platform == "wayland":
        name = env.get("WAYLAND_DISPLAY", "wayland-0")
        runtime = env.get("XDG_RUNTIME_DIR", "")
        if not os.path.isabs(name) and not runtime:
            return (f"musevae: cannot connect to the Wayland display {name!r}: "
                    "XDG_RUNTIME_DIR, the folder of its socket, is not set")  # fmt: skip
        path = Path(runtime) / name
        if not path.exists():
            return (f"musevae: cannot connect to the Wayland display {name!r}: no socket at "
                    f"{path} (WAYLAND_DISPLAY, XDG_RUNTIME_DIR)")  # fmt: skip
    return None


def _x_display_reachable(display: str, timeout_s: float = 1.0) -> bool:
    """A connection to the X server of ``display`` (":1", "unix:1.0", "localhost:10.0")."""
    match = re.fullmatch(r"(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?", display)
    if match is None or "/" in match["host"]:
        return True  # a form we do not know (launchd's socket path on macOS): let Qt try
    host, number = match["host"], int(match["number"])
    if host and host != "unix":
        try:
            socket.create_connection((host, 6000 + number), timeout=timeout_s).close()
        except OSError:
            return False
        return True
    for address in (f"\0/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}"):  # abstract first
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
            unix.settimeout(timeout_s)
            try:
                unix.connect(address)
            except OSError:
                continue
            return True
    return False


def _plugin_file(platform: str, env: Mapping[str, str]) -> Path | None:
    """Where Qt will load ``platform`` from: the paths it searches, in its order."""
    folders = [Path(env["QT_QPA_PLATFORM_PLUGIN_PATH"])] if env.get("QT_QPA_PLATFORM_PLUGIN_PATH") else []
    folders += [Path(p) / "platforms" for p in env.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    from PySide6.QtCore import QLibraryInfo  # QtCore loads without any platform plugin

    folders.append(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms")
    stems = _PLUGIN_FILES.get(platform, (f"q{platform}",))
    names = [f"lib{stem}.so" for stem in stems] + [f"lib{stem}.dylib" for stem in stems]
    names += [f"{stem}.dll" for stem in stems]
    for folder in folders:
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
