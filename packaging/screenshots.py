"""Screenshots of the app for the README, taken from the real window under Xvfb.

    python packaging/screenshots.py [--train] [--model CARD] [--data-dir DIR] [--epochs N]

With ``--train``, or when there is no model (no ``--model``, none shipped in models/),
it first trains a small SRNN *through the Train tab* in a temporary folder - on JSB
Chorales when the data folder holds it, else on a generated folder of chord MIDI
files - and shoots the Train tab with its real curves. Then it generates three
candidates (with ``--model``, else the first shipped model, else the one just trained)
and shoots the roll with its uncertainty lane, a regenerated selection, a harmonisation
of the piece's top line, and the Library. Everything the app
writes goes to temporary folders; only ``docs/screenshots/*.png`` is written in the
repository. Without a display it runs itself again under ``xvfb-run`` (Debian:
apt-get install xvfb; packaging/README.md lists the X libraries Qt needs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1280, 800)
TIMEOUT_MS = 30 * 60_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="a model card to generate with")
    parser.add_argument("--data-dir", type=Path, help="folder holding JSB Chorales.pickle")
    parser.add_argument("--train", action="store_true",
                        help="train the small SRNN (for train.png) even when a model exists")
    parser.add_argument("--epochs", type=int, default=40, help="epochs of the small SRNN")
    parser.add_argument("--steps", type=int, default=160, help="steps to generate")
    parser.add_argument("--seed", type=int, default=4, help="generation seed")
    return parser.parse_args()


def under_xvfb() -> None:
    """Run this script again inside a virtual X server when there is no display."""
    if os.environ.get("DISPLAY") or os.environ.get("MUSEVAE_SHOTS_IN_XVFB"):
        return
    runner = shutil.which("xvfb-run")
    if runner is None:
        sys.exit("no display and no xvfb-run: apt-get install xvfb, or run under X")
    env = {**os.environ, "MUSEVAE_SHOTS_IN_XVFB": "1"}
    screen = f"-screen 0 {SIZE[0] + 100}x{SIZE[1] + 100}x24"
    command = [runner, "-a", "-s", screen, sys.executable, *sys.argv]
    sys.exit(subprocess.run(command, env=env).returncode)


def private_dirs() -> Path:
    """Point the app's user folders and settings at a temporary folder."""
    home = Path(tempfile.mkdtemp(prefix="musevae-shots-"))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(home / name.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    return home


def chord_folder(folder: Path) -> Path:
    """A few dozen short chord progressions, for when no benchmark data is here."""
    import numpy as np

    from musevae.data.midi_io import write_midi
    from musevae.data.pianoroll import PianoRoll

    progressions = ([0, 4, 7], [5, 9, 12], [7, 11, 14], [-3, 0, 4])
    folder.mkdir(parents=True)
    for i in range(40):
        keys = np.zeros((64, 88), bool)
        for t in range(64):
            chord = progressions[(t // 4 + i) % 4]
            keys[t, [48 + (i % 7) + n - 21 for n in chord]] = True
            keys[t, 60 + (i % 7) + chord[(t + i) % 3] - 21 + 12] = t % 2 == 0
        write_midi(PianoRoll(keys, 0.5, 100.0), folder / f"song{i:02d}.mid")
    return folder


class Shooter:
    def __init__(self, args: argparse.Namespace, home: Path) -> None:
        from PySide6.QtCore import QSettings

        from musevae.gui.shell.app import application, create_window
        from musevae.gui.shell.settings import Settings

        self.args, self.home = args, home
        self.app = application()
        settings = Settings(QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat))
        self.window = create_window(settings=settings, popups=False)
        self.window.resize(*SIZE)

    def wait(self, signal: object, check: object = None) -> list[object]:
        """Run the event loop until ``signal`` fires (and ``check(args)`` holds)."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop, got = QEventLoop(), []

        def fired(*values: object) -> None:
            if check is None or check(*values):  # type: ignore[operator]
                got.append(values)
                loop.quit()

        signal.connect(fired)  # type: ignore[attr-defined]
        QTimer.singleShot(TIMEOUT_MS, loop.quit)
        loop.exec()
        signal.disconnect(fired)  # type: ignore[attr-defined]
        if not got:
            raise SystemExit(f"timed out; messages: {self.window.notifier.messages[-3:]}")
        return list(got[0])

    def settle(self, ms: int = 400) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def save(self, name: str) -> None:
        from PySide6.QtGui import QImage

        self.settle()
        image = self.window.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{name}.png"
        image.save(str(path), "PNG", 9)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")

    def start(self) -> None:
        self.window.show()
        self.wait(self.window.ready)

    def train(self) -> Path:
        from musevae.data.registry import is_present

        w, panel = self.window, self.window.train_panel
        w.tabs.setCurrentIndex(1)
        data_dir = self.args.data_dir or ROOT.parent / "shared" / "data"
        if is_present("jsb", data_dir):
            w.settings.set("folders/data", str(data_dir))
            panel.data.refresh()
            panel.data.combo.setCurrentIndex(panel.data.combo.findData("jsb"))
        else:
            folder = chord_folder(self.home / "chords")
            w.training.import_folder(folder, panel.data.data_dir())
        panel.kind.setCurrentText("srnn")
        for name, box in panel.sizes.items():
            box.setValue(min(box.value(), 64 if name != "z_dim" else 16))
        panel.epochs.setValue(self.args.epochs)
        panel.batch.setValue(8)  # small batches of short crops: more updates per epoch
        panel.crop.setValue(50)
        panel.lr.setValue(3e-3)
        panel.buttons["Start"].click()
        (card,) = self.wait(w.training.finished)
        w.charts.redraw()
        self.save("train")
        return Path(card)  # type: ignore[arg-type]

    def library(self, card: Path) -> None:
        library = self.window.library
        self.window.tabs.setCurrentIndex(0)
        library.select_path(card)
        if library.current is None:  # not in the library: open it from disk
            library.open_checkpoint(card)
            self.wait(library.currentChanged, lambda entry: entry is not None)

    def save_library(self) -> None:
        self.window.tabs.setCurrentIndex(0)
        self.save("library")

    def generate(self) -> None:
        from PySide6.QtCore import QPoint
        from PySide6.QtTest import QTest

        w, panel = self.window, self.window.generate_panel
        w.tabs.setCurrentIndex(2)
        panel.steps.setValue(self.args.steps)
        panel.candidates.setValue(3)
        panel.temperature.setValue(0.9)
        panel.polyphony.setValue(5)
        panel.random_seed.setChecked(False)
        panel.seed.setValue(self.args.seed)
        panel.buttons["Generate"].click()
        self.wait(w.generating.busyChanged, lambda busy: not busy)
        w.roll_panel._fit()
        w.playback.set_position(self.args.steps * 0.4)
        lane = w.roll_panel.lane
        QTest.mouseMove(lane, QPoint(int(lane.width() * 0.62), lane.height() // 2))
        self.save("main-window")


    def interactions(self) -> None:
        """Regenerate a selected passage (its band stays on the roll), then harmonise."""
        w = self.window
        steps = self.args.steps
        w.roll_panel.editor.selection.set(int(steps * 0.4), int(steps * 0.6))
        w.interaction.regenerate.trigger()
        self.wait(w.generating.busyChanged, lambda busy: not busy)
        self.save("regenerate")
        w.roll_panel.editor.selection.clear()
        w.interaction.harmonize.trigger()
        self.wait(w.generating.busyChanged, lambda busy: not busy)
        w.roll_panel._fit()
        self.save("harmonise")


def main() -> int:
    args = parse_args()
    under_xvfb()
    home = private_dirs()
    try:
        shooter = Shooter(args, home)
        shooter.start()
        shipped = [e.card_path for e in shooter.window.library.entries if e.bundled]
        trained = shooter.train() if args.train or not (args.model or shipped) else None
        card = args.model or (shipped[0] if shipped else trained)
        shooter.library(card)  # selects the model
        shooter.generate()
        shooter.interactions()
        shooter.save_library()
        shooter.window.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
