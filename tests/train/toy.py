"""Tiny datasets and model sizes that make a training test take a second or two."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path


from musevae.data.dataset import Dataset
from musevae.data.pianoroll import PianoRoll
from musevae.models.config import ModelConfig
from musevae.models.registry import MODELS, config_class
from musevae.train.config import TrainConfig

KINDS = sorted(MODELS)  # every model kind registered so far


def _piece(steps: int, offset: int) -> list[list[int]]:
    """A repeating three-chord pattern: learnable, polyphonic, in the middle of the keys."""
    chords = ([60, 64, 67], [62, 65, 69], [59, 62, 67])
    return [[note + offset for note in chords[t % 3]] for t in range(steps)]


def toy_splits() -> dict[str, list[list[list[int]]]]:
    """Splits in the benchmark pickles' layout: pieces of steps of MIDI note numbers."""
    return {
        "train": [_piece(40, 0), _piece(25, 2), _piece(33, -3)],
        "valid": [_piece(20, 1), _piece(12, 0)],
        "test": [_piece(18, -1), _piece(9, 0)],
    }


def toy_dataset(name: str = "toy") -> Dataset:
    splits = {
        split: [PianoRoll.from_notes(piece) for piece in pieces]
        for split, pieces in toy_splits().items()
    }
    return Dataset(name, splits)


def stream_dataset() -> Dataset:
    """Six 12-step chunks: three streams of two (chunk i continued by chunk i + 3)."""
    chunks = [PianoRoll.from_notes([[60 + i + t % 3] for t in range(12)]) for i in range(6)]
    return Dataset("streams", {"train": chunks, "valid": chunks[:2], "test": chunks[2:4]})


def write_toy_pickle(folder: Path) -> Path:
    """The toy set as a Boulanger-style ``.pickle`` in ``folder`` (a test's tmp_path)."""
    path = folder / "toy.pickle"
    path.write_bytes(pickle.dumps(toy_splits(), protocol=2))
    return path


def tiny_sizes(kind: str) -> dict[str, int]:
    """Every whole-number size of ``kind``'s own config cut down to at most 6 (not the
    emission's settings, which every model shares)."""
    shared = {field.name for field in dataclasses.fields(ModelConfig)}
    return {
        field.name: min(field.default, 6)
        for field in dataclasses.fields(config_class(kind))
        if field.type == "int" and isinstance(field.default, int) and field.name not in shared
    }


def quick_config(**changes: object) -> TrainConfig:
    """A few updates per epoch on short crops; no importance sampling unless asked."""
    base = TrainConfig(
        epochs=2, batch_size=3, seq_len=12, updates_per_epoch=3, test_samples=0, seed=1
    )
    return dataclasses.replace(base, **changes)

