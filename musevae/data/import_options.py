"""The options a MIDI folder is imported with, remembered with each named import."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from musevae.data.midi_io import MAX_FILE_BYTES, MAX_NOTES, MAX_STEPS


@dataclass(frozen=True)
class ImportOptions:
    """How files become rolls and rolls become splits.

    ``step_beats`` is the grid in quarter-note beats (0.5 = eighth notes, the benchmarks'
    grid); ``fold_octaves`` moves notes outside 21..108 by octaves into range instead of
    dropping them. The three limits bound the memory one file may take. The fractions
    share files between train/valid/test by content hash. ``workers`` is the number of
    parser processes (None: one per CPU); it changes speed, never the result.
    """

    step_beats: float = 0.5
    fold_octaves: bool = False
    max_file_bytes: int = MAX_FILE_BYTES
    max_notes: int = MAX_NOTES
    max_steps: int = MAX_STEPS
    train_fraction: float = 0.8
    valid_fraction: float = 0.1
    test_fraction: float = 0.1
    workers: int | None = None

    def __post_init__(self) -> None:
        problems = []
        if not (isinstance(self.step_beats, (int, float)) and 0 < self.step_beats < math.inf):
            problems.append(f"step_beats must be a positive number, not {self.step_beats!r}")
        if not isinstance(self.fold_octaves, bool):
            problems.append(f"fold_octaves must be true or false, not {self.fold_octaves!r}")
        for field in ("max_file_bytes", "max_notes", "max_steps"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"{field} must be a whole number >= 1, not {value!r}")
        fractions = (self.train_fraction, self.valid_fraction, self.test_fraction)
        if not all(isinstance(f, (int, float)) and 0 <= f <= 1 for f in fractions):
            problems.append(f"split fractions must lie in [0, 1], not {fractions}")
        elif not math.isclose(sum(fractions), 1.0) or self.train_fraction == 0:
            problems.append(f"split fractions must sum to 1 with some training; got {fractions}")
        if self.workers is not None and (not isinstance(self.workers, int) or self.workers < 1):
            problems.append(f"workers must be a whole number >= 1, not {self.workers!r}")
        if problems:
            raise ValueError("; ".join(problems))

    def record(self) -> dict[str, Any]:
        """What an import remembers: everything but ``workers``, which is this machine's."""
        return {key: value for key, value in asdict(self).items() if key != "workers"}

    def parse_fields(self) -> tuple[float, bool, int, int]:
        """The options that change what one file parses to (the cache key's part)."""
        return (float(self.step_beats), self.fold_octaves, self.max_notes, self.max_steps)
