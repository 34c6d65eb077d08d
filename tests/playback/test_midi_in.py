"""MIDI in: every note played lands on the step grid once, through real JACK ports; and
call and response answers each phrase through a real JACK output."""

from __future__ import annotations

import threading
import time

import numpy as np
import rtmidi

from musevae.data.pianoroll import PianoRoll
from musevae.playback.midi_in import Listener, call_and_response
from musevae.playback.player import Player
from musevae.playback.ports import open_input
from musevae.playback.record import PhraseRecorder
from tests.playback.jack import note_ons, unique

ON, OFF = 0x90, 0x80


def test_running_status_expands_into_every_note() -> None:
    recorder = PhraseRecorder(8, bpm=60.0, step_beats=1.0)  # one-second steps
    recorder.feed(0.0, (ON, 60, 90, 64, 90, 67, 90))  # one event, three note-ons
    recorder.feed(1.0, (60, 0))  # data bytes only: running status, a note-off
    recorder.feed(1.0, (0xF8, 64, 0))  # a clock byte in between leaves the status alone
    recorder.feed(2.0, (OFF, 67, 0, 72, 90))  # running status after a note-off is a note-off
    assert recorder.phrase().to_notes() == [[60, 64, 67], [67]]  # 72 was a note-off


def test_a_key_struck_again_stays_two_notes() -> None:
    recorder = PhraseRecorder(16, bpm=60.0, step_beats=1.0)
    recorder.feed(0.0, (ON, 60, 90))
    recorder.feed(3.0, (ON, 60, 90))  # struck again while held: the first is cut to 0-1
    recorder.feed(4.0, (OFF, 60, 0))
    recorder.feed(4.1, (ON, 60, 90))  # a burst: three strikes within one step
    recorder.feed(4.2, (OFF, 60, 0))
    recorder.feed(4.3, (ON, 60, 90))
    recorder.feed(4.4, (OFF, 60, 0))
    starts = [int(s) for key, s, _ in recorder.phrase().note_runs()]
    assert starts == [0, 3, 5, 7]  # four strikes, four notes, each after a silent step
    assert recorder.phrase().to_notes()[:4] == [[60], [60], [], [60]]


def test_a_phrase_ends_with_its_last_note_not_a_step_later() -> None:
    recorder = PhraseRecorder(16, bpm=300.0, step_beats=1.0)  # 0.2 s steps
    recorder.feed(3.3, (ON, 60, 90))
    recorder.feed(4.5, (OFF, 60, 0))  # six steps: 3.3 + 6 * 0.2 - 3.3 is 6.000...1 steps
    assert recorder.phrase().to_notes() == [[60]] * 6


def test_velocity_zero_is_a_release_and_silence_counts_from_it() -> None:
    recorder = PhraseRecorder(16, bpm=120.0, step_beats=0.5)
    recorder.feed(1.0, (ON, 60, 90))
    assert recorder.silence(5.0) == 0.0  # held
    recorder.feed(1.5, (ON, 60, 0))
    assert recorder.silence(2.0) == 0.5
    assert recorder.phrase().to_notes() == [[60], [60]]


class Keyboard:
    """A JACK client with an output port, playing the part of a player's keyboard."""

    def __init__(self) -> None:
        self.client = unique("keys")
        self.midi = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name=self.client)
        self.midi.open_virtual_port("out")

    def send(self, *message: int) -> None:
        self.midi.send_message(list(message))

    def unplug(self) -> None:
        self.midi.close_port()
        self.midi.delete()


