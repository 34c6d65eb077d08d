"""Numerical safety: skip non-finite updates, and fall back to a good state if they persist.

A single NaN batch (an odd crop, an overflow) should cost one update, not the run; many
in a row mean the parameters themselves have gone bad, so the guard restores the last
state that validated finitely and the trainer lowers the learning rate. Every skip and
every restore is reported as an event: nothing here is silent.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import torch
from torch import nn


class NumericalGuard:
    """Counts non-finite updates in a row and keeps the state to fall back to."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.bad_in_row = 0
        self.good_epochs = 0
        self._model: dict[str, torch.Tensor] = {}
        self._optimizer: dict[str, Any] = {}

    @staticmethod
    def problem(log_px: float, kl: float, grad_norm: float) -> str | None:
        """Why an update must be skipped, or None when all its numbers are finite."""
        if not (math.isfinite(log_px) and math.isfinite(kl)):
            return "non-finite loss"
        if not math.isfinite(grad_norm):
            return "non-finite gradient"
        return None

    def record(self, problem: str | None) -> None:
        self.bad_in_row = self.bad_in_row + 1 if problem else 0

    @property
    def must_restore(self) -> bool:
        return self.bad_in_row >= self.limit

    def remember(
        self, model: nn.Module, optimizer: torch.optim.Optimizer, epochs: int
    ) -> None:
        """Keep copies of a good state (taken after ``epochs`` epochs)."""
        self.good_epochs = epochs
        self._model = copy.deepcopy(model.state_dict())
        self._optimizer = copy.deepcopy(optimizer.state_dict())

    def restore(self, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
        """Put the remembered state back; returns the epoch count it was taken after."""
        model.load_state_dict(self._model)
        # load_state_dict may keep the given tensors: hand it a copy, keep ours pristine.
        optimizer.load_state_dict(copy.deepcopy(self._optimizer))
        self.bad_in_row = 0
        return self.good_epochs
