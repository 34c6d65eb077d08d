"""Running the same training under ``torchrun``: one process per device, DDP in between.

Only this module knows about process groups. Everything else asks a :class:`Distributed`
value for its rank, for a sum over processes, or for the module to call during training;
with one process those are plain pass-throughs, so single-process training takes the
same code path.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch
import torch.distributed as dist
from torch import Tensor, nn

from musevae.models.base import CarriesState, ElboTerms, SequenceModel, State
from musevae.train.device import resolve_device

T = TypeVar("T")


class ElboForward(nn.Module):
    """Makes ``model.elbo`` the module's ``forward``: DDP synchronises gradients only for
    calls that go through ``forward``."""

    def __init__(self, model: SequenceModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, x: Tensor, mask: Tensor, kl_weight: float, carry: bool = False, start: State | None = None
    ) -> ElboTerms | tuple[ElboTerms, State]:
        """``model.elbo``; with ``carry``, ``model.elbo_from(start, ...)`` and the end state."""
        if carry:
            assert isinstance(self.model, CarriesState)  # checked when the run starts
            return self.model.elbo_from(start, x, mask, kl_weight)
        return self.model.elbo(x, mask, kl_weight)


@dataclass(frozen=True)
class Distributed:
    """This process's place in the job; the default is a job of one."""

    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0 writes checkpoints and reports events."""
        return self.rank == 0

    def wrap(self, model: SequenceModel, device: torch.device) -> nn.Module:
        """The module whose forward computes ELBO terms; gradients averaged across ranks."""
        module = ElboForward(model)
        if self.world_size == 1:
            return module
        ids = [device.index] if device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(module, device_ids=ids)

    def all_reduce_sum(self, values: Tensor) -> Tensor:
        """Element-wise sum of ``values`` over all processes (a copy; input untouched)."""
        total = values.clone()
        if self.world_size > 1:
            dist.all_reduce(total, op=dist.ReduceOp.SUM)
        return total

    def shard(self, items: Sequence[T]) -> list[T]:
        """This process's share of a list (every ``world_size``-th item)."""
        return list(items[self.rank :: self.world_size])

    def my_slice(self, global_batch: int) -> slice:
        """Rows of a global batch of ``global_batch`` rows that this process trains on."""
        per_rank = global_batch // self.world_size
        return slice(self.rank * per_rank, (self.rank + 1) * per_rank)

    def torch_seed(self, seed: int, updates: int) -> int:
        """Seed of this process's latent-sample noise after ``updates`` updates.

        Differs per rank so the processes do not draw identical noise.
        """
        return int(np.random.SeedSequence([seed, self.rank, updates]).generate_state(1)[0])


SINGLE = Distributed()


@contextlib.contextmanager
def from_environment(
    device_choice: str = "auto",
) -> Iterator[tuple[Distributed, torch.device]]:
    """Join the ``torchrun`` job described by the environment, if any, and pick a device.

    Without ``WORLD_SIZE`` > 1 this yields :data:`SINGLE`. Under ``torchrun`` it starts
    the process group (NCCL on GPUs, gloo on CPUs) and tears it down on exit.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = resolve_device(device_choice, local_rank)
    if world_size <= 1:
        yield SINGLE, device
        return
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    try:
        yield Distributed(dist.get_rank(), dist.get_world_size()), device
        dist.barrier()  # gloo aborts a process whose peer tears the group down mid-way
    finally:
        dist.destroy_process_group()
