"""A tuning run's folder: the tuned model as a normal checkpoint, plus what resumes it.

``model.json`` + ``model.safetensors`` is the tuned copy, a card like any other (so
``eval``, ``generate``, ``play`` and the app open it) with a ``tuning`` section naming the
base model, the rules and weights, the KL weight and the before/after rates.
``tune.json`` + ``tune.safetensors`` hold the latest weights, Adam's state and the
sampler's random state, so ``musevae tune --resume`` continues exactly. The JSON is
written last, as a card is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from musevae import __version__
from musevae.errors import CheckpointError, MusevaeError
from musevae.models.base import SequenceModel
from musevae.train.checkpoint import (
    CARD_NAME,
    build_checked,
    check_format,
    load_tensors,
    read_json,
    save_model,
    save_tensors,
    write_json,
)
from musevae.train.resume import state_tensors
from musevae.tune.config import TuneConfig

FORMAT = "musevae-tune"
FORMAT_VERSION = 1
STATE_NAME = "tune.json"
TENSORS_NAME = "tune.safetensors"


@dataclass
class TuneProgress:
    updates: int = 0
    wall_s: float = 0.0
    finished: bool = False
    before: dict[str, float] = field(default_factory=dict)  # violation rates, base model
    after: dict[str, float] = field(default_factory=dict)  # the same, tuned (when finished)
    kl: float | None = None  # nats per step on the evaluation paths (when finished)
    history: list[dict[str, float]] = field(default_factory=list)  # per update


@dataclass
class TuneRun:
    """What a run needs besides the live model and optimizer: all of it goes in the card."""

    base: dict[str, Any]  # "card" (path), "name", "kind", "weights_sha256"
    dataset: dict[str, Any]  # the base card's, so the tuned copy has the same time grid
    config: TuneConfig
    reward_file: dict[str, str] | None  # "path", "sha256"
    progress: TuneProgress


def save_card(folder: Path, model: SequenceModel, run: TuneRun, figures: list[str]) -> Path:
    """Write the tuned model as the folder's checkpoint."""
    progress = run.progress
    tuning = {
        "base": run.base,
        "config": run.config.to_dict(),
        "rules": run.config.active(),
        "kl_weight": run.config.kl_weight,
        "reward_file": run.reward_file,
        "updates": progress.updates,
        "finished": progress.finished,
        "wall_time_s": progress.wall_s,
        "violation_rate_before": progress.before,
        "violation_rate_after": progress.after,
        "kl_per_step": progress.kl,
        "figures": figures,
    }
    return save_model(folder / CARD_NAME, model, {"dataset": run.dataset, "tuning": tuning})


def save_state(
    folder: Path, model: SequenceModel, optimizer: torch.optim.Optimizer,
    generator: torch.Generator, run: TuneRun,
) -> None:
    """Write everything :func:`load_state` needs to continue the run exactly."""
    tensors, scalars = state_tensors(model, optimizer)
    tensors["rng.sampler"] = generator.get_state()
    sha256 = save_tensors(folder / TENSORS_NAME, tensors)
    write_json(folder / STATE_NAME, {
        "format": FORMAT, "format_version": FORMAT_VERSION, "musevae_version": __version__,
        "model": {"kind": model.kind, "config": model.config.to_dict()},
        "base": run.base, "dataset": run.dataset, "config": run.config.to_dict(),
        "reward_file": run.reward_file, "progress": asdict(run.progress),
        "optimizer_scalars": scalars, "tensors": {"file": TENSORS_NAME, "sha256": sha256},
    })  # fmt: skip


@dataclass
class LoadedState:
    model: SequenceModel
    run: TuneRun
    optimizer_state: dict[int, dict[str, Any]]
    sampler_rng: Tensor


def load_state(folder: Path) -> LoadedState:
    """Read a folder written by :func:`save_state`; every problem is a CheckpointError."""
    where = Path(folder) / STATE_NAME
    if not where.is_file():
        raise CheckpointError(f"{folder} holds no tuning run to resume ({STATE_NAME} is missing)")
    data = read_json(where, "tuning state")
    check_format(data, where, FORMAT, FORMAT_VERSION)
    try:
        tensors = load_tensors(Path(folder) / TENSORS_NAME, data["tensors"]["sha256"])
        weights = {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}
        model = build_checked(data["model"]["kind"], data["model"]["config"], weights, where)
        run = TuneRun(
            base=dict(data["base"]), dataset=dict(data["dataset"]),
            config=TuneConfig.from_dict(data["config"]), reward_file=data["reward_file"],
            progress=TuneProgress(**data["progress"]),
        )  # fmt: skip
        optimizer_state: dict[int, dict[str, Any]] = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                index, name = key[6:].split(".", 1)
                optimizer_state.setdefault(int(index), {})[name] = value
        for index, values in data["optimizer_scalars"].items():
            optimizer_state.setdefault(int(index), {}).update(values)
        return LoadedState(model, run, optimizer_state, tensors["rng.sampler"])
    except CheckpointError:
        raise
    except (MusevaeError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise CheckpointError(f"{where} is damaged ({type(error).__name__}: {error})") from None
