from __future__ import annotations


import torch

# Tiny sizes for every model; "srnn-filter" is the filtering variant without Resq.
TINY: dict[str, tuple[str, dict[str, object]]] = {
    "rnn": ("rnn", {"hidden": 8}),
    "storn": ("storn", {"hidden": 8, "z_dim": 3}),
    "vrnn": ("vrnn", {"h_dim": 8, "z_dim": 3, "hidden": 10}),
    "srnn": ("srnn", {"d_dim": 8, "z_dim": 3, "a_dim": 6, "hidden": 10}),
    "srnn-filter": (
        "srnn",
        {"d_dim": 8, "z_dim": 3, "a_dim": 6, "hidden": 10, "inference": "filter", "resq": False},
    ),
}
LATENT = ["storn", "vrnn", "srnn", "srnn-filter"]



def roll(batch: int, steps: int, seed: int = 0) -> torch.Tensor:
    """A random 0/1 piano roll (B, T, 88) with about 9 keys down per frame."""
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(batch, steps, 88, generator=generator) < 0.1).float()
