"""``musevae train``: train a model on a dataset, or continue a run with ``--resume``.

Run it under ``torchrun --nproc_per_node N`` to train on N processes (one per GPU, or
CPU processes with gloo); the global batch is then N x ``--batch-size``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musevae.cli import arg_types
from musevae.cli.arg_types import Number
from musevae.errors import MusevaeError
from musevae.train.recipes import RECIPE_CHOICES

if TYPE_CHECKING:
    from musevae.data.dataset import Dataset
    from musevae.train.config import TrainConfig

# Model sizes with their own flag; any other model setting goes through --set NAME=VALUE.
SIZE_FLAGS = {
    "d_dim": "deterministic state d_t (SRNN)",
    "z_dim": "latent z_t",
    "a_dim": "inference state a_t (SRNN)",
    "h_dim": "recurrent state h_t (VRNN)",
    "hidden": "hidden units (RNN and STORN states; SRNN and VRNN MLP widths)",
}
# TrainConfig fields that have a flag: name -> (type, help). Defaults come from --recipe.
# The types' bounds are TrainConfig's rules with a ceiling that keeps a run within
# memory (batch, crop length) or within sense (a learning rate above 1).
TRAIN_FLAGS: dict[str, tuple[Callable[[str], Any], str]] = {
    "epochs": (Number(1, 100_000), "epochs to train, at most (paper 50, early-stopping 500)"),
    "lr": (Number(0, 1, whole=False, above=True), "Adam learning rate (1e-3)"),
    "batch_size": (arg_types.BATCH, "crops per update and process (16)"),
    "seq_len": (arg_types.STEPS, "crop length in steps (100)"),
    "kl_start": (Number(0, 1, whole=False), "KL weight at the first update (0.2)"),
    "kl_warmup": (Number(0, 10**7), "updates over which the KL weight reaches 1 (paper: 20 "
                  "epochs' worth, early-stopping 1000)"),
    "lr_schedule": (str, "'decay' (paper) or 'constant' (early-stopping)"),
    "precision": (str, "'float32' (default) or 'bfloat16': the wide multiplies in bfloat16 "
                  "where the CPU or GPU has it natively (1.4-1.7x faster on such CPUs)"),
    "lr_decay_start": (Number(0, 100_000), "epochs at the full rate before decaying (20)"),
    "lr_decay": (Number(1, 100, whole=False), "divide the rate by this each epoch after that "
                 "(1.2)"),
    "patience": (Number(0, 100_000), "stop after this many epochs without a better valid "
                 "ELBO; 0 never (paper 0: all its epochs, as the authors ran; early-stopping 30)"),
    "updates_per_epoch": (Number(1, 10**7), "updates per epoch (one pass over the frames)"),
    "clip_norm": (Number(0, 10**6, whole=False, above=True), "clip the total gradient norm "
                  "to this (1)"),
    "weight_decay": (Number(0, 1, whole=False), "decoupled weight decay: each update shrinks "
                     "the weights by lr times this (0)"),
    "test_samples": (arg_types.SAMPLES, "importance samples for the final test "
                     "log-likelihood (100)"),
    "seed": (arg_types.SEED, "random seed (0)"),
}  # fmt: skip
# On/off TrainConfig fields: name -> help.
SWITCH_FLAGS = {
    "augment_transpose": "shift each crop by a random number of semitones that keeps it on the keys",
    "carry_states": "train on the data's streams of consecutive chunks, carrying the state "
    "across each cut, as the SRNN authors did on their data (SRNN only)",
}
RESUMABLE = ("epochs", "patience")  # the training flags that may change when resuming


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a model (or --resume a run)",
        description="Train an SRNN, VRNN, STORN or RNN on a dataset. The best model by "
        "validation ELBO is saved in --out as model.json + model.safetensors; Ctrl-C "
        "stops with a checkpoint that --resume continues.",
    )
    parser.add_argument("--dataset", help="jsb, muse, nottingham, piano, jsb-srnn, ..., a "
                        ".pickle/.npz file or a MIDI folder")  # fmt: skip
    parser.add_argument("--model", help="rnn, storn, vrnn or srnn")
    parser.add_argument("--out", type=Path, help="run folder (default: a new folder in "
                        "the user's models folder)")  # fmt: skip
    parser.add_argument("--resume", type=Path, metavar="DIR", help="continue the run in DIR")
    add_common_arguments(parser)
    add_size_arguments(parser, many=False)
    add_training_arguments(parser)
    parser.set_defaults(func=run)


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda or mps")
    parser.add_argument("--data-dir", help="folder with the datasets")


def add_size_arguments(parser: argparse.ArgumentParser, many: bool) -> None:
    group = parser.add_argument_group("model sizes (the model's defaults otherwise)")
    for name, what in SIZE_FLAGS.items():
        flag = "--" + name.replace("_", "-")
        nargs = "+" if many else None
        group.add_argument(
            flag, dest=name, type=arg_types.MODEL_SIZE, nargs=nargs, metavar="N", help=what
        )
    group.add_argument(
        "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
        help="any other model setting, e.g. --set inference=filter (repeatable)",
    )  # fmt: skip


def add_training_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("training (defaults from the recipe; a flag overrides it)")
    group.add_argument(
        "--recipe", default="auto", choices=RECIPE_CHOICES,
        help="'paper': the SRNN authors' 50 epochs with a decaying rate, for their *-srnn "
        "data; 'early-stopping': a constant rate, stopped by the validation ELBO, for the "
        "standard sets and MIDI folders; 'auto' (default) picks by dataset",
    )  # fmt: skip
    for name, (kind, what) in TRAIN_FLAGS.items():
        metavar = ("N" if kind.whole else "X") if isinstance(kind, Number) else "NAME"
        flag = "--" + name.replace("_", "-")
        group.add_argument(flag, dest=name, type=kind, metavar=metavar, help=what)
    for name, what in SWITCH_FLAGS.items():
        flag = "--" + name.replace("_", "-")
        group.add_argument(flag, dest=name, action="store_const", const=True, default=None, help=what)
    group.add_argument(
        "--no-cuda-graphs", dest="cuda_graphs", action="store_const", const=False, default=None,
        help="on a GPU, launch each update's kernels one by one instead of replaying them "
        "from a CUDA graph (slower; for debugging)",
    )  # fmt: skip


def training_config(args: argparse.Namespace, dataset_refs: list[str]) -> TrainConfig:
    """The recipe for these datasets with the explicit flags on top."""
    from musevae.train.recipes import recipe_config

    names = [*TRAIN_FLAGS, *SWITCH_FLAGS, "cuda_graphs"]
    given = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    return recipe_config(args.recipe, dataset_refs, **given)


def model_settings(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """Size flags and --set pairs, checked against ``kind``'s config fields."""
    settings = {n: getattr(args, n) for n in SIZE_FLAGS if getattr(args, n) is not None}
    for pair in args.settings:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise MusevaeError(f"--set takes NAME=VALUE, e.g. --set resq=false; got {pair!r}")
        settings[name.strip()] = _value(text.strip())
    return check_settings(kind, settings)


