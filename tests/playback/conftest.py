from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import skip_or_fail


@pytest.fixture(scope="session")
def jack_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private JACK server (dummy driver) for the session; its name is unique per run
    so parallel test runs never share one. Missing jackd or rtmidi-JACK fails in CI."""
    if shutil.which("jackd") is None:
        skip_or_fail("jackd is not installed (apt-get install --no-install-recommends jackd2)")
    try:
        import rtmidi
    except ImportError:
        skip_or_fail("python-rtmidi is not installed")
    if rtmidi.API_UNIX_JACK not in rtmidi.get_compiled_api():
        skip_or_fail("this python-rtmidi was built without JACK")
    from tests.playback import jack

    name = f"musevae-test-{os.getpid()}"
    with jack.server_env(name):
        log = tmp_path_factory.mktemp("jack") / "jackd.log"
        try:
            process = jack.start_server(name, log)
        except RuntimeError as error:
            skip_or_fail(str(error))
        try:
            yield name
        finally:
            jack.stop_server(process)


@pytest.fixture()
def recorder(jack_server: str) -> Iterator:
    from tests.playback.jack import Recorder

    recording = Recorder()
    yield recording
    recording.close()


@pytest.fixture()
def jack_output(recorder) -> Iterator:
    """A musevae rtmidi output on JACK, connected to ``recorder``."""
    from musevae.playback.ports import open_output
    from tests.playback.jack import unique

    output = open_output(recorder.port, api="jack", client_name=unique("player"))
    yield output
    output.close()


@pytest.fixture()
def midi_file(tmp_path: Path):
    """Write a roll as a .mid file in the test's folder."""
    from musevae.data.midi_io import write_midi

    def write(roll, name: str = "piece.mid") -> Path:
        path = tmp_path / name
        write_midi(roll, path)
        return path

    return write


@pytest.fixture()
def sparse_model():
    """An untrained RNN whose output bias makes about 4 of the 88 keys sound per step
    (sigmoid(-3) = 0.047), like real music; at p = 0.5 a test would send bursts of ~90
    messages, more than JACK's MIDI buffer holds per 256-frame period."""
    import torch

    from musevae.models import build_model

    torch.manual_seed(0)
    model = build_model("rnn", hidden=8)
    with torch.no_grad():
        model.emission.bias.fill_(-3.0)
    return model.eval()
