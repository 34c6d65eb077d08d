from __future__ import annotations

import subprocess
import sys

from tests.support import REPO_ROOT


def test_playback_imports_without_qt_rtmidi_or_torch() -> None:
    """The core runs with no GUI and no MIDI system; playing a file needs no torch."""
    code = (
        "import sys\n"
        "import musevae.playback, musevae.playback.ports, musevae.playback.render\n"
        "import musevae.playback.record, musevae.cli.play, musevae.cli.ports\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'rtmidi', 'torch', 'pretty_midi'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)
