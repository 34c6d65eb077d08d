from __future__ import annotations

import threading
import time

import rtmidi

from musevae.data.pianoroll import PianoRoll
from musevae.playback.ports import open_input
from musevae.playback.record import PhraseRecorder, record_phrase
from tests.playback.jack import unique

ON, OFF = 0x90, 0x80


def test_a_phrase_is_quantised_from_its_first_note() -> None:
    # 120 BPM in eighths: a step is 0.25 s. Times are hand-placed near the grid.
    recorder = PhraseRecorder(8, bpm=120.0, step_beats=0.5)
    recorder.feed(9.0, (OFF, 50, 0))  # released before the phrase: ignored
    recorder.feed(10.0, (ON, 60, 90))  # the first note-on is step 0
    recorder.feed(10.26, (ON, 64, 90))  # 1.04 steps -> step 1
    recorder.feed(10.45, (OFF, 60, 0))  # 1.8 -> step 2: 60 sounded on steps 0-1
    recorder.feed(10.5, (ON | 3, 67, 0))  # velocity 0 on channel 4: a note-off, 67 never on
    recorder.feed(10.52, (OFF, 64, 0))  # 2.08 -> step 2: 64 on step 1
    recorder.feed(11.0, (ON, 10, 90))  # below the piano: dropped
    recorder.feed(11.26, (ON, 72, 90))  # step 5, still held at the end
    recorder.feed(11.3, (0xB0, 64, 127))  # the sustain pedal: not a note
    recorder.feed(12.1, (ON, 74, 90))  # 8.4 -> step 8: after the phrase, ignored
    assert recorder.finished(12.0) and not recorder.finished(11.99)
    assert recorder.roll().to_notes() == [[60], [60, 64], [], [], [], [72], [72], [72]]


def test_a_note_covers_at_least_one_step_and_an_early_stop_ends_the_roll() -> None:
    recorder = PhraseRecorder(16, bpm=60.0, step_beats=1.0)  # one-second steps
    recorder.feed(0.0, (ON, 60, 90))
    recorder.feed(0.2, (OFF, 60, 0))  # rounds to step 0: still one step long
    recorder.feed(2.1, (ON, 62, 90))
    roll = recorder.roll(now=3.5)  # stopped 3.5 steps in: 4 steps, 62 held to the end
    assert roll == PianoRoll.from_notes([[60], [], [62], [62]], step_beats=1.0, tempo=60.0)


def test_nothing_played_is_an_empty_roll() -> None:
    assert len(PhraseRecorder(4, bpm=120, step_beats=0.5).roll(now=100.0)) == 0


def test_a_phrase_recorded_from_a_jack_keyboard(jack_server) -> None:
    client = unique("keyboard")
    keyboard = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name=client)
    keyboard.open_virtual_port("out")
    source = open_input(client, api="jack", client_name=unique("musevae"))
    assert source.name == f"{client}:out"
    result: list[PianoRoll] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=lambda: result.append(record_phrase(source, 8, bpm=600.0, step_beats=1.0, stop=stop))
    )  # 0.1 s steps: the phrase lasts 0.8 s from the first note
    thread.start()
    for message, pause in [((ON, 60, 90), 0.2), ((OFF, 60, 0), 0.0), ((ON, 67, 90), 0.0)]:
        keyboard.send_message(list(message))
        time.sleep(pause)
    thread.join(10)
    source.close()
    keyboard.delete()
    roll = result[0]
    assert len(roll) == 8
    # 60 lasted about 2 steps from step 0; 67 started about step 2 and was held.
    assert roll.keys[0, 60 - 21] and not roll.keys[4:, 60 - 21].any()
    assert roll.keys[3:, 67 - 21].all() and not roll.keys[:1, 67 - 21].any()
