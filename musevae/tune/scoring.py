"""The music-theory half of the reward for a batch of paths, and per-rule violation rates."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from musevae.tune.reward_file import RewardFile
from musevae.tune.rewards import RuleSettings, violations


def batch_violations(
    rolls: np.ndarray, names: tuple[str, ...], settings: RuleSettings, step_beats: float
) -> dict[str, np.ndarray]:
    """Each rule's violations of each roll of ``rolls (B, T, 88)`` bool: {name: (B, T)}."""
    per_roll = [violations(roll, settings, step_beats, names) for roll in rolls]
    return {name: np.stack([v[name] for v in per_roll]) for name in names}


def music_reward(
    terms: Mapping[str, np.ndarray], weights: Mapping[str, float],
    rolls: np.ndarray, reward_file: RewardFile | None, file_weight: float,
) -> tuple[np.ndarray, np.ndarray | None]:
    """``-sum_i w_i violation_i`` plus the file's weighted reward, (B, T); and the file's
    own reward (B, T) (None without a file)."""
    reward = -sum(weights[name] * terms[name] for name in terms)
    reward = np.zeros(rolls.shape[:2]) + reward
    own = None
    if reward_file is not None:
        own = np.stack([reward_file(roll) for roll in rolls])
        reward = reward + file_weight * own
    return reward, own


def rates(terms: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Each rule's violation rate per step (the mean over paths and steps)."""
    return {name: float(values.mean()) for name, values in terms.items()}
