from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


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
