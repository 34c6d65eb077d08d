"""Export of the piece on screen: the shown candidate as MIDI or WAV, or everything
(every candidate as a track, plus the ``.npz`` of probabilities and uncertainty lanes).

A MIDI export's loudness is chosen in its file dialog, as one of its file types: every
note at the CLI's default velocity, or by the model's confidence from a floor up
(``musevae.generate.export``); the choice is remembered. The arrays are copied on the
GUI thread (a snapshot: generation may go on) and written in the worker, since
rendering minutes of audio takes seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from musevae.gui.shell.dialogs import Dialogs
from musevae.gui.generate.state import GenerationState
from musevae.gui.shell.notify import Notifier
from musevae.gui.playback.state import PlaybackState
from musevae.gui.workers.job import Job, start_job
from musevae.gui.shell.settings import Settings

WAV_FILTERS = {"wav": "WAV audio (*.wav)"}
FIXED, CONFIDENCE = "fixed", "confidence"  # the "export/velocity" setting


def velocity_filters(what: str) -> dict[str, str]:
    """The loudness choices for a MIDI export of ``what``, as file dialog filters."""
    from musevae.generate.export import DEFAULT_VELOCITY, MAX_VELOCITY, VELOCITY_FLOOR

    return {
        FIXED: f"{what}, every note at velocity {DEFAULT_VELOCITY} (*.mid)",
        CONFIDENCE: f"{what}, velocity by the model's confidence, "
        f"{VELOCITY_FLOOR}–{MAX_VELOCITY} (*.mid)",
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

    def _has_piece(self) -> bool:
        if self.generation.steps == 0:
            self.notifier.warning("Export", "Nothing to export yet: generate a piece first.")
        return self.generation.steps > 0

    def _ask(
        self, title: str, suffix: str, filters: dict[str, str], selected: str
    ) -> tuple[Path, str] | None:
        """The path (ending in ``suffix``) and the key of the filter chosen."""
        start = Path(self.settings.get("folders/export") or Path.home())
        name = f"musevae-seed{self.generation.seed}-{self.generation.candidate + 1}{suffix}"
        offered = filters.get(selected, next(iter(filters.values())))
        answer = self.dialogs.save_file(title, str(start / name), ";;".join(filters.values()),
                                        offered)  # fmt: skip
        if answer is None:
            return None
        path, chosen = Path(answer[0]), answer[1]
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.settings.set("folders/export", str(path.parent))
        key = next((key for key, text in filters.items() if text == chosen), selected)
        return path, key

    def _ask_midi(self, title: str, what: str) -> tuple[Path, int | None] | None:
        """The path and the velocity chosen (None: by the model's confidence)."""
        from musevae.generate.export import DEFAULT_VELOCITY

        chosen = self.settings.get("export/velocity")
        answer = self._ask(title, ".mid", velocity_filters(what), chosen)
        if answer is None:
            return None
        path, choice = answer
        self.settings.set("export/velocity", choice)
        return path, None if choice == CONFIDENCE else DEFAULT_VELOCITY

    def export_midi(self) -> Path | None:
        """The shown candidate, at the velocity chosen in the dialog."""
        from musevae.data.midi_io import write_midi
        from musevae.generate.export import note_velocities

        answer = self._has_piece() and self._ask_midi("Export MIDI", "MIDI file")
        if not answer:
            return None
        path, velocity = answer
        roll = self.generation.roll(self.playback.tempo)
        strength = note_velocities(self.generation.probs().copy(), velocity)
        return self._write(path, lambda: write_midi(roll, path, velocity=strength))

    def export_all(self) -> Path | None:
        """Every candidate as a track of one file, and ``<name>.npz`` with the lanes."""
        from musevae.generate.export import export_generation

        what = "MIDI, every candidate a track, + lanes"
        answer = self._has_piece() and self._ask_midi("Export all candidates", what)
        if not answer:
            return None
        path, velocity = answer
        generation = self.generation.generation(self.playback.tempo)
        return self._write(path, lambda: export_generation(
            generation, path.parent, stem=path.stem, velocity=velocity, as_tracks=True,
            with_prime=False,
        ))  # fmt: skip

    def export_wav(self) -> Path | None:
        """The shown candidate through the built-in synth (or FluidSynth when present)."""
        from musevae.playback.render import render_wav

        answer = self._has_piece() and self._ask("Export WAV", ".wav", WAV_FILTERS, "wav")
        if not answer:
            return None
        path, _ = answer
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
