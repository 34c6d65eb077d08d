"""``musevae regenerate``: resample steps A:B of a piece so they join the music around them."""

from __future__ import annotations

import argparse
from pathlib import Path

from musevae.cli import arg_types, generate, model_ref
from musevae.errors import MusevaeError

PROPOSALS = arg_types.Number(1, arg_types.MAX_CANDIDATES)
IS_SAMPLES = arg_types.Number(1, arg_types.MAX_SAMPLES)  # per likelihood; at least one


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "regenerate",
        help="redo a passage of a piece",
        description="Resample steps A:B of a piece: candidates continue the music before "
        "A, each is weighted by the model's likelihood of the music after B given it, and "
        "the results are drawn by weight. Writes the whole pieces as .mid files and an "
        ".npz of probabilities and uncertainty, like generate.",
    )
    parser.add_argument("model", help=model_ref.HELP)
    parser.add_argument("piece", type=Path, help="a .mid file")
    parser.add_argument("--steps", type=arg_types.STEP_SPAN, metavar="A:B",
                        help="the passage, steps A up to B (B excluded); required")  # fmt: skip
    parser.add_argument("--n", type=arg_types.CANDIDATES, default=1,
                        help="pieces to write, drawn by weight (default 1)")  # fmt: skip
    parser.add_argument("--proposals", type=PROPOSALS, default=16,
                        help="passages sampled and weighed (default 16)")  # fmt: skip
    parser.add_argument("--samples", type=IS_SAMPLES, default=20,
                        help="importance samples per likelihood, latent models (default 20)")  # fmt: skip
    generate.add_sampling(parser, stem="regenerated")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from musevae.generate.regenerate import regenerate

    if args.steps is None:
        raise MusevaeError("choose the passage with --steps A:B")
    start, stop = args.steps
    controls = generate.musical_controls(args)
    model, card = model_ref.load(args.model, args.device)
    piece = generate.read_piece(args, args.piece, card)
    if stop > len(piece):
        raise MusevaeError(f"--steps {start}:{stop} ends past the piece's {len(piece)} steps")
    arg_types.check_generation_size(len(piece), max(args.n, args.proposals))
    result = regenerate(
        model, piece, start, stop, args.n,
        proposals=args.proposals, samples=args.samples, controls=controls, seed=args.seed,
        precision=generate.resolved_precision(args, model),
    )  # fmt: skip
    print(f"{args.proposals} proposals for steps {start}:{stop}; "
          f"effective sample size {result.effective_sample_size:.1f}")  # fmt: skip
    generate.write(args, result.as_generation())
    return 0
