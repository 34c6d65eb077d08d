"""Argument types shared by every sub-command: numbers with stated bounds.

A value the code cannot use must be refused while the command line is parsed, as one
line and exit code 2, rather than surface later as a MemoryError, a NaN, noise or a
hang. argparse turns the :class:`argparse.ArgumentTypeError` a type raises into that
line, naming the flag. The bounds below are generous for music and small enough that
no value within them exhausts memory before a progress bar shows the work.
"""

from __future__ import annotations

import argparse
import dataclasses

from musevae.errors import MusevaeError


@dataclasses.dataclass(frozen=True)
class Number:
    """A finite number from ``low`` to ``high`` (above ``low`` when ``above``); with
    ``whole``, written as a whole number. ``words`` are accepted as themselves."""

    low: float
    high: float
    whole: bool = True
    above: bool = False
    words: tuple[str, ...] = ()

    def __call__(self, text: str) -> int | float | str:
        if text in self.words:
            return text
        value = _parse(text, self.whole)
        if value is None or not self.contains(value):
            raise argparse.ArgumentTypeError(f"expected {self.wanted()}; got {text!r}")
        return value

    def contains(self, value: float) -> bool:
        above_low = value > self.low if self.above else value >= self.low
        return above_low and value <= self.high  # False for NaN

    def wanted(self) -> str:
        """What the type takes, in words: "a whole number from 1 to 16"."""
        noun = "a whole number" if self.whole else "a number"
        low, high = _show(self.low), _show(self.high)
        span = f"above {low} and at most {high}" if self.above else f"from {low} to {high}"
        words = "".join(f" or {word!r}" for word in self.words)
        return f"{noun} {span}{words}"


@dataclasses.dataclass(frozen=True)
class Span(Number):
    """A range of whole numbers ``A:B`` (B excluded) with ``low <= A < B <= high``."""

    def __call__(self, text: str) -> tuple[int, int]:  # type: ignore[override]
        first, colon, last = text.partition(":")
        a, b = _parse(first, True), _parse(last, True)
        if not colon or a is None or b is None or not (self.contains(a) and self.contains(b) and a < b):
            raise argparse.ArgumentTypeError(f"expected {self.wanted()}; got {text!r}")
        return int(a), int(b)

    def wanted(self) -> str:
        return f"A:B, whole numbers from {_show(self.low)} to {_show(self.high)} with A below B"


def _parse(text: str, whole: bool) -> int | float | None:
    try:
        return int(text) if whole else float(text)
    except (ValueError, OverflowError):  # int() of over 4300 digits is a ValueError too
        return None


def _show(bound: float) -> str:
    """A bound as one would type it: 0.015625, 6000, 100000."""
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"


MAX_STEPS = 100_000  # 3.5 hours of sixteenths at 120 BPM
MAX_CANDIDATES = 100
# Steps x candidates in one generation: its probabilities alone take 352 bytes per
# step and candidate, so a million is about 0.35 GB (held twice while they are stacked).
MAX_STEP_CANDIDATES = 1_000_000
MAX_SAMPLES = 10_000  # importance samples per piece

STEPS = Number(1, MAX_STEPS)
CANDIDATES = Number(1, MAX_CANDIDATES)
TEMPERATURE = Number(0, 10, whole=False, above=True)  # past 10 every key is a coin toss
# A MIDI file stores a beat's length in 24 bits of microseconds: 3.6 BPM at the slowest.
BPM = Number(4, 6000, whole=False)
PROGRAM = Number(0, 127)  # General MIDI program, a MIDI data byte
VELOCITY = Number(1, 127)  # velocity 0 is a note-off
CHANNEL = Number(1, 16)
PIANO_NOTE = Number(21, 108)  # MIDI numbers of the piano's keys, A0..C8
POLYPHONY = Number(1, 88)
SEED = Number(0, 2**63 - 1)  # what torch, numpy's SeedSequence and an int64 .npz all hold
SAMPLES = Number(0, MAX_SAMPLES)  # 0 skips the importance-sampled log-likelihood
BATCH = Number(1, 4096)
MODEL_SIZE = Number(1, 4096)  # a state or layer width; 4096 is 10x the shipped models
WORKERS = Number(1, 1024)
STEP_BEATS = Number(1 / 64, 16, whole=False)  # a 256th note to four whole notes
SECONDS = Number(0, 600, whole=False)
STEP_SPAN = Span(0, MAX_STEPS)  # steps [A, B) of a piece


def check_generation_size(steps: int, candidates: int) -> None:
    """Refuse more steps x candidates than :data:`MAX_STEP_CANDIDATES` (memory)."""
    if steps * candidates > MAX_STEP_CANDIDATES:
        raise MusevaeError(
            f"--steps {steps} x --n {candidates} is {steps * candidates} steps in all; "
            f"at most {MAX_STEP_CANDIDATES} fit in memory in one run"
        )
