"""Harmonisation on held-out JSB chorales: how often the model's lower voices are Bach's.

For each test chorale the soprano is its top line (the highest sounding note of each
step, :func:`musevae.generate.harmonize.top_line`). The model harmonises it with
``--n`` candidates (seed 0); each candidate's *lower notes* at a step are its keys
below the soprano note, and so are Bach's. Steps where the soprano rests are skipped.

Metrics, over every (candidate, step) pair of every chorale:
- **note F1**: micro-averaged over steps, TP = |generated ∩ Bach| summed, precision =
  TP / sum |generated|, recall = TP / sum |Bach|, F1 their harmonic mean;
- **pitch-class F1**: the same on the sets of pitch classes (the chord, any octave);
- **exact**: the fraction of steps whose lower notes are exactly Bach's.

Baselines, scored the same way:
- **chord table**: for each soprano MIDI pitch, the set of lower notes that most often
  sounds under it in the training chorales (under its pitch class when the pitch never
  occurs there); deterministic;
- **unconditioned**: the same model sampling the same number of steps with no melody
  (same seed), its keys below Bach's soprano note taken as its lower notes.

    python benchmarks/harmonize_jsb.py [--model srnn-jsb vrnn-jsb] [--n 4] [--threads 2] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import collections
import time

import numpy as np
import torch

from musevae.data.pianoroll import KEY_COUNT, PianoRoll
from musevae.data.registry import load_dataset
from musevae.generate import generate
from musevae.generate.harmonize import harmonize, top_line
from musevae.train.checkpoint import load_model
from musevae.train.library import resolve


class Score:
    """Running sums for note F1, pitch-class F1 and exact match."""

    def __init__(self) -> None:
        self.sums = collections.Counter()

    def add(self, guess: np.ndarray, truth: np.ndarray) -> None:
        """``guess``, ``truth (S, 88)`` bool lower notes at the S scored steps."""
        self.sums["tp"] += int((guess & truth).sum())
        self.sums["guessed"] += int(guess.sum())
        self.sums["true"] += int(truth.sum())
        g, t = _classes(guess), _classes(truth)
        self.sums["pc_tp"] += int((g & t).sum())
        self.sums["pc_guessed"] += int(g.sum())
        self.sums["pc_true"] += int(t.sum())
        self.sums["exact"] += int((guess == truth).all(1).sum())
        self.sums["steps"] += len(guess)

    def figures(self) -> tuple[float, float, float]:
        s = self.sums
        return (_f1(s["tp"], s["guessed"], s["true"]),
                _f1(s["pc_tp"], s["pc_guessed"], s["pc_true"]), s["exact"] / s["steps"])  # fmt: skip


def _f1(tp: int, guessed: int, true: int) -> float:
    return 2 * tp / (guessed + true) if guessed + true else 1.0


def _classes(keys: np.ndarray) -> np.ndarray:
    """``(S, 88)`` keys -> ``(S, 12)`` pitch classes sounding (key 0 is A, MIDI 21)."""
    classes = np.zeros((len(keys), 12), bool)
    for key in range(KEY_COUNT):
        classes[:, (key + 21) % 12] |= keys[:, key]
    return classes


def lower_notes(keys: np.ndarray, soprano: np.ndarray) -> np.ndarray:
    """The keys below each step's soprano key.  ``keys (T, 88)``, ``soprano (T,)`` -> (T, 88)"""
    return keys & (np.arange(KEY_COUNT)[None] < soprano[:, None])


def soprano_keys(roll: PianoRoll) -> tuple[np.ndarray, np.ndarray]:
    """``(sounding (T,) bool, key (T,))``: where the soprano sounds, and its key."""
    line = top_line(roll).keys
    return line.any(1), line.argmax(1)


def chord_table(train: list[PianoRoll]) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """The most common lower-note set under each soprano key, and under each pitch class."""
    by_key: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    by_class: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for roll in train:
        sounding, soprano = soprano_keys(roll)
        lower = lower_notes(roll.keys, soprano)
        for t in np.flatnonzero(sounding):
            chord = tuple(np.flatnonzero(lower[t]))
            by_key[int(soprano[t])][chord] += 1
            by_class[(int(soprano[t]) + 21) % 12][chord] += 1

    def most_common(table: dict[int, collections.Counter]) -> dict[int, np.ndarray]:
        out = {}
        for key, counts in table.items():
            out[key] = np.zeros(KEY_COUNT, bool)
            out[key][list(counts.most_common(1)[0][0])] = True
        return out

    return most_common(by_key), most_common(by_class)


def run(model_name: str, data: object, n: int) -> dict[str, tuple[float, float, float]]:
    model, _ = load_model(resolve(model_name), torch.device("cpu"))
    by_key, by_class = chord_table(data.split("train"))
    scores = {"harmonised": Score(), "unconditioned": Score(), "chord table": Score()}
    for roll in data.split("test"):
        sounding, soprano = soprano_keys(roll)
        truth = lower_notes(roll.keys, soprano)[sounding]
        result = harmonize(model, roll, n, seed=0).generation
        free = generate(model, len(roll), n, seed=0).rolls
        for candidate, unconditioned in zip(result.rolls, free):
            scores["harmonised"].add(lower_notes(candidate.keys, soprano)[sounding], truth)
            scores["unconditioned"].add(lower_notes(unconditioned.keys, soprano)[sounding], truth)
        table = np.array([by_key.get(int(k), by_class[(int(k) + 21) % 12]) for k in soprano])
        scores["chord table"].add(table[sounding], truth)
    return {name: score.figures() for name, score in scores.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", nargs="+", default=["srnn-jsb", "vrnn-jsb"])
    parser.add_argument("--n", type=int, default=4, help="candidates per chorale")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", help="folder with JSB Chorales.pickle (default: $MUSEVAE_DATA)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_dataset("jsb", args.data_dir)
    print(f"JSB test set: {len(data.split('test'))} chorales, {args.n} candidates each, seed 0")
    print(f"{'model':10} {'method':14} {'note F1':>8} {'pc F1':>7} {'exact':>7}")
    for name in args.model:
        start = time.perf_counter()
        for method, (note_f1, class_f1, exact) in run(name, data, args.n).items():
            print(f"{name:10} {method:14} {note_f1:8.3f} {class_f1:7.3f} {exact:7.3f}")
        print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
