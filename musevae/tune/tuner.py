"""The tuning loop: REINFORCE on the model's own paths, with a leave-one-out baseline.

Each update samples ``batch`` paths (x_{1:T}, z_{1:T}) from the tuned model and scores
every step with r_t = -sum_i w_i violation_i(t) [+ w_file file(t)]
- kl_weight * (log p_tuned - log p_base)(x_t, z_t | history), the base being the frozen
model the run started from. The return G_t = sum_{s>=t} discount^(s-t) r_s of each path
is compared with the mean return of the *other* paths of the batch at the same step
(leave-one-out, an unbiased baseline that needs no state of its own, so resuming is
exact without one), and the loss is -mean_t (G_t - b_t) log p_tuned(x_t, z_t | history).
The score function's expectation is zero, so including log p_tuned in the reward makes
this the gradient of E[sum r_music] - kl_weight * KL(p_tuned || p_base) (RL Tuner's
KL-regularised objective) up to the discount.

Like the trainer, the loop is a generator of events: closing it (Ctrl-C, Cancel in the
app) writes a loadable card and a resumable state first.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from musevae.errors import MusevaeError
from musevae.models.base import SequenceModel
from musevae.paths import bundled_models_dir
from musevae.train.checkpoint import load_model
from musevae.train.library import model_name, step_beats_of
from musevae.train.resume import restore_optimizer
from musevae.tune import events as ev
from musevae.tune.config import TuneConfig
from musevae.tune.figures import curves, violation_bars
from musevae.tune.policy import Path as Paths
from musevae.tune.policy import log_ratio, sample_paths
from musevae.tune.reward_file import RewardFile, RewardFileError, load_reward_file
from musevae.tune.scoring import batch_violations, music_reward, rates
from musevae.tune.state import TuneProgress, TuneRun, load_state, save_card, save_state

EVAL_SEED_OFFSET = 1_000_003  # the before/after paths' seed, apart from the training paths'
FIGURES = ("violations.svg", "curves.svg")


def discounted_returns(reward: Tensor, discount: float) -> Tensor:
    """G_t = r_t + discount * G_{t+1} along the last axis.  (B, T) -> (B, T)"""
    returns = torch.empty_like(reward)
    running = reward.new_zeros(reward.shape[0])
    for t in range(reward.shape[1] - 1, -1, -1):
        running = reward[:, t] + discount * running
        returns[:, t] = running
    return returns


def leave_one_out(returns: Tensor) -> Tensor:
    """Each path's baseline: the mean of the other paths' returns at the same step.  (B, T)"""
    batch = returns.shape[0]
    return (returns.sum(0, keepdim=True) - returns) / (batch - 1)


def tune(
    base_card: Path, out_dir: Path, config: TuneConfig, reward_file: Path | None = None,
    device: torch.device | str = "cpu",
) -> Iterator[Any]:
    """Events of a fresh run tuning a copy of the model at ``base_card`` into ``out_dir``."""
    out_dir = Path(out_dir).expanduser()
    _refuse_shipped_folder(out_dir)
    if (out_dir / "tune.json").exists() or (out_dir / "model.json").exists():
        raise MusevaeError(f"{out_dir} already holds a model; choose a new --out or --resume it")
    file = load_reward_file(reward_file) if reward_file is not None else None
    if file is None and config.file_weight > 0:
        raise MusevaeError("a reward-file weight needs a --reward-file")
    base, card = load_model(base_card, device)
    tuned, _ = load_model(base_card, device)
    run = TuneRun(
        base={"card": str(Path(base_card).resolve()), "name": model_name(Path(base_card)),
              "kind": base.kind, "weights_sha256": card["weights"]["sha256"]},
        dataset=dict(card.get("dataset") or {}), config=config,
        reward_file=None if file is None else {"path": str(file.path), "sha256": file.sha256},
        progress=TuneProgress(),
    )  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    yield from _loop(tuned, base, run, out_dir, file, None, None)


def resume(folder: Path, updates: int | None = None, device: torch.device | str = "cpu") -> Iterator[Any]:
    """Events of a run continued from its last state; ``updates`` raises its total."""
    loaded = load_state(Path(folder))
    run = loaded.run
    if updates is not None:
        run.config = dataclasses.replace(run.config, updates=updates)
    base, card = load_model(run.base["card"], device)
    if card["weights"]["sha256"] != run.base["weights_sha256"]:
        raise MusevaeError(f"the base model {run.base['card']} changed since this run started")
    file = None
    if run.reward_file is not None:
        file = load_reward_file(run.reward_file["path"])
        if file.sha256 != run.reward_file["sha256"]:
            raise RewardFileError(f"reward file {file.path}: it changed since this run started")
    tuned = loaded.model.to(device).eval()
    yield from _loop(tuned, base, run, Path(folder), file, loaded.optimizer_state, loaded.sampler_rng)


def _refuse_shipped_folder(out_dir: Path) -> None:
    shipped = bundled_models_dir().resolve()
    target = out_dir.resolve()
    if target == shipped or shipped in target.parents:
        raise MusevaeError(f"{out_dir} is inside the shipped models folder; tune into your own folder")


def _loop(
    tuned: SequenceModel, base: SequenceModel, run: TuneRun, out_dir: Path,
    file: RewardFile | None, optimizer_state: dict[int, dict[str, Any]] | None,
    sampler_rng: Tensor | None,
) -> Iterator[Any]:
    config, progress = run.config, run.progress
    weights = config.active()
    step_beats = step_beats_of({"dataset": run.dataset})
    base.requires_grad_(False)
    tuned.eval()  # the policy is the generative process as it samples: no dropout
    optimizer = torch.optim.Adam(tuned.parameters(), lr=config.lr)
    generator = torch.Generator(device=next(tuned.parameters()).device)
    generator.manual_seed(config.seed)
    if optimizer_state is not None:
        restore_optimizer(optimizer, optimizer_state)
    if sampler_rng is not None:
        generator.set_state(sampler_rng)
    if progress.updates == 0 and not progress.before:
        progress.before = _evaluate(base, base, config, step_beats, weights)[0]
    yield ev.Started(out_dir, run.base["card"], config.updates, progress.updates, progress.before,
                     tuple(progress.history))  # fmt: skip
    started = time.perf_counter() - progress.wall_s
    saved_at = progress.updates
    try:
        while progress.updates < config.updates:
            record = _update(tuned, base, optimizer, generator, config, weights, step_beats, file)
            progress.updates += 1
            progress.wall_s = time.perf_counter() - started
            progress.history.append(record)
            yield ev.Step(progress.updates, record["reward"], record["kl"], record["music"],
                          {k: record[k] for k in weights})  # fmt: skip
            if progress.updates % config.checkpoint_every == 0:
                _checkpoint(out_dir, tuned, optimizer, generator, run)
                saved_at = progress.updates
                yield ev.Checkpoint(out_dir / "model.json")
        progress.after, progress.kl = _evaluate(tuned, base, config, step_beats, weights)
        progress.finished = True
        card = _checkpoint(out_dir, tuned, optimizer, generator, run, figures=True)
        saved_at = progress.updates
        yield ev.Done(card, progress.updates, progress.before, progress.after, progress.kl,
                      progress.wall_s)  # fmt: skip
    finally:
        if progress.updates != saved_at or not (out_dir / "model.json").exists():
            _checkpoint(out_dir, tuned, optimizer, generator, run)  # closed early: keep it


def _update(
    tuned: SequenceModel, base: SequenceModel, optimizer: torch.optim.Optimizer,
    generator: torch.Generator, config: TuneConfig, weights: dict[str, float],
    step_beats: float, file: RewardFile | None,
) -> dict[str, float]:
    """One policy-gradient update; returns its per-step means for the curves."""
    paths = sample_paths(tuned, config.batch, config.length, generator)
    rolls = paths.x.bool().cpu().numpy()
    terms = batch_violations(rolls, tuple(weights), config.rules, step_beats)
    music, own = music_reward(terms, weights, rolls, file, config.file_weight)
    log_p, ratio = log_ratio(tuned, base, paths)
    reward = torch.from_numpy(music).to(ratio) - config.kl_weight * ratio  # (B, T)
    returns = discounted_returns(reward, config.discount)
    advantage = returns - leave_one_out(returns)
    loss = -(advantage * log_p).mean()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(tuned.parameters(), config.clip)
    optimizer.step()
    record = {"reward": float(reward.mean()), "kl": float(ratio.mean()), "music": float(music.mean())}
    record.update(rates(terms))
    if own is not None:
        record["file"] = float(own.mean())
    return record


@torch.no_grad()
def _evaluate(
    model: SequenceModel, base: SequenceModel, config: TuneConfig, step_beats: float,
    weights: dict[str, float],
) -> tuple[dict[str, float], float]:
    """Violation rates of every rule (active or not) and the KL per step to the base, on
    paths drawn with a fixed seed, the same before and after."""
    from musevae.tune.rewards import RULES

    generator = torch.Generator(device=next(model.parameters()).device)
    generator.manual_seed(config.seed + EVAL_SEED_OFFSET)
    paths: Paths = sample_paths(model, config.batch, config.length, generator)
    terms = batch_violations(paths.x.bool().cpu().numpy(), tuple(RULES), config.rules, step_beats)
    _, ratio = log_ratio(model, base, paths)
    return rates(terms), float(ratio.mean())


def _checkpoint(
    out_dir: Path, model: SequenceModel, optimizer: torch.optim.Optimizer,
    generator: torch.Generator, run: TuneRun, figures: bool = False,
) -> Path:
    names: list[str] = []
    if figures:
        violation_bars(out_dir / FIGURES[0], run.progress.before, run.progress.after)
        curves(out_dir / FIGURES[1], run.progress.history, ("reward", "kl"))
        names = list(FIGURES)
    save_state(out_dir, model, optimizer, generator, run)
    return save_card(out_dir, model, run, names)


def total_violation(rates_: dict[str, float], names: list[str] | tuple[str, ...]) -> float:
    """The summed violation rate of ``names`` (the README's headline number)."""
    return float(np.sum([rates_[name] for name in names]))
