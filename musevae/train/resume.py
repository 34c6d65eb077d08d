"""Everything needed to continue a run exactly, saved without pickle.

``resume.safetensors`` holds the latest weights (``model.*``), Adam's per-parameter
tensors (``optim.<index>.<name>``) and torch's random-number state (``rng.*``);
``resume.json`` holds the counters, the settings, numpy's generator state (a plain dict)
and the tensor file's SHA-256. The JSON is written last, like a model card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from musevae import __version__
from musevae.errors import CheckpointError, MusevaeError
from musevae.models.base import SequenceModel
from musevae.train.checkpoint import (
    build_checked,
    check_format,
    load_tensors,
    read_json,
    save_tensors,
    write_json,
)
from musevae.train.config import TrainConfig

FORMAT = "musevae-resume"
FORMAT_VERSION = 1
STATE_NAME = "resume.json"
TENSORS_NAME = "resume.safetensors"


@dataclass
class Progress:
    """The run's counters; ``epochs`` counts epochs trained *and* validated."""

    updates: int = 0
    epochs: int = 0
    lr_scale: float = 1.0  # lowered by each numerical recovery
    best_elbo: float | None = None
    best_epoch: int = 0
    bad_epochs: int = 0  # validations in a row without improvement
    recoveries: int = 0
    wall_s: float = 0.0
    stop_reason: str | None = None  # set once training is over: "epochs", "early stopping"
    finished: bool = False  # the final test evaluation is in the card
    epoch_elbo: float = 0.0  # sums over the current epoch's finite updates, nats
    epoch_frames: float = 0.0
    epoch_skipped: int = 0
    history: list[dict[str, float]] = field(default_factory=list)  # per epoch, for plots


@dataclass
class ResumeState:
    """A run as read back from disk."""

    model: SequenceModel
    dataset: dict[str, Any]
    config: TrainConfig
    progress: Progress
    numpy_rng: np.random.Generator
    optimizer_state: dict[int, dict[str, Any]]
    torch_rng: Tensor
    cuda_rng: list[Tensor]


def has_run(folder: Path) -> bool:
    return (folder / STATE_NAME).is_file()



def state_tensors(
    model: SequenceModel, optimizer: torch.optim.Optimizer
) -> tuple[dict[str, Tensor], dict[str, dict[str, Any]]]:
    """The model's and the optimizer's state as safetensors entries ("model.*",
    "optim.<param>.<name>") and the optimizer's non-tensor values per parameter."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    scalars: dict[str, dict[str, Any]] = {}
    for index, values in optimizer.state_dict()["state"].items():
        for name, value in values.items():
            if isinstance(value, Tensor):
                tensors[f"optim.{index}.{name}"] = value
            else:
                scalars.setdefault(str(index), {})[name] = value
    return tensors, scalars

def save_resume(
    folder: Path,
    model: SequenceModel,
    optimizer: torch.optim.Optimizer,
    rng: np.random.Generator,
    info: dict[str, Any],
) -> None:
    """Write the run's state; ``info`` holds "dataset", "config" and "progress"."""
    tensors, scalars = state_tensors(model, optimizer)
    tensors["rng.torch"] = torch.get_rng_state()
    if torch.cuda.is_available() and any(p.is_cuda for p in model.parameters()):
        cuda = torch.cuda.get_rng_state_all()
        tensors.update({f"rng.cuda.{i}": state for i, state in enumerate(cuda)})
    sha256 = save_tensors(folder / TENSORS_NAME, tensors)
    write_json(
        folder / STATE_NAME,
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "musevae_version": __version__,
            "model": {"kind": model.kind, "config": model.config.to_dict()},
            **info,
            "numpy_rng": rng.bit_generator.state,
            "optimizer_scalars": scalars,
            "tensors": {"file": TENSORS_NAME, "sha256": sha256},
        },
    )


def load_resume(folder: Path) -> ResumeState:
    """Read a run folder written by :func:`save_resume`; every problem is a CheckpointError."""
    where = folder / STATE_NAME
    data = _read_state(folder)
    try:
        config = TrainConfig.from_dict(data["config"])
        progress = Progress(**data["progress"])
        tensors = load_tensors(folder / TENSORS_NAME, data["tensors"]["sha256"])
        weights = _prefixed(tensors, "model.")
        model = build_checked(data["model"]["kind"], data["model"]["config"], weights, where)
        return ResumeState(
            model=model,
            dataset=dict(data["dataset"]),
            config=config,
            progress=progress,
            numpy_rng=_generator(data["numpy_rng"]),
            optimizer_state=_optimizer_state(tensors, data["optimizer_scalars"]),
            torch_rng=tensors["rng.torch"],
            cuda_rng=[v for k, v in sorted(tensors.items()) if k.startswith("rng.cuda.")],
        )
    except CheckpointError:
        raise
    except (MusevaeError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise CheckpointError(
            f"{where} is damaged ({type(error).__name__}: {error})"
        ) from None


def saved_dataset(folder: Path) -> dict[str, Any]:
    """What a run folder says about its dataset ("name", "ref" to load it again, ...)."""
    data = _read_state(folder)
    dataset = data.get("dataset")
    if not (isinstance(dataset, dict) and isinstance(dataset.get("ref"), str)):
        raise CheckpointError(f"{folder} does not say which dataset the run trained on")
    return dataset


def _read_state(folder: Path) -> dict[str, Any]:
    where = Path(folder) / STATE_NAME
    if not where.is_file():
        raise CheckpointError(
            f"{folder} holds no training run to resume ({STATE_NAME} is missing)"
        )
    data = read_json(where, "resume file")
    check_format(data, where, FORMAT, FORMAT_VERSION)
    return data


def _generator(state: dict[str, Any]) -> np.random.Generator:
    """numpy's generator in the saved state (its setter checks the state's shape)."""
    rng = np.random.default_rng()
    rng.bit_generator.state = state
    return rng


def _prefixed(tensors: dict[str, Tensor], prefix: str) -> dict[str, Tensor]:
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def _optimizer_state(
    tensors: dict[str, Tensor], scalars: dict[str, dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Rebuild ``optimizer.state_dict()["state"]``: {param index: {name: value}}."""
    state: dict[int, dict[str, Any]] = {}
    for key, value in _prefixed(tensors, "optim.").items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    for index, values in scalars.items():
        state.setdefault(int(index), {}).update(values)
    return state


def restore_optimizer(
    optimizer: torch.optim.Optimizer, state: dict[int, dict[str, Any]]
) -> None:
    """Load saved per-parameter state; the hyper-parameters come from the TrainConfig."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for index, values in state.items():
        if not 0 <= index < len(params):
            raise CheckpointError(f"optimizer state for a weight {index} that does not exist")
        for name, value in values.items():
            shape = params[index].shape
            if isinstance(value, Tensor) and value.dim() and value.shape != shape:
                raise CheckpointError(f"optimizer state {index}.{name} does not fit")
    groups = optimizer.state_dict()["param_groups"]
    optimizer.load_state_dict({"state": state, "param_groups": groups})

