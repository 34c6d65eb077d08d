"""``musevae harmonize``: the model fills the voices below a melody from a MIDI file."""

from __future__ import annotations

import argparse
from pathlib import Path

from musevae.cli import arg_types, generate, model_ref


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "harmonize",
        help="put voices under a melody",
        description="Harmonise a melody: its top line (the highest note of each step) is "
        "kept, and the model draws the voices below it conditioned on it. Writes .mid "
        "files and an .npz of probabilities and uncertainty, like generate.",
    )
    parser.add_argument("model", help=model_ref.HELP)
    parser.add_argument("melody", type=Path, help="a .mid file whose top line is the melody")
    parser.add_argument("--n", type=arg_types.CANDIDATES, default=1,
                        help="number of candidates (default 1)")  # fmt: skip
    generate.add_sampling(parser, stem="harmony")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from musevae.generate.harmonize import harmonize

    controls = generate.musical_controls(args)
    model, card = model_ref.load(args.model, args.device)
    melody = generate.read_piece(args, args.melody, card)
    arg_types.check_generation_size(max(1, len(melody)), args.n)
    result = harmonize(
        model, melody, args.n, controls=controls, seed=args.seed,
        precision=generate.resolved_precision(args, model),
    )  # fmt: skip
    if not result.exact:
        print("note: this model's emission draws the melody's keys after the others, so "
              "the voices are clamped to the melody, not conditioned on it exactly")  # fmt: skip
    generate.write(args, result.generation)
    return 0
