"""The one trainer for every model: a generator of events, cancelled by closing it.

``train`` starts a run in a folder and ``resume`` continues one; both yield the events of
:mod:`musevae.train.events`. Each update draws random crops, weights the KL term by the
warm-up schedule, clips the total gradient norm and takes an Adam step. After each epoch
the whole validation pieces are scored; the best model by validation ELBO is the
checkpoint (``model.json`` + ``model.safetensors``), and ``resume.*`` holds the latest
state. When training stops, the best model is scored on the test split and its card is
completed. Closing the generator (``GeneratorExit``) writes the resume state, and a
model card if none exists yet, so a cancelled run is loadable and resumable.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from musevae.data.dataset import Dataset
from musevae.data.pianoroll import KEY_COUNT
from musevae.errors import MusevaeError
from musevae.models.base import CarriesState, SequenceModel, State
from musevae.models.registry import build_model
from musevae.train.checkpoint import load_model
from musevae.train.config import TrainConfig
from musevae.train.distributed import SINGLE, Distributed
from musevae.train.evaluate import Evaluation, evaluate
from musevae.train.graphed_update import GraphedUpdate, UpdateInputs, UpdateOutputs, graphs_usable
from musevae.train import events as ev
from musevae.train.guard import NumericalGuard
from musevae.train.precision import forward_precision, precision_problem
from musevae.train.resume import Progress, ResumeState, load_resume, restore_optimizer
from musevae.train.run_folder import RunFolder, dataset_info
from musevae.train.sampling import BatchSource, CropSampler, StreamSampler
from musevae.train.schedule import kl_weight, learning_rate, updates_per_epoch, warmup_updates

CPU = torch.device("cpu")


class TrainingError(MusevaeError):
    """A run cannot start or go on: an occupied folder, another dataset, divergence."""


def train(
    model_kind: str,
    sizes: Mapping[str, Any],
    dataset: Dataset,
    config: TrainConfig,
    out_dir: str | Path,
    *,
    device: torch.device = CPU,
    dist: Distributed = SINGLE,
    batches: BatchSource | None = None,
    dataset_ref: str | None = None,
) -> Iterator[ev.Event]:
    """Train a fresh ``model_kind`` model with ``sizes`` on ``dataset`` into ``out_dir``.

    ``dataset_ref`` is how to load the dataset again on resume (a registry name or a
    path; default ``dataset.name``). ``batches`` replaces the random-crop sampler.
    """
    info = dataset_info(dataset, dataset_ref or dataset.name)
    folder = RunFolder(Path(out_dir), info, device, dist)
    if folder.is_used():
        raise TrainingError(
            f"{folder.path} already holds a training run; continue it with "
            f"--resume {folder.path}, or choose another output folder"
        )
    torch.manual_seed(config.seed)  # the initial weights
    model = build_model(model_kind, **sizes)
    run = _Run(model, dataset, folder, config, device, dist, batches)
    torch.manual_seed(dist.torch_seed(config.seed, 0))  # this process's latent noise
    yield from run.events()


def resume(
    out_dir: str | Path,
    dataset: Dataset,
    *,
    epochs: int | None = None,
    patience: int | None = None,
    device: torch.device = CPU,
    dist: Distributed = SINGLE,
    batches: BatchSource | None = None,
) -> Iterator[ev.Event]:
    """Continue the run in ``out_dir`` exactly where it stopped.

    A larger ``epochs`` or ``patience`` (0: never stop early) lets a run that had stopped
    for that reason go on; its test score is taken again at the new end.
    """
    state = load_resume(Path(out_dir))
    if state.dataset.get("name") != dataset.name:
        raise TrainingError(
            f"{out_dir} was trained on {state.dataset.get('name')!r}, not {dataset.name!r}"
        )
    limits = {"epochs": epochs, "patience": patience}
    config = dataclasses.replace(state.config, **{k: v for k, v in limits.items() if v is not None})
    if _may_go_on(state.progress, config):
        state.progress.stop_reason, state.progress.finished = None, False
    folder = RunFolder(Path(out_dir), state.dataset, device, dist)
    run = _Run(state.model, dataset, folder, config, device, dist, batches)
    run.continue_from(state)
    if dist.is_main:
        torch.set_rng_state(state.torch_rng)
        if state.cuda_rng and device.type == "cuda":
            torch.cuda.set_rng_state_all(state.cuda_rng)
    else:
        torch.manual_seed(dist.torch_seed(config.seed, state.progress.updates))
    yield from run.events()


def _sampler(train_split: list[np.ndarray], config: TrainConfig, dist: Distributed) -> BatchSource:
    """Random crops, or with ``carry_states`` the training split's streams in order."""
    if not config.carry_states:
        return CropSampler(
            train_split, config.seq_len, config.batch_size, config.augment_transpose, dist
        )
    if config.augment_transpose:
        raise TrainingError(
            "carry_states and augment_transpose do not mix: a transposed chunk no longer "
            "continues the one before it"
        )
    try:
        return StreamSampler(train_split, config.batch_size, dist)
    except ValueError as error:
        raise TrainingError(str(error)) from error


