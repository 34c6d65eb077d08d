"""Playback timing and endless-play memory, through a real JACK MIDI loopback.

Starts a private jackd (dummy driver), plays 120 BPM sixteenth notes (a note-on every
step) into a python-rtmidi JACK input that timestamps each arrival, and prints the
median and p99 absolute error against the player's schedule - both when the player
handed each step to rtmidi ("send") and when it came out of JACK ("arrival"; this
includes JACK's own quantisation to its period, period / rate, so use a small period).
Targets: median < 1 ms, p99 < 3 ms. Then it plays the sampler endlessly (a tiny
untrained RNN) and prints the process's RSS at the start and the end.

    python benchmarks/playback_jitter.py [--seconds 20] [--endless-seconds 60] [--period 16]

Needs jackd (Debian: jackd2). Figures from a shared or loaded machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.playback.jack

from musevae.data.pianoroll import PianoRoll  # noqa: E402
from musevae.playback.ports import open_output  # noqa: E402
from musevae.playback.player import Player  # noqa: E402
from tests.playback import jack  # noqa: E402

RATE = 48_000


def timing(recorder: jack.Recorder, client: str, seconds: float) -> None:
    """Every step a note-on (alternating keys), so each step has one arrival to time."""
    steps = int(seconds / 0.125)  # sixteenths at 120 BPM
    roll = PianoRoll.from_notes([[60 + k % 2] for k in range(steps)], step_beats=0.25, tempo=120.0)
    output = open_output(recorder.port, api="jack", client_name=client)
    player = Player(output)
    due: list[float] = []
    sent: list[float] = []

    def on_step(index: int) -> None:
        sent.append(time.perf_counter())
        due.append(player.last_due)

    player.on_step = on_step
    player.play(roll)
    player.wait()
    output.close()
    arrivals = [t for t, _ in jack.note_ons(recorder.received())]
    stuck = jack.stuck_notes(recorder.received()) or "none"
    print(f"{steps} steps at 120 BPM (sixteenths), {len(arrivals)} note-ons arrived, "
          f"{player.late_steps} late steps, stuck notes: {stuck}")  # fmt: skip
    _report("send (player -> rtmidi)", np.array(sent) - np.array(due))
    n = min(len(arrivals), len(due))
    _report("arrival (through JACK)", np.array(arrivals[:n]) - np.array(due[:n]))


def _report(what: str, errors: np.ndarray) -> None:
    absolute = np.abs(errors) * 1e3  # ms
    median, p99 = np.median(absolute), np.percentile(absolute, 99)
    print(f"  {what:<26} median {median:6.3f} ms   p99 {p99:6.3f} ms   max {absolute.max():6.3f} ms"
          f"   mean signed {errors.mean() * 1e3:+.3f} ms")  # fmt: skip


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def endless(recorder: jack.Recorder, client: str, seconds: float) -> None:
    import torch

    from musevae.generate import sample
    from musevae.models import build_model
    from musevae.playback.endless import sampled_frames

    torch.manual_seed(0)
    model = build_model("rnn", hidden=32).eval()
    with torch.no_grad():
        model.emission.bias.fill_(-3.0)  # about 4 keys a step
    output = open_output(recorder.port, api="jack", client_name=client)
    player = Player(output, bpm=480.0, step_beats=0.25)  # 31 ms steps
    player.play(sampled_frames(sample(model, None, 1, seed=0)))
    time.sleep(2.0)
    started, rss = time.perf_counter(), [rss_mib()]
    while time.perf_counter() - started < seconds:
        time.sleep(min(10.0, seconds - (time.perf_counter() - started)))
        rss.append(rss_mib())
    elapsed, played = time.perf_counter() - started, player.position
    player.stop()
    output.close()
    stuck = recorder.ledger.problems() or "none"
    print(f"endless play, {elapsed:.0f} s after a 2 s warm-up: {played} steps in all, "
          f"{player.late_steps} late steps, {recorder.ledger.note_ons} note-ons, "
          f"stuck notes: {stuck}")  # fmt: skip
    print(f"  RSS {rss[0]:.1f} MiB at the start -> {rss[-1]:.1f} MiB at the end "
          f"({rss[-1] - rss[0]:+.1f} MiB); every 10 s: {' '.join(f'{r:.1f}' for r in rss)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--endless-seconds", type=float, default=60.0)
    parser.add_argument("--period", type=int, default=16, help="JACK period in frames at 48 kHz")
    args = parser.parse_args()
    name = jack.unique("musevae-bench")
    print(f"jackd dummy driver, {args.period} frames at {RATE} Hz: one period is "
          f"{args.period / RATE * 1e3:.2f} ms; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    with jack.server_env(name), tempfile.TemporaryDirectory() as folder:
        server = jack.start_server(name, Path(folder) / "jackd.log", period=args.period)
        try:
            for run, client in ((timing, "bench-timing"), (endless, "bench-endless")):
                recorder = jack.Recorder(keep=run is timing)  # endless: constant memory
                try:
                    run(recorder, client, args.seconds if run is timing else args.endless_seconds)
                finally:
                    recorder.close()
        finally:
            jack.stop_server(server)


if __name__ == "__main__":
    main()
