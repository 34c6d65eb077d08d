"""What a tuning run yields; the CLI prints them, the app draws them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Started:
    out_dir: Path
    base: str  # the base model's card
    total_updates: int
    done_updates: int  # > 0 when resumed
    before: dict[str, float]  # each active rule's violation rate per step, base model
    history: tuple[dict[str, float], ...] = ()  # the done updates' records, when resumed


@dataclass(frozen=True)
class Step:
    """One update: means per step over the batch, in reward units and nats."""

    update: int
    reward: float  # the full reward, KL term included
    kl: float  # log p_tuned - log p_base: KL(tuned || base) estimate, nats per step
    music: float  # the rules' (and file's) part of the reward
    terms: dict[str, float] = field(default_factory=dict)  # violation rate per rule


@dataclass(frozen=True)
class Checkpoint:
    path: Path  # the card, loadable like any model's


@dataclass(frozen=True)
class Done:
    card: Path
    updates: int
    before: dict[str, float]
    after: dict[str, float]
    kl: float  # nats per step on the evaluation paths
    wall_s: float
