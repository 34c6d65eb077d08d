"""One update's forward, loss, backward and clipping, replayed from a CUDA graph.

On a GPU an update of the SRNN or the VRNN is thousands of small kernels (a z-chain or
a GRU cell per time step), each launched from Python: the chip waits on the launch
queue, and a user with a GPU trains hardly faster than on a laptop. A CUDA graph
records the kernels of one update once and replays them all with one launch.

A graph replays fixed shapes at fixed addresses, so the update reads its inputs from
buffers of one shape: each batch is copied in, padded to ``(batch, seq_len)`` with
masked-out frames (which change no loss term), and the KL weight and the loss's scale
are device tensors, not Python numbers. The parameters' gradients live in the graph's
own memory: the trainer must never set them to None while a graph holds them.

Where there is no CUDA, :class:`GraphedUpdate` runs the very same function on the same
buffers directly, so everything but the recording itself is exercised on any machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import Tensor, nn

WARMUP_CALLS = 3  # eager calls on a side stream before recording, as CUDA graphs need


class UpdateInputs(NamedTuple):
    """The buffers an update reads: x (B, T, 88), mask (B, T), KL weight (), scale ()."""

    x: Tensor
    mask: Tensor
    kl_weight: Tensor
    scale: Tensor


class UpdateOutputs(NamedTuple):
    """What an update leaves: (log p(x) summed, KL summed) (2,), the gradient norm ()."""

    sums: Tensor
    grad_norm: Tensor


UpdateFn = Callable[[UpdateInputs], UpdateOutputs]


def graphs_usable(device: torch.device, world_size: int, carry_states: bool) -> bool:
    """Whether a run can replay its updates from a graph: CUDA, one process (DDP's
    all-reduce hooks are not recorded here), and no state carried between batches (its
    start state would change from batch to batch)."""
    return device.type == "cuda" and world_size == 1 and not carry_states


class GraphedUpdate:
    """``update`` on static buffers: recorded on the first CUDA call, replayed after."""

    def __init__(
        self, update: UpdateFn, model: nn.Module, batch: int, steps: int, keys: int,
        device: torch.device,
    ) -> None:  # fmt: skip
        self.update, self.model, self.device = update, model, device
        self.inputs = UpdateInputs(
            torch.zeros(batch, steps, keys, device=device),
            torch.zeros(batch, steps, device=device),
            torch.zeros((), device=device),
            torch.zeros((), device=device),
        )
        self.outputs: UpdateOutputs | None = None
        self.graph: torch.cuda.CUDAGraph | None = None

    def fits(self, x: Tensor) -> bool:
        """A batch of this many rows and at most this many steps can go through."""
        b, t, _ = self.inputs.x.shape
        return x.shape[0] == b and x.shape[1] <= t

    def __call__(self, x: Tensor, mask: Tensor, kl_weight: float, scale: float) -> UpdateOutputs:
        steps = x.shape[1]
        self.inputs.x[:, :steps].copy_(x)
        self.inputs.x[:, steps:].zero_()
        self.inputs.mask[:, :steps].copy_(mask)
        self.inputs.mask[:, steps:].zero_()
        self.inputs.kl_weight.fill_(kl_weight)
        self.inputs.scale.fill_(scale)
        if self.device.type != "cuda":
            self.model.zero_grad(set_to_none=True)
            return self.update(self.inputs)
        if self.graph is None:
            self.outputs = self._record()
        assert self.graph is not None and self.outputs is not None
        self.graph.replay()
        return self.outputs

    def _record(self) -> UpdateOutputs:
        side = torch.cuda.Stream(self.device)
        side.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(side):  # warm-up: lazy allocations happen outside the graph
            for _ in range(WARMUP_CALLS):
                self.model.zero_grad(set_to_none=True)
                self.update(self.inputs)
        torch.cuda.current_stream(self.device).wait_stream(side)
        self.model.zero_grad(set_to_none=True)  # the graph allocates the gradients it fills
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            outputs = self.update(self.inputs)
        return outputs