def _may_go_on(progress: Progress, config: TrainConfig) -> bool:
    """Whether a run that stopped at its limits has more to do under ``config``'s."""
    more_epochs = progress.epochs < config.epochs
    if progress.stop_reason == "epochs":
        return more_epochs
    if progress.stop_reason == "early stopping":
        return more_epochs and (config.patience == 0 or progress.bad_epochs < config.patience)
    return False


class _Run:
    """The state of one run and the steps that change it."""

    def __init__(
        self,
        model: SequenceModel,
        dataset: Dataset,
        folder: RunFolder,
        config: TrainConfig,
        device: torch.device,
        dist: Distributed,
        batches: BatchSource | None,
    ) -> None:
        problem = precision_problem(config.precision, device)
        if problem:
            raise TrainingError(problem)
        self.model = model.to(device).train()
        self.module = dist.wrap(self.model, device)
        self.optimizer = torch.optim.AdamW(  # Adam itself at weight_decay 0
            model.parameters(), lr=config.lr, eps=config.adam_eps, weight_decay=config.weight_decay
        )
        self.dataset, self.folder = dataset, folder
        self.config, self.device, self.dist = config, device, dist
        train_split = dataset.arrays("train")
        frames = sum(len(seq) for seq in train_split)
        self.per_epoch = updates_per_epoch(config, frames, dist.world_size)
        self.warmup = warmup_updates(config, self.per_epoch)
        self.batches = batches or _sampler(train_split, config, dist)
        if config.carry_states and not isinstance(model, CarriesState):
            raise TrainingError(
                f"the {model.kind} model cannot carry its state between chunks; "
                "only the SRNN trains with carry_states"
            )
        self.carry: State | None = None  # the last batch's end state, with carry_states
        self.graphed = (
            GraphedUpdate(self._forward_backward, self.model, config.batch_size,
                          config.seq_len, KEY_COUNT, device)  # fmt: skip
            if config.cuda_graphs and graphs_usable(device, dist.world_size, config.carry_states)
            else None
        )
        self.progress = Progress()
        self.rng = np.random.default_rng(config.seed)
        self.guard = NumericalGuard(config.bad_update_limit)
        self.guard.remember(self.model, self.optimizer, 0)
        self.best_state: dict[str, torch.Tensor] | None = None
        self.test: Evaluation | None = None
        self.clock = time.perf_counter()

    def continue_from(self, state: ResumeState) -> None:
        """Take over a saved run's counters, generator, optimizer and best weights."""
        self.progress, self.rng = state.progress, state.numpy_rng
        restore_optimizer(self.optimizer, state.optimizer_state)
        if self.progress.best_epoch and self.folder.card.is_file():
            self.best_state = load_model(self.folder.card)[0].state_dict()
        self.guard.remember(self.model, self.optimizer, self.progress.epochs)

    # --- the event stream ------------------------------------------------------------------
    def events(self) -> Iterator[ev.Event]:
        """All events on rank 0 (none elsewhere); closing it saves a resumable state."""
        inner = self._events()
        try:
            for event in inner:
                if self.dist.is_main:
                    yield event
        except GeneratorExit:
            inner.close()
            self._tick()
            if not self.folder.card.exists():
                self.folder.save_card(self.model, self.config, self.progress)
            self._save_resume()
            raise

    def _events(self) -> Iterator[ev.Event]:
        p = self.progress
        yield ev.Started(
            self.config.epochs * self.per_epoch, p.updates, self.per_epoch,
            str(self.device), self.dist.world_size, self.folder.path,
        )  # fmt: skip
        already_finished = p.finished
        while p.stop_reason is None:
            yield from self._train_epoch()
            yield from self._end_epoch()
        if not p.finished:
            yield from self._finish()
        reason = "already finished" if already_finished else str(p.stop_reason)
        yield ev.Done(
            ev.Summary(
                reason, p.epochs, p.updates, p.best_epoch, p.best_elbo, self.test,
                p.wall_s, self.folder.card,
            )  # fmt: skip
        )

    # --- training ----------------------------------------------------------------------------
    def _train_epoch(self) -> Iterator[ev.Event]:
        p = self.progress
        self._set_lr()
        while p.updates < (p.epochs + 1) * self.per_epoch:
            yield self._update()
            if self.guard.must_restore:
                yield self._recover()

    def _set_lr(self) -> None:
        lr = learning_rate(self.config, self.progress.epochs) * self.progress.lr_scale
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def _update(self) -> ev.Step | ev.Skipped:
        """One update; a non-finite loss or gradient leaves the parameters as they were."""
        started, p, world = time.perf_counter(), self.progress, self.dist.world_size
        batch = self.batches(self.rng, p.updates)
        weight = kl_weight(p.updates, self.config.kl_start, self.warmup)
        x, mask = batch.x.to(self.device), batch.mask.to(self.device)
        scale = world / batch.frames  # DDP averages ranks
        if self.graphed is not None and self.graphed.fits(x):
            out = self.graphed(x, mask, weight, scale)
        else:  # a graph's gradients must keep their memory: zero them, never drop them
            self.optimizer.zero_grad(set_to_none=self.graphed is None)
            if self.config.carry_states:
                start = self.carry if batch.carry else None
                with forward_precision(self.config.precision, self.device):
                    terms, self.carry = self.module(x, mask, weight, carry=True, start=start)
                out = self._backward(terms.log_px, terms.kl, weight, scale)
            else:
                out = self._forward_backward(UpdateInputs(x, mask, weight, scale))  # type: ignore[arg-type]
        norm = float(out.grad_norm)
        log_px, kl = (self.dist.all_reduce_sum(out.sums) / batch.frames).tolist()
        p.updates += 1
        problem = self.guard.problem(log_px, kl, norm)
        self.guard.record(problem)
        if problem:
            self.carry = None  # the next chunk must not start from a non-finite state
            p.epoch_skipped += 1
            return ev.Skipped(p.updates, p.epochs + 1, problem, self.guard.bad_in_row)
        self.optimizer.step()
        p.epoch_elbo += (log_px - kl) * batch.frames
        p.epoch_frames += batch.frames
        rate = batch.frames / (time.perf_counter() - started)
        lr = self.optimizer.param_groups[0]["lr"]
        loss_value = -(log_px - weight * kl)
        return ev.Step(p.updates, p.epochs + 1, loss_value, log_px, kl, weight, lr, norm, rate)

    def _forward_backward(self, inputs: UpdateInputs) -> UpdateOutputs:
        """Loss and gradients of a batch with no carried state: what a CUDA graph records."""
        with forward_precision(self.config.precision, self.device):
            terms = self.module(inputs.x, inputs.mask, inputs.kl_weight)
        return self._backward(terms.log_px, terms.kl, inputs.kl_weight, inputs.scale)

    def _backward(
        self, log_px: torch.Tensor, kl: torch.Tensor, weight: float | torch.Tensor,
        scale: float | torch.Tensor,
    ) -> UpdateOutputs:  # fmt: skip
        """Gradients of the scaled negative ELBO, clipped; no host sync (graph-safe)."""
        sums = torch.stack([log_px.sum(), kl.sum()])
        (-(sums[0] - weight * sums[1]) * scale).backward()
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.clip_norm)
        return UpdateOutputs(sums.detach(), norm)

    def _recover(self) -> ev.Recovered:
        """Back to the last good state with a smaller learning rate; give up eventually."""
        p, config = self.progress, self.config
        p.recoveries += 1
        if p.recoveries > config.max_recoveries:
            raise TrainingError(
                f"training diverged: {config.bad_update_limit} non-finite updates in a row, "
                f"{config.max_recoveries} times, even after lowering the learning rate. "
                f"Try a smaller --lr (now {config.lr}) or a smaller model; the checkpoint "
                f"of the last finished epoch in {self.folder.path} is intact."
            )
        restored = self.guard.restore(self.model, self.optimizer)
        p.lr_scale *= config.recovery_lr_factor
        self._set_lr()
        return ev.Recovered(p.updates, p.epochs + 1, restored, p.lr_scale)

    # --- validation, checkpoints, the end ----------------------------------------------
    def _end_epoch(self) -> Iterator[ev.Event]:
        p, config = self.progress, self.config
        epoch, frames, lr = p.epochs + 1, p.epoch_frames, self.optimizer.param_groups[0]["lr"]
        train_elbo = p.epoch_elbo / frames if frames else math.nan
        yield ev.Epoch(epoch, p.updates, train_elbo, p.epoch_skipped, self._tick(), lr)
        valid = self._evaluate("valid", samples=0, accuracy=False).elbo.frame_weighted
        improved = math.isfinite(valid) and (p.best_elbo is None or valid > p.best_elbo)
        if improved:
            p.best_elbo, p.best_epoch, p.bad_epochs = valid, epoch, 0
            self.best_state = copy.deepcopy(self.model.state_dict())
        else:
            p.bad_epochs += 1
        p.history.append({"epoch": epoch, "train_elbo": train_elbo, "valid_elbo": valid})
        p.epochs, p.epoch_elbo, p.epoch_frames, p.epoch_skipped = epoch, 0.0, 0.0, 0
        if p.epochs >= config.epochs:
            p.stop_reason = "epochs"
        elif config.patience and p.bad_epochs >= config.patience:
            p.stop_reason = "early stopping"
        left = max(config.patience - p.bad_epochs, 0) if config.patience else None
        best = p.best_elbo if p.best_elbo is not None else math.nan
        yield ev.Validation(epoch, valid, best, p.best_epoch, improved, left)
        if math.isfinite(valid):
            self.guard.remember(self.model, self.optimizer, p.epochs)
        self._tick()
        if improved:
            self.folder.save_card(self.model, config, p)
        self._save_resume()
        yield ev.Checkpoint(self.folder.card, "best" if improved else "epoch")

    def _finish(self) -> Iterator[ev.Event]:
        """Score the best model on the test split and complete its card."""
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)
        self.test = self._evaluate("test", samples=self.config.test_samples, accuracy=True)
        yield ev.Evaluated(self.test)
        self.progress.finished = True
        self._tick()
        self.folder.save_card(self.model, self.config, self.progress, self.test.to_dict())
        self._save_resume()
        yield ev.Checkpoint(self.folder.card, "final")

    def _evaluate(self, split: str, samples: int, accuracy: bool) -> Evaluation:
        return evaluate(
            self.model, self.dataset.arrays(split), split, samples=samples,
            accuracy=accuracy, batch_size=self.config.eval_batch_size, dist=self.dist,
        )  # fmt: skip

    def _save_resume(self) -> None:
        p, config = self.progress, self.config
        self.folder.save_resume(self.model, self.optimizer, self.rng, config, p)

    def _tick(self) -> float:
        """Seconds since the last tick, added to the run's wall time."""
        now = time.perf_counter()
        elapsed, self.clock = now - self.clock, now
        self.progress.wall_s += elapsed
        return elapsed
