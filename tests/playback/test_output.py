from __future__ import annotations

import pytest

from musevae.playback.output import MidiPortError, RecordingOutput


def test_messages_are_the_midi_bytes() -> None:
    out = RecordingOutput()
    out.note_on(0, 60, 100)
    out.note_off(9, 60)
    out.control(15, 64, 127)
    out.program(2, 40)
    # 0x90 | 0 = 144, 0x80 | 9 = 137, 0xB0 | 15 = 191, 0xC0 | 2 = 194
    assert out.messages() == [(144, 60, 100), (137, 60, 0), (191, 64, 127), (194, 40)]


def test_panic_sends_all_notes_off_on_each_channel() -> None:
    out = RecordingOutput()
    out.panic([0, 3])
    assert out.messages() == [(176, 123, 0), (179, 123, 0)]
    out.panic()
    assert len(out.messages()) == 2 + 16


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda o: o.note_on(16, 60, 1), "channel"),
        (lambda o: o.note_on(0, 128, 1), "note"),
        (lambda o: o.note_on(0, 60, 0), "velocity"),
        (lambda o: o.control(0, 200, 0), "controller"),
        (lambda o: o.program(0, -1), "program"),
    ],
)
def test_out_of_range_values_are_refused_before_sending(call, words: str) -> None:
    out = RecordingOutput()
    with pytest.raises(ValueError, match=words):
        call(out)
    assert out.messages() == []


def test_fail_after_behaves_like_an_unplugged_port() -> None:
    out = RecordingOutput(fail_after=2)
    out.note_on(0, 60, 1)
    out.note_on(0, 62, 1)
    with pytest.raises(MidiPortError):
        out.note_on(0, 64, 1)
    assert len(out.sent) == 2
