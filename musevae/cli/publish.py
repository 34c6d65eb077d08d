"""``musevae publish``: turn a training run into a named model others can use."""

from __future__ import annotations

import argparse
from pathlib import Path

from musevae.cli import model_ref


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="save a run's best model under a name, ready to share or ship",
        description="Write MODEL (say a training run's best model) as NAME.json + "
        "NAME.safetensors in --out, with a spot check (the ELBO of the first test pieces "
        "under a fixed seed) that anyone can recompute to verify the copy.",
    )
    parser.add_argument("model", help=model_ref.HELP)
    parser.add_argument("--name", required=True, help="model name, e.g. srnn-jsb")
    parser.add_argument("--out", type=Path, default=Path("models"), help="folder (default models/)")
    parser.add_argument("--half", action="store_true", help="store weights in float16")
    parser.add_argument("--data-dir", type=Path, help="where the run's dataset is")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from musevae.train.publish import publish

    card = model_ref.card_path(args.model)
    result = publish(card, args.out, args.name, half=args.half, data_dir=args.data_dir)
    size = result.weights.stat().st_size / 2**20
    print(f"wrote {result.card} and {result.weights} ({size:.1f} MiB)")
    if result.half_precision_shift is not None:
        print(f"float16 weights moved the test ELBO by {result.half_precision_shift:+.4f} nats/frame")
    return 0