def check_settings(kind: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    from musevae.models.registry import config_class

    known = [field.name for field in dataclasses.fields(config_class(kind))]
    unknown = [name for name in settings if name not in known]
    if unknown:
        raise MusevaeError(
            f"the {kind} model has no setting {', '.join(unknown)}; its settings are: "
            f"{', '.join(known)}"
        )
    return dict(settings)


def _value(text: str) -> Any:
    """``--set`` values: JSON numbers and true/false, anything else as a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def dataset_ref(name_or_path: str) -> str:
    """How to find the dataset again: a registry name as is, a path made absolute."""
    from musevae.data.registry import REGISTRY

    path = Path(name_or_path).expanduser()
    if name_or_path in REGISTRY or not path.exists():
        return name_or_path
    return str(path.resolve())


def default_out(dataset: Dataset, kind: str) -> Path:
    from musevae.paths import user_models_dir

    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", dataset.name).strip("_") or "data"
    return user_models_dir() / f"{slug}-{kind}-{time.strftime('%Y%m%d-%H%M%S')}"


def run(args: argparse.Namespace) -> int:
    from musevae.cli.progress import follow
    from musevae.cli.train_progress import ProgressPrinter
    from musevae.train.distributed import from_environment

    events_for = _resumed_events if args.resume else _fresh_events
    with from_environment(args.device) as (dist, device):
        events = events_for(args, device, dist)
        if not dist.is_main:
            for _ in events:  # rank 0 reports; the others only work
                pass
            return 0
        printer = ProgressPrinter()
        completed = follow(events, printer)
    if not completed:
        print(f"stopped; continue with: musevae train --resume {args.resume or args.out}")
        return 130
    return 0


def _fresh_events(args: argparse.Namespace, device: Any, dist: Any) -> Any:
    from musevae.data.registry import load_dataset
    from musevae.train.trainer import train

    if not args.dataset or not args.model:
        raise MusevaeError("give --dataset and --model (or --resume DIR)")
    config = training_config(args, [dataset_ref(args.dataset)])
    settings = model_settings(args.model, args)
    dataset = load_dataset(args.dataset, args.data_dir)
    args.out = args.out or default_out(dataset, args.model)
    return train(
        args.model, settings, dataset, config, args.out, device=device, dist=dist,
        dataset_ref=dataset_ref(args.dataset),
    )  # fmt: skip


def _resumed_events(args: argparse.Namespace, device: Any, dist: Any) -> Any:
    from musevae.data.registry import load_dataset
    from musevae.train.resume import saved_dataset
    from musevae.train.trainer import resume

    settable = (*TRAIN_FLAGS, *SIZE_FLAGS, *SWITCH_FLAGS, "dataset", "model", "out")
    fixed = [n for n in settable if getattr(args, n) is not None and n not in RESUMABLE]
    fixed += ["recipe"] if args.recipe != "auto" else []
    if fixed or args.settings:
        flags = ", ".join("--" + n.replace("_", "-") for n in fixed) or "--set"
        raise MusevaeError(
            f"a resumed run keeps its settings; drop {flags} (only --epochs, --patience, "
            "--device and --data-dir apply with --resume)"
        )
    dataset = load_dataset(saved_dataset(args.resume)["ref"], args.data_dir)
    return resume(
        args.resume, dataset, epochs=args.epochs, patience=args.patience, device=device, dist=dist
    )

