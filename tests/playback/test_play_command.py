"""``musevae ports`` and ``musevae play`` end to end, through real JACK MIDI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import rtmidi

from musevae.cli import main
from musevae.cli.play import COUNT_IN_SECONDS
from musevae.data.pianoroll import PianoRoll
from musevae.playback.wav import read_wav
from tests.playback.jack import note_ons, silence_reached, stuck_notes, unique
from tests.support import REPO_ROOT

PIECE = PianoRoll.from_notes(
    [[60, 64], [60, 64], [62], [], [65, 69], [65]], step_beats=0.25, tempo=1200.0
)


def test_ports_lists_jack_outputs_and_inputs(recorder, capsys) -> None:
    assert main(["ports", "--api", "jack"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("MIDI outputs:\n")
    assert "  jack      " in shown and f"  {recorder.port}\n" in shown


def test_play_sends_a_file_to_the_chosen_port(recorder, midi_file, capsys) -> None:
    path = midi_file(PIECE)
    where = ["--api", "jack", "--port", recorder.port]
    assert main(["play", str(path), *where, "--channel", "3", "--program", "19"]) == 0
    assert f'playing on jack: "{recorder.port}"' in capsys.readouterr().out
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())
    messages = [m for _, m in recorder.received()]
    assert messages[0] == (0xC2, 19)  # program change on channel 3 (status nibble 2)
    assert [m[1] for m in messages if m[0] == 0x92] == [60, 64, 62, 65, 69]


def _ctrl_c_pressable() -> None:
    """In the child: SIGINT back to its default, so Python installs its Ctrl-C handler.
    A shell starts background jobs with SIGINT ignored, and Python keeps an inherited
    SIG_IGN, so under ``bash .ci/run &`` the play command would never see the Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_silences_every_note_before_exiting(recorder, midi_file) -> None:
    path = midi_file(PianoRoll.from_notes([[48, 52, 55]] * 2000, 0.25, 600.0))  # 50 s
    process = subprocess.Popen(
        [sys.executable, "-m", "musevae", "play", str(path), "--api", "jack", "--port",
         recorder.port],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=_ctrl_c_pressable,
    )  # fmt: skip
    try:
        assert recorder.wait_for(lambda got: len(note_ons(got)) == 3, 30)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, output
    assert "every note is off" in output
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())


def _connect_when_it_appears(recorder, port: str) -> threading.Thread:
    """A synth that connects to ``port`` as soon as it exists, as a user's would."""

    def connect() -> None:
        probe = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, name=unique("synth"))
        deadline = time.monotonic() + 10
        while port not in probe.get_ports() and time.monotonic() < deadline:
            time.sleep(0.005)
        probe.delete()
        recorder.listen_to(port)

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    return thread


def test_a_virtual_port_counts_in_so_a_synth_that_connects_hears_every_note(
    recorder, midi_file, capsys
) -> None:
    synth = _connect_when_it_appears(recorder, "musevae:musevae")
    started = time.perf_counter()
    assert main(["play", str(midi_file(PIECE)), "--virtual", "--api", "jack"]) == 0
    synth.join(10)
    assert capsys.readouterr().out.startswith(
        'waiting 2 s for a synth to connect to the virtual port "musevae" (--count-in 0 '
        "starts at once)\nplaying on jack: virtual port"
    )
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())
    ons = note_ons(recorder.received())
    assert [m[1] for _, m in ons] == [60, 64, 62, 65, 69]  # all of PIECE's notes
    assert ons[0][0] - started >= COUNT_IN_SECONDS == 2.0


def test_count_in_0_plays_a_virtual_port_at_once(jack_server, midi_file, capsys) -> None:
    started = time.perf_counter()
    assert main(["play", str(midi_file(PIECE)), "--virtual", "--api", "jack", "--count-in", "0"]) == 0
    assert time.perf_counter() - started < COUNT_IN_SECONDS / 2  # PIECE lasts 75 ms
    assert capsys.readouterr().out.startswith("playing on jack: virtual port")


