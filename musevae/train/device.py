"""Choosing the compute device once, at the edge (a CLI flag or a GUI setting).

Nothing in the core asks torch for "the" device: the choice made here is passed down, so
a test can pin the CPU and a script can run two models on two GPUs.
"""

from __future__ import annotations

import os
import platform

import torch

from musevae.errors import MusevaeError
from musevae.train.config import DEVICE_CHOICES


class DeviceError(MusevaeError):
    """The requested device does not exist on this machine."""


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def resolve_device(choice: str = "auto", local_rank: int = 0) -> torch.device:
    """``auto`` takes a CUDA GPU, then Apple's MPS, then the CPU.

    ``local_rank`` picks the GPU of this process when ``torchrun`` starts one per GPU.
    """
    if choice not in DEVICE_CHOICES:
        choices = ", ".join(DEVICE_CHOICES)
        raise DeviceError(f"unknown device {choice!r}; choose one of {choices}")
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "mps" if _mps_available() else "cpu"
    if choice == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                "--device cuda was asked for, but this torch build sees no CUDA GPU; "
                "use --device cpu (or auto), or install a CUDA build of torch"
            )
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    if choice == "mps" and not _mps_available():
        raise DeviceError("--device mps was asked for, but MPS is not available here")
    return torch.device(choice)


def hardware_string(device: torch.device, world_size: int = 1) -> str:
    """A one-line description of what trained a model, for its card."""
    if device.type == "cuda":
        what = torch.cuda.get_device_name(device)
    else:
        what = f"{platform.machine() or 'unknown'} CPU, {os.cpu_count()} cores"
    if world_size > 1:
        what = f"{world_size} x {what}"
    return f"{device.type}: {what}; torch {torch.__version__}"
