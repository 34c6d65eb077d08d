"""The folder a training run writes: the best model's checkpoint and the resume state.

``model.json`` + ``model.safetensors`` is the best model by validation ELBO (what
``load_model`` and ``musevae eval`` read); ``resume.json`` + ``resume.safetensors`` is
the latest state, for ``--resume``. Under ``torchrun`` only rank 0 writes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import torch

from musevae.data.dataset import Dataset
from musevae.models.base import SequenceModel
from musevae.train.checkpoint import CARD_NAME, save_model
from musevae.train.config import TrainConfig
from musevae.train.device import hardware_string
from musevae.train.distributed import Distributed
from musevae.train.resume import Progress, has_run, save_resume


def dataset_info(dataset: Dataset, ref: str) -> dict[str, Any]:
    """What the card says about the data: its name, how to load it again, its time grid."""
    rolls = [roll for split in ("train", "valid", "test") for roll in dataset.split(split)]
    grid = {"step_beats": rolls[0].step_beats, "tempo": rolls[0].tempo} if rolls else {}
    return {"name": dataset.name, "ref": ref, "source": dataset.source, **grid}


class RunFolder:
    """Writes one run's files; ``dataset`` says what it trains on and how to reload it."""

    def __init__(
        self, path: Path, dataset: dict[str, Any], device: torch.device, dist: Distributed
    ) -> None:
        self.path = path
        self.dataset = dataset
        self.hardware = hardware_string(device, dist.world_size)
        self.writes = dist.is_main

    @property
    def card(self) -> Path:
        return self.path / CARD_NAME

    def is_used(self) -> bool:
        return has_run(self.path) or self.card.exists()

    def save_card(
        self,
        model: SequenceModel,
        config: TrainConfig,
        progress: Progress,
        test: dict[str, Any] | None = None,
    ) -> None:
        """Write ``model`` as the run's checkpoint, with the run's facts in its card."""
        if not self.writes:
            return
        metrics: dict[str, Any] = {"valid_elbo": progress.best_elbo}
        if test is not None:
            metrics["test"] = test
        training = {
            "config": config.to_dict(),
            "epochs": progress.epochs,
            "updates": progress.updates,
            "best_epoch": progress.best_epoch,
            "stop_reason": progress.stop_reason,
            "finished": progress.finished,
            "wall_time_s": progress.wall_s,
            "hardware": self.hardware,
        }
        info = {"dataset": self.dataset, "training": training, "metrics": metrics}
        save_model(self.card, model, info)

    def save_resume(
        self,
        model: SequenceModel,
        optimizer: torch.optim.Optimizer,
        rng: np.random.Generator,
        config: TrainConfig,
        progress: Progress,
    ) -> None:
        """Write the latest state, from which ``resume`` continues exactly."""
        if not self.writes:
            return
        info = {
            "dataset": self.dataset,
            "config": config.to_dict(),
            "progress": dataclasses.asdict(progress),
        }
        save_resume(self.path, model, optimizer, rng, info)