def test_a_burst_of_chords_arrives_note_for_note(jack_server) -> None:
    keyboard = Keyboard()
    source = open_input(keyboard.client, api="jack", client_name=unique("musevae"))
    listener = Listener(source)
    recorder = listener.start(64, bpm=600.0, step_beats=1.0)  # 0.1 s steps
    chords = [[48 + 2 * (i % 5), 60 + i % 7, 64 + i % 5, 67 + i % 3] for i in range(12)]
    for chord in chords:  # 12 chords of 4 notes, each held one step
        for note in chord:
            keyboard.send(ON, note, 100)
        time.sleep(0.1)
        keyboard.send(OFF, chord[0], 0)  # one note-off with status, the rest running
        for note in chord[1:]:
            keyboard.midi.send_message([note, 0])
    phrase = listener.phrase(recorder, silence=0.3)
    # 48 notes; some keys sound in two chords in a row (67 and 68), still two notes each
    assert len(phrase.roll.note_runs()) == 48  # none dropped, none doubled or fused
    assert not phrase.lost and phrase.ended_at is not None
    source.close()
    keyboard.unplug()


def test_a_keyboard_unplugged_mid_phrase_ends_its_held_notes(jack_server) -> None:
    keyboard = Keyboard()
    source = open_input(keyboard.client, api="jack", client_name=unique("musevae"))
    listener = Listener(source)
    recorder = listener.start(64, bpm=600.0, step_beats=1.0)
    keyboard.send(ON, 60, 90)
    keyboard.send(ON, 64, 90)
    time.sleep(0.25)
    keyboard.send(OFF, 64, 0)
    time.sleep(0.1)
    keyboard.unplug()  # 60 is still held
    started = time.perf_counter()
    phrase = listener.phrase(recorder, silence=5.0)
    assert phrase.lost and time.perf_counter() - started < 2.0
    runs = {int(key) + 21: (int(s), int(e)) for key, s, e in phrase.roll.note_runs()}
    assert set(runs) == {60, 64} and runs[60][1] >= 3  # 60 sounded until the port left
    source.close()


def test_call_and_response_answers_each_phrase_with_as_many_steps(jack_server, recorder, jack_output) -> None:
    keyboard = Keyboard()
    source = open_input(keyboard.client, api="jack", client_name=unique("musevae"))
    listener = Listener(source)
    player = Player(jack_output)
    answers = [PianoRoll.from_notes([[72], [74], [76]] * 4, 1.0), PianoRoll.from_notes([[50]], 1.0)]
    calls: list[PianoRoll] = []

    def respond(call: PianoRoll) -> PianoRoll:
        calls.append(call)
        return answers[len(calls) - 1][: len(call)]

    stop = threading.Event()
    exchanges = []
    # 0.2 s steps: a note held 0.4 s stays two steps even when a loaded machine
    # oversleeps by most of a step (at 0.1 s steps, CI once recorded a seventh step)
    loop = call_and_response(listener, player, respond, bpm=300.0, step_beats=1.0, silence=0.3, stop=stop)
    thread = threading.Thread(target=lambda: exchanges.extend(loop))
    thread.start()
    for note in (60, 62, 64):  # three notes of two steps each: a six-step phrase
        keyboard.send(ON, note, 90)
        time.sleep(0.4)
        keyboard.send(OFF, note, 0)
    assert recorder.wait_for(lambda m: len(note_ons(m)) >= 6, 10)  # the answer: six notes
    keyboard.send(ON, 65, 90)  # a second call, one step
    time.sleep(0.05)
    keyboard.send(OFF, 65, 0)
    assert recorder.wait_for(lambda m: len(note_ons(m)) >= 7, 10)
    stop.set()
    thread.join(5)
    assert [c.to_notes() for c in calls] == [[[60], [60], [62], [62], [64], [64]], [[65]]]
    assert [m[1] for _, m in note_ons(recorder.received())] == [72, 74, 76, 72, 74, 76, 50]
    first_answer = note_ons(recorder.received())[0][0]
    assert 0 < first_answer - exchanges[0].call.ended_at < 0.5  # loose: a loaded machine
    player.close()
    source.close()
    keyboard.unplug()
    assert np.all([len(e.answer) == len(e.call.roll) for e in exchanges])
