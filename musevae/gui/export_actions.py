"""Export of the piece on screen: the shown candidate as MIDI or WAV, or everything
(every candidate as a track, plus the ``.npz`` of probabilities and uncertainty lanes).

The arrays are copied on the GUI thread (a snapshot: generation may go on) and written
in the worker, since rendering minutes of audio takes seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from musevae.gui.dialogs import Dialogs
from musevae.gui.generation_state import GenerationState
from musevae.gui.notify import Notifier
from musevae.gui.playback_state import PlaybackState
from musevae.gui.qt_workers import Job, start_job
from musevae.gui.settings import Settings

FILTERS = {
    "midi": "MIDI file (*.mid)",
    "wav": "WAV audio (*.wav)",
    "all": "MIDI with every candidate + lanes (*.mid)",
}


class ExportActions(QObject):
    def __init__(
        self,
        generation: GenerationState,
        playback: PlaybackState,
        settings: Settings,
        dialogs: Dialogs,
        notifier: Notifier,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.generation, self.playback = generation, playback
        self.settings, self.dialogs, self.notifier = settings, dialogs, notifier
        self.jobs: list[Job] = []

    def _ask(self, kind: str, suffix: str) -> Path | None:
        if self.generation.steps == 0:
            self.notifier.warning("Export", "Nothing to export yet: generate a piece first.")
            return None
        start = Path(self.settings.get("folders/export") or Path.home())
        name = f"musevae-seed{self.generation.seed}-{self.generation.candidate + 1}{suffix}"
        path = self.dialogs.save_file("Export", str(start / name), FILTERS[kind])
        if path is None:
            return None
        path = Path(path)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.settings.set("folders/export", str(path.parent))
        return path

    def export_midi(self) -> Path | None:
        """The shown candidate, velocity from the model's probability of each note."""
        from musevae.data.midi_io import write_midi

        path = self._ask("midi", ".mid")
        if path is None:
            return None
        roll, probs = self.generation.roll(self.playback.tempo), self.generation.probs().copy()
        return self._write(path, lambda: write_midi(roll, path, velocity=probs))

    def export_all(self) -> Path | None:
        """Every candidate as a track of one file, and ``<name>.npz`` with the lanes."""
        from musevae.generate.export import export_generation

        path = self._ask("all", ".mid")
        if path is None:
            return None
        generation = self.generation.generation(self.playback.tempo)
        return self._write(path, lambda: export_generation(
            generation, path.parent, stem=path.stem, as_tracks=True, with_prime=False,
        ))  # fmt: skip

    def export_wav(self) -> Path | None:
        """The shown candidate through the built-in synth (or FluidSynth when present)."""
        from musevae.playback.render import render_wav

        path = self._ask("wav", ".wav")
        if path is None:
            return None
        roll = self.generation.roll(self.playback.tempo)
        return self._write(path, lambda: render_wav(roll, path))

    def _write(self, path: Path, write: Callable[[], Any]) -> Path:
        """Run ``write`` in the worker; the outcome arrives as a message."""

        def work(post: Any) -> Any:
            write()
            yield path

        job = start_job(
            work, lambda written: self.notifier.info("Exported", f"wrote {written}"),
            lambda error: self.notifier.error("Export failed", error), None, "export", self,
        )  # fmt: skip
        self.jobs = [j for j in self.jobs if j.isRunning()] + [job]
        return path
