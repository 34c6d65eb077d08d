"""Call-and-response latency over JACK: from the end of the player's phrase to the first
note of the model's answer.

Starts a private jackd (dummy driver, ``--period`` frames at 48 kHz), plays the part of
a keyboard (a JACK output sending a phrase), and runs
:func:`musevae.playback.midi_in.call_and_response` with a shipped model answering each
phrase with as many steps, continuing it, through a musevae JACK output into a JACK
input that timestamps each arrival. Per round it prints the latency from the moment the
chosen silence after the phrase's last note-off was complete (the silence itself is
excluded: it is the player's choice) to the arrival of the answer's first note-on, less
any silent steps the answer opens with (the model may begin with a rest), and how that
splits into detection, the model's answer (priming on the phrase and sampling all its
steps) and the player's start through JACK. Target: median under 150 ms.

    python benchmarks/response_latency.py [--model srnn-jsb] [--rounds 10] [--silence 0.3]

Needs jackd (Debian: jackd2). Figures from a shared or loaded machine are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.playback.jack

from musevae.data.pianoroll import PianoRoll  # noqa: E402
from musevae.generate import Controls, generate  # noqa: E402
from musevae.playback.midi_in import Listener, call_and_response  # noqa: E402
from musevae.playback.player import Player  # noqa: E402
from musevae.playback.ports import open_input, open_output  # noqa: E402
from musevae.train.checkpoint import load_model  # noqa: E402
from musevae.train.library import resolve  # noqa: E402
from tests.playback import jack  # noqa: E402

PHRASE = [60, 64, 67, 72, 67, 64, 62, 60]  # eight notes, each one step, then the silence


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="srnn-jsb")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--silence", type=float, default=0.3, help="seconds (default 0.3)")
    parser.add_argument("--bpm", type=float, default=240.0, help="quarter-note steps")
    parser.add_argument("--period", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, _ = load_model(resolve(args.model), torch.device("cpu"))
    name = jack.unique("latency")
    with jack.server_env(name), tempfile.TemporaryDirectory() as folder:
        server = jack.start_server(name, Path(folder) / "jackd.log", period=args.period)
        try:
            rows = measure(model, args)
        finally:
            jack.stop_server(server)
    total = [r[0] for r in rows]
    print(f"{args.model}, {len(PHRASE)}-step phrases at {args.bpm:g} BPM, JACK period "
          f"{args.period} frames ({args.period / 48:.1f} ms), silence {args.silence} s excluded")  # fmt: skip
    print(f"{'round':>5} {'total ms':>9} {'detect':>7} {'answer':>7} {'to note':>8}")
    for i, (all_ms, detect, answer, start) in enumerate(rows):
        print(f"{i + 1:5d} {all_ms:9.1f} {detect:7.1f} {answer:7.1f} {start:8.1f}")
    print(f"median {statistics.median(total):.1f} ms, max {max(total):.1f} ms (target < 150 ms)")


def measure(model: torch.nn.Module, args: argparse.Namespace) -> list[tuple[float, ...]]:
    """(total, detection, answer, player start) in ms for each round."""
    step_seconds = 60.0 / args.bpm
    keyboard_name = jack.unique("keys")
    keyboard = jack.rtmidi.MidiOut(jack.rtmidi.API_UNIX_JACK, name=keyboard_name)
    keyboard.open_virtual_port("out")
    recorder = jack.Recorder()
    output = open_output(recorder.port, api="jack", client_name=jack.unique("player"))
    listener = Listener(open_input(keyboard_name, api="jack", client_name=jack.unique("ears")))
    player = Player(output, program=None)
    called: list[float] = []
    answered: list[float] = []

    def respond(call: PianoRoll) -> PianoRoll:
        called.append(time.perf_counter())
        result = generate(model, len(call), prime=call, seed=len(answered),
                          controls=Controls(max_polyphony=4))  # fmt: skip
        answered.append(time.perf_counter())
        return result.rolls[0]

    stop = threading.Event()
    exchanges: list = []
    loop = call_and_response(listener, player, respond, bpm=args.bpm, step_beats=1.0,
                             silence=args.silence, stop=stop)  # fmt: skip
    thread = threading.Thread(target=lambda: exchanges.extend(loop), daemon=True)
    thread.start()
    rows = []
    for round_ in range(args.rounds):
        before = len(jack.note_ons(recorder.received()))
        for note in PHRASE:
            keyboard.send_message([0x90, note, 90])
            time.sleep(step_seconds)
            keyboard.send_message([0x80, note, 0])
        if not recorder.wait_for(lambda m: len(jack.note_ons(m)) > before, 10):
            raise RuntimeError("no answer came")
        while len(exchanges) <= round_:
            time.sleep(0.001)
        exchange = exchanges[round_]
        first = jack.note_ons(recorder.received())[before][0]
        rests = int(exchange.answer.keys.any(1).argmax())  # leading silent steps of the answer
        first -= rests * step_seconds  # when the answer's first step began to sound
        ended, i = exchange.call.ended_at, round_
        rows.append(tuple(1e3 * x for x in (
            first - ended, called[i] - ended, answered[i] - called[i], first - answered[i],
        )))  # fmt: skip
        player.wait(30)
        time.sleep(args.silence)
    stop.set()
    return rows


if __name__ == "__main__":
    main()
