"""A MIDI keyboard in a process of its own, as a real one is: a JACK client with an
output port, driven over a pipe. The GUI tests use it because two rtmidi JACK clients
of one process, one closing while the app's worker thread lists ports, can crash
libjack (a segfault seen once in a whole-suite run), which no user's setup does."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.playback.jack import unique

_CHILD = """
import sys, rtmidi
midi = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name=sys.argv[1])
midi.open_virtual_port("out")
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() == "quit":
        break
    midi.send_message([int(b) for b in line.split()])
    print("sent", flush=True)
midi.close_port()
midi.delete()
"""


class RemoteKeyboard:
    """``send(*message)`` returns once the child has handed the message to JACK."""

    def __init__(self) -> None:
        self.client = unique("keys")
        self._child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, self.client], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env=os.environ.copy(),
        )  # fmt: skip
        self._expect("ready")

    def _expect(self, word: str) -> None:
        assert self._child.stdout is not None
        line = self._child.stdout.readline().strip()
        if line != word:
            raise RuntimeError(f"the keyboard process said {line!r}, not {word!r}")

    def send(self, *message: int) -> None:
        assert self._child.stdin is not None
        self._child.stdin.write(" ".join(map(str, message)) + "\n")
        self._child.stdin.flush()
        self._expect("sent")

    def unplug(self) -> None:
        if self._child.poll() is None:
            assert self._child.stdin is not None
            self._child.stdin.write("quit\n")
            self._child.stdin.flush()
            self._child.wait(timeout=10)
