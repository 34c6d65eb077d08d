"""TrainConfig: every setting of a training run, frozen and saved inside the checkpoint.

The defaults follow the SRNN authors' music setup (Adam 1e-3 with eps 1e-4, batch 16,
100-step crops, gradient norm clipped at 1, KL weight 0.2 -> 1, learning rate divided by
1.2 per epoch from epoch 20), plus early stopping, which their 50 fixed epochs lack and
small sets like JSB need. ``from_dict`` is the door for a resume file from disk, so it
names unknown keys and bad values like the model configs do.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

from musevae.config import Settings, SettingsError

LR_SCHEDULES = ("decay", "constant")
TRAIN_PRECISIONS = ("float32", "bfloat16")  # of the wide layers in training; see precision.py
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")  # resolved by musevae.train.device


class TrainConfigError(SettingsError):
    """A training setting is unknown or out of range."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return number and math.isfinite(value)


# field -> (check, what the value must be); "None allowed" is handled by OPTIONAL.
_CHECKS: dict[str, tuple[Any, str]] = {
    "positive_int": (lambda v: _is_int(v) and v > 0, "a positive whole number"),
    "count": (lambda v: _is_int(v) and v >= 0, "a whole number >= 0"),
    "int": (_is_int, "a whole number"),
    "positive": (lambda v: _is_number(v) and v > 0, "a positive number"),
    "nonnegative": (lambda v: _is_number(v) and v >= 0, "a number >= 0"),
    "unit": (lambda v: _is_number(v) and 0 <= v <= 1, "a number between 0 and 1"),
    "factor": (lambda v: _is_number(v) and v >= 1, "a number >= 1"),
    "shrink": (lambda v: _is_number(v) and 0 < v < 1, "a number strictly between 0 and 1"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "schedule": (lambda v: v in LR_SCHEDULES, f"one of {', '.join(LR_SCHEDULES)}"),
    "precision": (lambda v: v in TRAIN_PRECISIONS, f"one of {', '.join(TRAIN_PRECISIONS)}"),
}


@dataclasses.dataclass(frozen=True)
class TrainConfig(Settings):
    """How to train; counts of updates and epochs, learning rates per Adam step.

    ``batch_size`` is per process: under ``torchrun`` the global batch is
    ``batch_size * world_size``. ``None`` for ``kl_warmup`` means the authors' 20 epochs'
    worth of updates; for ``updates_per_epoch`` it means one pass over the training
    frames (train frames / (global batch * seq_len), rounded up).
    """

    epochs: int = 50
    batch_size: int = 16
    seq_len: int = 100
    lr: float = 1e-3
    adam_eps: float = 1e-4
    clip_norm: float = 1.0
    # Decoupled (AdamW): each update first shrinks every weight by lr * weight_decay. A
    # regulariser for small sets, where the model memorises the training pieces.
    weight_decay: float = 0.0
    kl_start: float = 0.2
    kl_warmup: int | None = None
    lr_schedule: str = "decay"
    lr_decay_start: int = 20
    lr_decay: float = 1.2
    patience: int = 10  # epochs without a better validation ELBO; 0 never stops early
    updates_per_epoch: int | None = None
    augment_transpose: bool = False
    # Train on the data's streams of chunks in order, carrying the state across each cut
    # (see StreamSampler); a resumed run starts the streams afresh at its first batch.
    carry_states: bool = False
    # On a CUDA GPU, replay each update's kernels from a CUDA graph (graphed_update):
    # the same arithmetic, without thousands of launches from Python per update.
    cuda_graphs: bool = True
    # "bfloat16": the model's forward pass under bfloat16 autocast (the wide multiplies in
    # bfloat16, sums and the loss in float32; the per-step loops stay float32), where the
    # hardware multiplies bfloat16 natively (train.precision). Evaluation stays float32.
    precision: str = "float32"
    eval_batch_size: int = 16
    test_samples: int = 100  # importance samples for the final test log-likelihood; 0 skips
    bad_update_limit: int = 5  # consecutive non-finite updates before restoring
    recovery_lr_factor: float = 0.5
    max_recoveries: int = 5
    seed: int = 0

    ERROR: ClassVar[type[SettingsError]] = TrainConfigError
    KINDS: ClassVar[dict[str, str]] = {
        "epochs": "positive_int", "batch_size": "positive_int", "seq_len": "positive_int",
        "lr": "positive", "adam_eps": "positive", "clip_norm": "positive",
        "weight_decay": "nonnegative",
        "kl_start": "unit", "kl_warmup": "count", "lr_schedule": "schedule",
        "lr_decay_start": "count", "lr_decay": "factor", "patience": "count",
        "updates_per_epoch": "positive_int", "augment_transpose": "bool",
        "carry_states": "bool", "cuda_graphs": "bool", "precision": "precision",
        "eval_batch_size": "positive_int", "test_samples": "count",
        "bad_update_limit": "positive_int", "recovery_lr_factor": "shrink",
        "max_recoveries": "count", "seed": "int",
    }  # fmt: skip
    OPTIONAL: ClassVar[tuple[str, ...]] = ("kl_warmup", "updates_per_epoch")

    @classmethod
    def noun(cls) -> str:
        return "training"

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None and field.name in self.OPTIONAL:
                continue
            check, wanted = _CHECKS[self.KINDS[field.name]]
            if not check(value):
                raise TrainConfigError(
                    f"training setting {field.name} must be {wanted}; got {value!r}"
                )
