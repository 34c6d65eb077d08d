from __future__ import annotations

import pytest

from musevae.playback.output import RecordingOutput
from musevae.playback.voices import Voices, VoicesClosed


def test_change_sends_offs_first_and_leaves_held_notes_alone() -> None:
    out = RecordingOutput()
    voices = Voices(out)
    voices.change(0, [60, 64], 90)
    voices.change(0, [64, 67], 90)  # 60 ends, 64 is held, 67 starts
    assert out.messages() == [(144, 60, 90), (144, 64, 90), (128, 60, 0), (144, 67, 90)]
    assert voices.sounding() == {0: {64, 67}}


def test_release_turns_off_every_note_and_clears_every_channel_used() -> None:
    out = RecordingOutput()
    voices = Voices(out)
    voices.change(1, [50], 70)
    voices.change(4, [70, 72], 70)
    voices.change(1, [], 70)  # channel 1 is silent now but was used
    out.sent.clear()
    assert voices.release() is None
    assert out.messages() == [(132, 70, 0), (132, 72, 0), (177, 123, 0), (180, 123, 0)]
    assert voices.sounding() == {}


def test_release_keeps_going_after_a_failed_send_and_returns_the_error() -> None:
    out = RecordingOutput()
    voices = Voices(out)
    voices.change(0, [60, 62, 64], 80)
    out.fail_after = 4  # the first note-off goes out, then the port is gone
    error = voices.release()
    assert error is not None and "unplugged" in str(error)
    assert out.messages()[3:] == [(128, 60, 0)]
    assert voices.sounding() == {}  # nothing is still believed to sound


def test_a_failed_note_on_still_counts_as_sounding() -> None:
    out = RecordingOutput(fail_after=1)  # 60's note-on goes out, 62's fails
    voices = Voices(out)
    with pytest.raises(Exception, match="unplugged"):
        voices.change(0, [60, 62], 80)
    assert voices.sounding() == {0: {60, 62}}  # 62 may have reached the synth anyway
    out.fail_after = None
    voices.release()
    assert out.messages() == [(144, 60, 80), (128, 60, 0), (128, 62, 0), (176, 123, 0)]


def test_closed_voices_release_everything_and_refuse_new_notes() -> None:
    out = RecordingOutput()
    voices = Voices(out)
    voices.change(0, [60], 80)
    voices.close()
    assert out.messages()[-2:] == [(128, 60, 0), (176, 123, 0)]
    with pytest.raises(VoicesClosed):
        voices.change(0, [62], 80)