@pytest.fixture()
def no_midi_no_player(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("RTMIDI_API", "jack")
    monkeypatch.setenv("JACK_DEFAULT_SERVER", unique("no-such-server"))  # no MIDI at all
    monkeypatch.setenv("JACK_NO_START_SERVER", "1")
    monkeypatch.setenv("PATH", str(tmp_path))  # and no audio player to hand it to


def test_with_no_midi_output_the_file_is_rendered_to_wav(
    tmp_path, midi_file, no_midi_no_player, capsys
) -> None:
    path = midi_file(PIECE)
    wav = tmp_path / "out.wav"
    assert main(["play", str(path), "--wav", str(wav), "--bpm", "120"]) == 0
    shown = capsys.readouterr().out
    assert "no MIDI output found" in shown and f"wrote {wav}" in shown
    assert "could not play it: no audio player found" in shown
    samples, rate = read_wav(wav)
    # 6 sixteenths at 120 BPM plus the 0.1 s release
    assert len(samples) / rate == pytest.approx(6 * 0.125 + 0.1, abs=0.01)
    assert np.abs(samples).max() > 0.5


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["--count-in", "1"], "--count-in waits for a synth to connect to the virtual port"),
     (["--loop", "--endless"], "play a model, not a file"),
     (["--port", "nowhere", "--api", "jack"], "no MIDI output called 'nowhere'")],
)  # fmt: skip
def test_bad_arguments_get_a_clear_message(arguments, message, recorder, midi_file, capsys) -> None:
    assert main(["play", str(midi_file(PIECE)), *arguments]) == 2
    assert message in capsys.readouterr().err


@pytest.fixture()
def tiny_model(tmp_path: Path, sparse_model) -> Path:
    from musevae.train.checkpoint import save_model

    card = {"dataset": {"name": "toy", "step_beats": 0.25}}
    return save_model(tmp_path / "tiny" / "model.json", sparse_model, card)


def test_play_a_model_for_a_number_of_steps(recorder, tiny_model, capsys) -> None:
    arguments = ["play", str(tiny_model), "--api", "jack", "--port", recorder.port]
    options = ["--steps", "24", "--bpm", "2400", "--seed", "3", "--device", "cpu"]
    assert main([*arguments, *options]) == 0
    assert "seed 3" in capsys.readouterr().out
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())
    assert len(note_ons(recorder.received())) > 0


def test_with_no_midi_output_a_model_renders_a_finite_piece(
    tmp_path, tiny_model, no_midi_no_player, capsys
) -> None:
    wav = tmp_path / "model.wav"
    options = ["--endless", "--steps", "16", "--bpm", "120", "--seed", "1", "--wav", str(wav)]
    assert main(["play", str(tiny_model), *options]) == 0
    assert "generating 16 steps instead" in capsys.readouterr().out
    samples, rate = read_wav(wav)
    assert len(samples) / rate == pytest.approx(16 * 0.125 + 0.1, abs=0.01)  # sixteenths


@pytest.mark.slow
def test_endless_play_primed_from_a_keyboard_until_ctrl_c(recorder, tiny_model) -> None:
    client = unique("keyboard")
    keyboard = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name=client)
    keyboard.open_virtual_port("out")
    command = [sys.executable, "-u", "-m", "musevae", "play", str(tiny_model), "--endless",
               "--api", "jack", "--port", recorder.port, "--prime-from-port", client,
               "--prime-steps", "4", "--bpm", "600", "--device", "cpu"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"}, preexec_fn=_ctrl_c_pressable,
    )  # fmt: skip
    try:
        lines = [process.stdout.readline()]
        while "recording" not in lines[-1]:
            lines.append(process.stdout.readline())
            assert lines[-1], "".join(lines)
        keyboard.send_message([0x90, 60, 90])  # a 4-step phrase at 600 BPM lasts 0.4 s
        time.sleep(0.2)
        keyboard.send_message([0x80, 60, 0])
        assert recorder.wait_for(lambda got: len(note_ons(got)) >= 10, 60)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        keyboard.delete()
    output = "".join(lines) + output
    assert process.returncode == 130, output
    assert "recorded 1 notes" in output
    assert recorder.wait_for(silence_reached, 5), stuck_notes(recorder.received())
