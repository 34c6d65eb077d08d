"""``musevae eval MODEL``: score a trained model on a split of its dataset."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from musevae.cli import arg_types, model_ref

if TYPE_CHECKING:
    from musevae.train.evaluate import Evaluation


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="score a model: ELBO, log-likelihood, frame accuracy",
        description="Score a trained model on whole pieces of a split. Scores are in nats "
        "per frame under both averaging conventions: frame-weighted (total over all "
        "pieces / total frames, the dataset authors' protocol) and the mean over pieces "
        "of each piece's per-frame score (the SRNN reference code).",
    )
    parser.add_argument("model", help=model_ref.HELP)
    parser.add_argument("--split", choices=("train", "valid", "test"), default="test")
    parser.add_argument(
        "--samples", type=arg_types.SAMPLES, default=100, metavar="K",
        help="importance samples per piece for log p(x) (default 100; 0 skips it)",
    )  # fmt: skip
    parser.add_argument(
        "--dataset", help="score on this dataset instead of the one the model was trained on"
    )
    parser.add_argument("--data-dir", help="folder with the datasets")
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda or mps")
    add = parser.add_argument
    add("--batch-size", type=arg_types.BATCH, default=16, help="pieces per batch (16)")
    add("--seed", type=arg_types.SEED, default=0, help="seed of the latent samples (0)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from musevae.data.registry import load_dataset
    from musevae.errors import MusevaeError
    from musevae.train.evaluate import evaluate
    from musevae.train.library import model_name

    path = model_ref.card_path(args.model)
    model, card = model_ref.load(str(path), args.device)
    trained_on = card.get("dataset")
    ref = args.dataset or (trained_on.get("ref") if isinstance(trained_on, dict) else None)
    if not isinstance(ref, str) or not ref:
        raise MusevaeError("the model card does not name its dataset; give --dataset")
    dataset = load_dataset(ref, args.data_dir)
    torch.manual_seed(args.seed)
    result = evaluate(
        model, dataset.arrays(args.split), args.split, samples=args.samples,
        batch_size=args.batch_size,
    )  # fmt: skip
    print(f"{model.kind} model {model_name(path)} on {dataset.name}")
    for line in evaluation_lines(result):
        print(line)
    return 0


def evaluation_lines(result: Evaluation) -> list[str]:
    """The scores as labelled lines: both conventions, in nats per frame."""
    lines = [
        f"{result.split} split: {result.sequences} pieces, {result.frames} frames; nats per "
        "frame, frame-weighted (all frames equal) | per-piece mean (pieces equal)",
        f"  ELBO                            {_pair(result.elbo)}",
    ]
    if result.kl is not None:
        lines.append(f"    of which KL(q || p)           {result.kl:9.4f} (frame-weighted; "
                     f"log p(x | z) {result.elbo.frame_weighted + result.kl:.4f})")  # fmt: skip
    if result.log_likelihood is not None:
        label = "log-likelihood (exact)" if result.exact else f"log-likelihood (IS, K={result.samples})"
        lines.append(f"  {label:<31} {_pair(result.log_likelihood)}")
    if result.accuracy is not None:
        lines.append(f"  frame accuracy (Bay et al. 2009) {result.accuracy:.4f}")
    return lines


def _pair(values: tuple[float, float]) -> str:
    return f"{values[0]:9.4f} | {values[1]:9.4f}"
