"""The model library: pretrained models shipped in ``models/`` and the user's own runs.

A model is found by a path (a card, its weights, or a training folder) or by name: the
card's file stem for shipped models (``models/jsb-srnn.json`` is ``jsb-srnn``) and the
folder name for the user's training runs (``<user models>/jsb-srnn-20261122/model.json``).
A scan verifies every checkpoint it lists (see :func:`~musevae.train.checkpoint.verify`);
finding one by name does not, since loading it checks it anyway.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from musevae.errors import CheckpointError
from musevae.paths import bundled_models_dir, user_models_dir
from musevae.train.checkpoint import CARD_NAME, card_path, verify


@dataclasses.dataclass(frozen=True)
class ModelEntry:
    """One verified checkpoint in the library, with its card."""

    name: str
    card_path: Path
    origin: str  # "shipped" (models/), "yours" (a training run) or "opened" (from anywhere)
    card: dict[str, Any]
    notice: str = ""  # what the owner should know (say, a renamed pair); "" when nothing

    @property
    def bundled(self) -> bool:
        return self.origin == "shipped"


@dataclasses.dataclass(frozen=True)
class Problem:
    """A file that looked like a checkpoint but cannot be used, and why; ``path`` is its
    card where there is one."""

    name: str
    path: Path
    origin: str  # as ModelEntry.origin
    reason: str


@dataclasses.dataclass(frozen=True)
class Library:
    """What a scan found: usable models, and files that looked like models but are not."""

    entries: list[ModelEntry]
    problems: list[Problem]


def model_name(path: Path) -> str:
    """A checkpoint's name: a training run's folder name, else the card's file stem."""
    if path.is_dir():
        return path.name
    return path.parent.name if path.name == CARD_NAME else path.stem


def examine(path: Path, origin: str, name: str | None = None) -> ModelEntry | Problem:
    """The checkpoint at ``path`` (see :func:`card_path`), verified, or why it is unusable.

    Verifying hashes the weights and checks their header and shapes against the card,
    so a damaged file is listed as such rather than failing when it is first used.
    """
    where = Path(path)
    try:
        where = card_path(path)
        checked = verify(where)
    except CheckpointError as error:
        return Problem(name or model_name(where), where, origin, str(error))
    return ModelEntry(name or model_name(where), where, origin, checked.card, checked.notice)


def _shipped() -> list[tuple[str, Path, str]]:
    return [(p.stem, p, "shipped") for p in sorted(bundled_models_dir().glob("*.json"))]


def _candidates(user_dir: Path | None) -> list[tuple[str, Path, str]]:
    folder = user_models_dir() if user_dir is None else user_dir
    runs = sorted(folder.glob(f"*/{CARD_NAME}")) if folder.is_dir() else []
    return _shipped() + [(p.parent.name, p, "yours") for p in runs]


def _examined(candidates: list[tuple[str, Path, str]]) -> Library:
    found = [examine(path, origin, name) for name, path, origin in candidates]
    entries = [f for f in found if isinstance(f, ModelEntry)]
    return Library(entries, [f for f in found if isinstance(f, Problem)])


def scan(user_dir: Path | None = None) -> Library:
    """Every checkpoint in the shipped and user folders, verified but not loaded."""
    return _examined(_candidates(user_dir))


def scan_shipped() -> Library:
    """The shipped models alone, verified: what a data set's default is chosen from,
    without hashing every training run in the user's folder."""
    return _examined(_shipped())


def step_beats_of(card: dict[str, Any]) -> float:
    """The time grid the model learnt from (JSB: quarter notes; eighth notes if unsaid)."""
    dataset = card.get("dataset")
    value = dataset.get("step_beats") if isinstance(dataset, dict) else None
    return float(value) if isinstance(value, (int, float)) and value > 0 else 0.5


def _holds_model(path: Path) -> bool:
    try:
        card_path(path)
    except CheckpointError:
        return False
    return True


def named(name_or_path: str | os.PathLike[str], user_dir: Path | None = None) -> Path | None:
    """The card of a path that holds a model, else of the library model of that name;
    None when it is neither (a data set's name, say: see :mod:`musevae.train.defaults`)."""
    path = Path(name_or_path).expanduser()
    if _holds_model(path):
        return path
    for name, card, _ in _candidates(user_dir):
        if name == str(name_or_path):
            return card  # loading it checks it (listing names verifies nothing)
    return None


def resolve(name_or_path: str | os.PathLike[str], user_dir: Path | None = None) -> Path:
    """The card path for a model name or a path; a clear error naming what exists.

    A path that holds a model wins over a name; a path that holds none (say a folder of
    music generated by the model of that name) does not hide the model.
    """
    found = named(name_or_path, user_dir)
    if found is not None:
        return found
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path  # loading it says what is missing
    names = ", ".join(name for name, _, _ in _candidates(user_dir)) or "none yet"
    raise CheckpointError(
        f"no model called {str(name_or_path)!r} and no such file; models available: {names}"
    )
