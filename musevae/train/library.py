"""The model library: pretrained models shipped in ``models/`` and the user's own runs.

A model is found by a path (a card, its weights, or a training folder) or by name: the
card's file stem for shipped models (``models/jsb-srnn.json`` is ``jsb-srnn``) and the
folder name for the user's training runs (``<user models>/jsb-srnn-20261122/model.json``).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from musevae.errors import CheckpointError
from musevae.paths import bundled_models_dir, user_models_dir
from musevae.train.checkpoint import CARD_NAME, read_card


@dataclasses.dataclass(frozen=True)
class ModelEntry:
    """One checkpoint in the library, with its validated card."""

    name: str
    card_path: Path
    bundled: bool
    card: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Library:
    """What a scan found: usable models, and files that looked like models but are not."""

    entries: list[ModelEntry]
    problems: list[tuple[Path, str]]  # (card path, why it cannot be used)


def _candidates(user_dir: Path | None) -> list[tuple[str, Path, bool]]:
    shipped = sorted(bundled_models_dir().glob("*.json"))
    folder = user_models_dir() if user_dir is None else user_dir
    runs = sorted(folder.glob(f"*/{CARD_NAME}")) if folder.is_dir() else []
    return [(p.stem, p, True) for p in shipped] + [(p.parent.name, p, False) for p in runs]


def scan(user_dir: Path | None = None) -> Library:
    """Every model card in the shipped and user folders, checked but not loaded."""
    entries, problems = [], []
    for name, path, bundled in _candidates(user_dir):
        try:
            entries.append(ModelEntry(name, path, bundled, read_card(path)))
        except CheckpointError as error:
            problems.append((path, str(error)))
    return Library(entries, problems)


def step_beats_of(card: dict[str, Any]) -> float:
    """The time grid the model learnt from (JSB: quarter notes; eighth notes if unsaid)."""
    dataset = card.get("dataset")
    value = dataset.get("step_beats") if isinstance(dataset, dict) else None
    return float(value) if isinstance(value, (int, float)) and value > 0 else 0.5


def resolve(name_or_path: str | os.PathLike[str], user_dir: Path | None = None) -> Path:
    """The card path for a model name or a path; a clear error naming what exists."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path
    library = scan(user_dir)
    for entry in library.entries:
        if entry.name == str(name_or_path):
            return entry.card_path
    names = ", ".join(entry.name for entry in library.entries) or "none yet"
    raise CheckpointError(
        f"no model called {str(name_or_path)!r} and no such file; models available: {names}"
    )
