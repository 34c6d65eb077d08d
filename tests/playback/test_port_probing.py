"""Listing MIDI ports tries every back end; the ones nobody chose stay quiet. libjack
and alsa-lib print straight to file descriptor 2 ("jack server is not running or
cannot be started", "ALSA lib seq_hw.c ... failed"), which a user who never asked for
JACK should not see on every start."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import REPO_ROOT

NATIVE_NOISE = ("jack server is not running", "Cannot connect to server", "ALSA lib")


def _ports(**env: str) -> subprocess.CompletedProcess[str]:
    # a JACK server name that nothing serves, so a jackd that other tests started is not found
    environ = {**os.environ, "JACK_DEFAULT_SERVER": f"musevae-none-{os.getpid()}", **env}
    if "RTMIDI_API" not in env:
        environ.pop("RTMIDI_API", None)
    code = "from musevae.playback.ports import list_ports\nprint(list_ports())"  # as the app does
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=environ, cwd=REPO_ROOT)  # fmt: skip


def test_probing_every_back_end_prints_only_musevaes_own_notes() -> None:
    result = _ports()
    assert result.returncode == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith(NATIVE_NOISE)]
    assert "cannot use jack MIDI" in result.stdout  # musevae's own reason stays


def test_a_chosen_back_end_that_fails_is_reported() -> None:
    result = _ports(RTMIDI_API="jack")
    assert "cannot use jack MIDI" in result.stdout
