"""How fast the desktop app starts, and how responsive it stays while it works.

    python benchmarks/gui_startup.py [--launches 3] [--model CARD]

Prints, for a fresh process each launch (offscreen unless a display is set):

- launch -> window shown, and launch -> models loaded (torch imported, library scanned);
  target: window < 2 s on 2 CPU cores;
- launch -> first generated step with a model (the first shipped model, ``--model``, or
  a model trained here first into a temporary folder, which is said);
- event-loop latency while generating and while training: a QTimer probe fires every
  10 ms and records how late each tick is; target p99 < 50 ms.

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
    return out / "model.json", "no shipped model: an SRNN (default sizes) trained here for 2 updates"


def launch(card: Path | None, home: Path, extras: bool) -> dict[str, float]:
    """One app process; seconds from launch to each milestone it reports."""
    env = {**os.environ, "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "cfg"),
           "XDG_CACHE_HOME": str(home / "cache")}  # fmt: skip
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
        runs = [launch(card, Path(folder) / f"home{i}", extras=i == 0) for i in range(args.launches)]
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
        print(f"event-loop lateness while {what}: p50 {p['p50_ms']:.1f} ms, p99 {p['p99_ms']:.1f} ms, "
              f"max {p['max_ms']:.1f} ms over {int(p['ticks'])} ticks of {PROBE_MS} ms "
              f"({p['detail']}; target p99 < 50 ms)")  # fmt: skip
    return 0


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


def child(home: Path, card: Path | None) -> int:
    from PySide6.QtCore import QTimer

    from musevae.gui.app import application, create_window

    app = application()
    window = create_window(popups=False)
    window.shown.connect(lambda: QTimer.singleShot(0, lambda: emit("shown")))
    probe = Probe()
    steps = GENERATE_STEPS

    def on_ready() -> None:
        emit("ready")
        if card is None:
            app.quit()
            return
        window.library.currentChanged.connect(generate_once)
        window.library.open_checkpoint(card)

    def generate_once(entry: object) -> None:
        window.library.currentChanged.disconnect(generate_once)
        emit("model_open")
        panel = window.generate_panel
        panel.steps.setValue(steps)
        panel.candidates.setValue(3)
        window.generation.grown.connect(first_step)
        window.generating.busyChanged.connect(generated)
        probe.start()
        panel.generate()

    def first_step(count: int) -> None:
        window.generation.grown.disconnect(first_step)
        emit("first_step")

    def generated(busy: bool) -> None:
        if busy:
            return
        window.generating.busyChanged.disconnect(generated)
        detail = f"3 candidates x {window.generation.steps} steps, roll and lane drawn live"
        emit("generating", **probe.stop(), detail=detail)
        train()

    def train() -> None:
        folder = make_midi_folder(home / "midi")
        panel = window.train_panel
        panel.data.folder = folder
        panel.data.refresh()
        panel.data.combo.setCurrentIndex(panel.data.combo.findData(str(folder)))
        panel.kind.setCurrentText("srnn")
        panel.epochs.setValue(1000)
        window.training.statusChanged.connect(training_status)
        panel.start()

    def training_status(status: str) -> None:
        if status == "running":
            probe.start()
            QTimer.singleShot(int(TRAIN_SECONDS * 1000), window.training.cancel)
        elif status == "cancelled":
            detail = f"SRNN default sizes, {window.training.updates} updates, curves drawn live"
            emit("training", **probe.stop(), detail=detail)
            app.quit()

    window.ready.connect(on_ready)
    window.show()
    app.exec()
    window.close()
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
        return child(args.child, args.model)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
