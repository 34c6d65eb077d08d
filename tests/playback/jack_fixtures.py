"""The private JACK server and a recording input, for every test folder that plays or
listens over JACK (tests/playback, tests/gui/playback, tests/gui/midi_in).

Registered once in tests/conftest.py (``pytest_plugins``), so the session has one server:
a test module that imported the fixture itself would get a second session fixture, and
its server, under the same name, would refuse to start ("server already active").
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

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
