"""How fast the desktop app starts, and how responsive it stays while it works.

    python benchmarks/gui_startup.py [--launches 3] [--model CARD]

Prints, for a fresh process each launch (offscreen unless a display is set):

- launch -> window shown, and launch -> models loaded (torch imported, library scanned);
  target: window < 2 s on 2 CPU cores;
- launch -> first generated step with a model (the first shipped model, ``--model``, or
  a model trained here first into a temporary folder, which is said);
- event-loop latency while generating and while training: a QTimer probe fires every
  10 ms and records how late each tick is; target p99 < 50 ms;
- the time to paint a 20,000-step piece (roll + lane), seen whole and zoomed in.

Timings depend on the machine and on what else runs on it: report them with that.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PROBE_MS = 10
GENERATE_STEPS = 3000
TRAIN_SECONDS = 12.0
PAINT_STEPS = 20_000


# --- the parent: launches, and a model to use --------------------------------------------
def model_for_benchmark(folder: Path) -> tuple[Path, str]:
    """The first shipped model, else an SRNN (default sizes) trained briefly on toy data."""
    from musevae.train.library import scan
    from musevae.train.trainer import train
    from tests.train.toy import quick_config, toy_dataset

    shipped = [e for e in scan(folder / "none").entries if e.bundled]
    if shipped:
        return shipped[0].card_path, f"shipped model {shipped[0].name}"
    out = folder / "srnn"
    for _ in train("srnn", {}, toy_dataset(), quick_config(epochs=1, updates_per_epoch=2), out):
        pass
    what = "no shipped model: an SRNN (default sizes) trained here for 2 updates"
    return out / "model.json", what


def launch(card: Path | None, home: Path, extras: bool) -> dict[str, float]:
    """One app process; seconds from launch to each milestone it reports."""
    env = {**os.environ, "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "cfg"), "XDG_CACHE_HOME": str(home / "cache")}  # fmt: skip
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    command = [sys.executable, __file__, "--child", str(home)]
    if card is not None and extras:
        command += ["--model", str(card)]
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    if result.returncode != 0:
        raise SystemExit(f"the app process failed:\n{result.stderr[-2000:]}")
    figures: dict[str, float] = {}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            name = record.pop("event")
            figures.update({f"{name}.{k}": v for k, v in record.items() if k != "t"})
            if "t" in record:
                figures[name] = record["t"] - started
    return figures


def percentiles(lateness: list[float]) -> dict[str, float]:
    ordered = sorted(lateness)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"ticks": len(ordered), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": ordered[-1]}


def parent(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="musevae-bench-") as folder:
        card, origin = (args.model, "given") if args.model else model_for_benchmark(Path(folder))
        print(f"model: {origin}")
        homes = [Path(folder) / f"home{i}" for i in range(args.launches)]
        runs = [launch(card, home, extras=i == 0) for i, home in enumerate(homes)]
    shown = [run["shown"] for run in runs]
    ready = [run["ready"] for run in runs]
    print(f"launch -> window shown:  median {statistics.median(shown):.2f} s  "
          f"(runs: {', '.join(f'{s:.2f}' for s in shown)}; target < 2 s)")  # fmt: skip
    print(f"launch -> models loaded: median {statistics.median(ready):.2f} s  "
          f"(runs: {', '.join(f'{s:.2f}' for s in ready)})")  # fmt: skip
    first = runs[0]
    print(f"launch -> first generated step: {first['first_step']:.2f} s "
          f"(model chosen at {first['model_open']:.2f} s)")  # fmt: skip
    for what in ("generating", "training"):
        p = {k.split(".", 1)[1]: v for k, v in first.items() if k.startswith(what + ".")}
        print(f"event-loop lateness while {what}: p50 {p['p50_ms']:.1f} ms, "
              f"p99 {p['p99_ms']:.1f} ms, max {p['max_ms']:.1f} ms over {int(p['ticks'])} "
              f"ticks of {PROBE_MS} ms ({p['detail']}; target p99 < 50 ms)")  # fmt: skip
    for what, ms in paint_times().items():
        print(f"paint a {PAINT_STEPS:,}-step piece, {what}: {ms:.1f} ms "
              "(roll + lane, median of 10)")  # fmt: skip
    return 0


def paint_times() -> dict[str, float]:
    """Median time to paint the roll and the lane, whole piece and zoomed in."""
    import numpy as np

    from musevae.generate.sampler import GeneratedStep
    from musevae.gui.shell.app import application
    from musevae.gui.generate.state import GenerationState
    from musevae.gui.playback.state import PlaybackState
    from musevae.gui.roll.panel import RollPanel
    from musevae.gui.roll.timeline import TimeAxis

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    application()
    generation, axis = GenerationState(), TimeAxis()
    panel = RollPanel(generation, axis, PlaybackState())
    panel.resize(1000, 700)
    panel.show()
    rng = np.random.default_rng(0)
    generation.begin(3, 0, 0.5, None)
    for t in range(PAINT_STEPS):
        probs = rng.random((3, 88), dtype=np.float32) * 0.2
        generation.buffer.append(GeneratedStep(t, rng.random((3, 88)) < probs, probs,
                                               probs.sum(1), probs.mean(1), 0.01))  # fmt: skip
    generation.grown.emit(PAINT_STEPS)
    times = {}
    for what, zoom in (("seen whole", panel._fit), ("zoomed in, 8 px a step", None)):
        if zoom is not None:
            zoom()
        else:
            axis.px_per_step = 8.0
            axis.scroll_to(PAINT_STEPS / 2)
        samples = []
        for _ in range(10):
            started = time.perf_counter()
            panel.roll.grab()
            panel.lane.grab()
            samples.append((time.perf_counter() - started) * 1000)
        times[what] = statistics.median(samples)
    return times


# --- the child: the app itself, reporting milestones -------------------------------------
def emit(event: str, **values: object) -> None:
    print(json.dumps({"event": event, "t": time.time(), **values}), flush=True)


class Probe:
    """A 10 ms QTimer that records how late each tick fires (ms)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.lateness: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer(interval=PROBE_MS)
        self._timer.setTimerType(self._timer.timerType().PreciseTimer)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lateness.append(max(0.0, (now - self._last) * 1000 - PROBE_MS))
        self._last = now

    def start(self) -> None:
        self.lateness, self._last = [], time.perf_counter()
        self._timer.start()

    def stop(self) -> dict[str, float]:
        self._timer.stop()
        return percentiles(self.lateness)


