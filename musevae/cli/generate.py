"""``musevae generate``: sample pieces from a model and write them as MIDI."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from musevae.cli import arg_types, model_ref
from musevae.errors import MusevaeError

if TYPE_CHECKING:
    from musevae.generate import Controls

STEP_BEATS = {"16th": 0.25, "8th": 0.5, "quarter": 1.0}
KEYS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
PRECISIONS = ("auto", "float32", "bfloat16")  # step_kernels.PRECISIONS, without importing torch
VELOCITY = arg_types.Number(1, 127, words=("prob",))  # 'prob': by the model's confidence


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="sample new music from a model",
        description="Sample pieces from a model (a name from the library or a checkpoint "
        "path) and write them as .mid files, with an .npz of probabilities and "
        "per-step uncertainty beside them.",
    )
    parser.add_argument("model", help=model_ref.HELP)
    parser.add_argument("--steps", type=arg_types.STEPS, default=256,
                        help="steps to sample (default 256)")  # fmt: skip
    parser.add_argument("--n", type=arg_types.CANDIDATES, default=1,
                        help="number of candidates (default 1)")  # fmt: skip
    parser.add_argument("--seed", type=arg_types.SEED, help="random seed (printed when not given)")
    parser.add_argument("--prime", type=Path, help="a .mid file the model continues")
    parser.add_argument("--with-prime", action="store_true", help="put the prime before each piece")
    controls = parser.add_argument_group("musical controls")
    controls.add_argument("--temperature", type=arg_types.TEMPERATURE, default=1.0,
                          help="below 1 safer, above 1 wilder (at most 10)")  # fmt: skip
    controls.add_argument("--max-polyphony", type=arg_types.POLYPHONY, help="most keys sounding at once")
    controls.add_argument("--lowest-note", type=arg_types.PIANO_NOTE, default=21, help="MIDI number (default 21)")
    controls.add_argument("--highest-note", type=arg_types.PIANO_NOTE, default=108, help="MIDI number (default 108)")
    controls.add_argument("--min-note-steps", type=arg_types.STEPS, default=1, help="hold each note this long")
    controls.add_argument("--key", choices=KEYS, help="transpose from the model's C to this key")
    output = parser.add_argument_group("output")
    output.add_argument("--out", type=Path, default=Path("."), help="folder (default: here)")
    output.add_argument("--name", default="candidate", help="file name stem")
    output.add_argument("--bpm", type=arg_types.BPM, default=100.0, help="tempo (default 100)")
    output.add_argument("--step", choices=tuple(STEP_BEATS), help="step length (default: the model's data)")
    output.add_argument("--program", type=arg_types.PROGRAM, default=0, help="General MIDI program (0 = piano)")
    output.add_argument(
        "--velocity", type=VELOCITY,
        help="every note's loudness, 1..127 (default 80, as the app's MIDI export), or 'prob': "
        "by the model's confidence, from 40 for a long shot to 127 for a sure note",
    )  # fmt: skip
    output.add_argument("--tracks", action="store_true", help="one file, a track per candidate")
    output.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    output.add_argument(
        "--precision", choices=PRECISIONS, default="auto",
        help="of the step's large multiplies: 'auto' (default) takes bfloat16 where the CPU "
        "runs it natively, faster and within about 0.006 of each key's float32 probability",
    )  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from musevae.data.midi_io import read_midi
    from musevae.generate import collect, sample
    from musevae.generate.export import DEFAULT_VELOCITY, export_generation
    from musevae.generate.sampler import resolve_seed
    from musevae.models.step_kernels import resolve_precision
    from musevae.train.library import step_beats_of

    arg_types.check_generation_size(args.steps, args.n)
    velocity = None if args.velocity == "prob" else args.velocity or DEFAULT_VELOCITY
    controls = _controls(args)
    model, card = model_ref.load(args.model, args.device)
    try:  # checked here, before the progress bar starts
        precision = resolve_precision(args.precision, next(model.parameters()))
    except ValueError as error:
        raise MusevaeError(str(error)) from None
    step_beats = STEP_BEATS[args.step] if args.step else step_beats_of(card)
    prime = read_midi(args.prime, step_beats=step_beats).roll if args.prime else None
    seed = resolve_seed(args.seed)
    steps = sample(
        model, args.steps, args.n, controls=controls, seed=seed, prime=prime,
        precision=precision,
    )  # fmt: skip
    result = collect(
        tqdm(steps, total=args.steps, unit="step", desc="generating"),
        args.n, seed=seed, prime=prime, step_beats=step_beats, tempo=args.bpm,
    )  # fmt: skip
    paths = export_generation(
        result, args.out, stem=args.name, program=args.program, velocity=velocity,
        as_tracks=args.tracks, with_prime=args.with_prime,
    )  # fmt: skip
    print(f"seed {seed}; wrote {len(paths)} file(s) to {args.out}")
    for i, roll in enumerate(result.rolls):
        print(
            f"  candidate {i + 1}: {len(roll.note_runs())} notes, mean polyphony {roll.polyphony.mean():.2f}, "
            f"mean entropy {result.entropy[i].mean():.2f} nats/step"
        )
    for path in paths:
        print(f"  {path}")
    return 0


def _controls(args: argparse.Namespace) -> Controls:
    from musevae.generate import Controls

    try:
        return Controls(
            temperature=args.temperature, max_polyphony=args.max_polyphony,
            lowest_note=args.lowest_note, highest_note=args.highest_note,
            min_note_steps=args.min_note_steps,
            key=None if args.key is None else KEYS.index(args.key),
        )  # fmt: skip
    except ValueError as error:
        raise MusevaeError(str(error)) from None

