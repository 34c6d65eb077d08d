"""Training in bfloat16 where the hardware multiplies it natively (``TrainConfig.precision``).

The forward pass runs under autocast: the wide layers' multiplies (the MLPs and emissions
over all steps, the fused recurrences) take bfloat16 inputs and sum in float32, which on
a CPU with AVX512-BF16 or AMX runs them 1.4-1.7x faster per training step (see
docs/speed.md); the loss and every reduction stay float32, and the per-step loops stay
float32 (``models.full_precision``). Where bfloat16 would only be emulated it is slower
than float32, so asking for it there is an error, not a silent slowdown.
"""

from __future__ import annotations

import contextlib

import torch

from musevae.models.step_kernels import BF16_MULTIPLIES


def native_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` multiplies bfloat16 natively."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return device.type == "cpu" and BF16_MULTIPLIES


def precision_problem(precision: str, device: torch.device) -> str | None:
    """Why ``precision`` cannot train on ``device``, or None."""
    if precision == "bfloat16" and not native_bfloat16(device):
        return (f"bfloat16 training needs a device that multiplies bfloat16 natively (a CPU "
                f"with AVX512-BF16 or AMX, or a recent GPU); on {device} it would be slower "
                f"than float32: train with precision float32")  # fmt: skip
    return None


def forward_precision(precision: str, device: torch.device) -> contextlib.AbstractContextManager[object]:
    """The context the training forward pass runs in."""
    if precision == "float32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)