class Run:
    """The app in this process: window, then a generation, then a training, each probed."""

    def __init__(self, home: Path, card: Path | None) -> None:
        from PySide6.QtCore import QTimer

        from musevae.gui.shell.app import application, create_window

        self.home, self.card = home, card
        self.app = application()
        self.window = create_window(popups=False)
        self.window.shown.connect(lambda: QTimer.singleShot(0, lambda: emit("shown")))
        self.window.ready.connect(self.on_ready)
        self.probe = Probe()

    def on_ready(self) -> None:
        emit("ready")
        if self.card is None:
            self.app.quit()
            return
        self.window.library.currentChanged.connect(self.generate)
        self.window.library.open_checkpoint(self.card)

    def generate(self, entry: object) -> None:
        w = self.window
        w.library.currentChanged.disconnect(self.generate)
        emit("model_open")
        w.generate_panel.steps.setValue(GENERATE_STEPS)
        w.generate_panel.candidates.setValue(3)
        w.generation.grown.connect(self.first_step)
        w.generating.busyChanged.connect(self.generated)
        self.probe.start()
        w.generate_panel.generate()

    def first_step(self, count: int) -> None:
        self.window.generation.grown.disconnect(self.first_step)
        emit("first_step")

    def generated(self, busy: bool) -> None:
        if busy:
            return
        w = self.window
        w.generating.busyChanged.disconnect(self.generated)
        detail = f"3 candidates x {w.generation.steps} steps, roll and lane drawn live"
        emit("generating", **self.probe.stop(), detail=detail)
        folder = make_midi_folder(self.home / "midi")
        panel = w.train_panel
        w.training.import_folder(folder, panel.data.data_dir())
        panel.kind.setCurrentText("srnn")
        panel.epochs.setValue(1000)
        w.training.statusChanged.connect(self.training_status)
        panel.start()

    def training_status(self, status: str) -> None:
        from PySide6.QtCore import QTimer

        training = self.window.training
        if status == "running":
            self.probe.start()
            QTimer.singleShot(int(TRAIN_SECONDS * 1000), training.cancel)
        elif status == "cancelled":
            detail = f"SRNN default sizes, {training.updates} updates, curves drawn live"
            emit("training", **self.probe.stop(), detail=detail)
            self.app.quit()

    def exec(self) -> int:
        self.window.show()
        self.app.exec()
        self.window.close()
        return 0


def make_midi_folder(folder: Path) -> Path:
    """Forty short chord pieces: enough data for every split."""
    from tests.gui.pieces import chord_piece

    from musevae.data.midi_io import write_midi

    folder.mkdir(parents=True)
    for i in range(40):
        write_midi(chord_piece(i % 13 - 6, 80 + i), folder / f"piece{i:02d}.mid")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--launches", type=int, default=3)
    parser.add_argument("--model", type=Path, help="a model card (default: see above)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        return Run(args.child, args.model).exec()
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
