"""``musevae generate``: sample pieces from a model and write them as MIDI."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musevae.cli import arg_types, model_ref
from musevae.errors import MusevaeError

if TYPE_CHECKING:
    from musevae.data.pianoroll import PianoRoll
    from musevae.generate import Controls, Generation
    from musevae.models.base import SequenceModel

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
    add_seed(parser)
    parser.add_argument("--prime", type=Path, help="a .mid file the model continues")
    parser.add_argument("--with-prime", action="store_true", help="put the prime before each piece")
    add_controls(parser)
    add_output(parser)
    parser.set_defaults(func=run)


def add_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=arg_types.SEED, help="random seed (printed when not given)")


def add_sampling(parser: argparse.ArgumentParser, stem: str) -> None:
    """What a command that samples around a piece takes after its own flags: ``--seed``,
    the musical controls and the output, in generate's order; files are named ``stem``."""
    add_seed(parser)
    add_controls(parser)
    add_output(parser, stem)


def add_controls(parser: argparse.ArgumentParser) -> None:
    """The musical controls, shared by every command that samples (see :func:`musical_controls`)."""
    controls = parser.add_argument_group("musical controls")
    controls.add_argument("--temperature", type=arg_types.TEMPERATURE, default=1.0,
                          help="below 1 safer, above 1 wilder (at most 10)")  # fmt: skip
    controls.add_argument("--max-polyphony", type=arg_types.POLYPHONY, help="most keys sounding at once")
    controls.add_argument("--lowest-note", type=arg_types.PIANO_NOTE, default=21, help="MIDI number (default 21)")
    controls.add_argument("--highest-note", type=arg_types.PIANO_NOTE, default=108, help="MIDI number (default 108)")
    controls.add_argument("--min-note-steps", type=arg_types.STEPS, default=1, help="hold each note this long")
    controls.add_argument("--key", choices=KEYS, help="transpose from the model's C to this key")


def add_output(parser: argparse.ArgumentParser, stem: str = "candidate") -> None:
    """Where and how the result is written (see :func:`write`), and the device."""
    output = parser.add_argument_group("output")
    output.add_argument("--out", type=Path, default=Path("."), help="folder (default: here)")
    output.add_argument("--name", default=stem, help=f"file name stem (default {stem})")
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


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from musevae.data.midi_io import read_midi
    from musevae.generate import collect, sample
    from musevae.generate.sampler import resolve_seed

    arg_types.check_generation_size(args.steps, args.n)
    controls = musical_controls(args)
    model, card = model_ref.load(args.model, args.device)
    precision = resolved_precision(args, model)  # checked here, before the progress bar starts
    step_beats = step_length(args, card)
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
    write(args, result)
    return 0


def resolved_precision(args: argparse.Namespace, model: SequenceModel) -> str:
    """``--precision`` resolved for ``model``'s weights; a clear error if it cannot run."""
    from musevae.models.step_kernels import resolve_precision

    try:
        return resolve_precision(args.precision, next(model.parameters()))
    except ValueError as error:
        raise MusevaeError(str(error)) from None


def step_length(args: argparse.Namespace, card: dict[str, Any]) -> float:
    """``--step`` in beats, else the step of the model's training data."""
    from musevae.train.library import step_beats_of

    return STEP_BEATS[args.step] if args.step else step_beats_of(card)


def read_piece(args: argparse.Namespace, path: Path, card: dict[str, Any]) -> PianoRoll:
    """The .mid file at ``path`` in the model's steps (see :func:`step_length`), at ``--bpm``."""
    from musevae.data.midi_io import read_midi
    from musevae.data.pianoroll import PianoRoll

    read = read_midi(path, step_beats=step_length(args, card)).roll
    return PianoRoll(read.keys, read.step_beats, args.bpm)


def musical_controls(args: argparse.Namespace) -> Controls:
    """The :class:`Controls` that ``add_controls``' flags ask for; a clear error if they clash."""
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


def write(args: argparse.Namespace, result: Generation) -> None:
    """Export ``result`` as ``add_output``'s flags ask (``.mid`` + ``.npz``) and say what
    was written: the seed, each candidate's notes, polyphony and entropy, the paths."""
    from musevae.generate.export import DEFAULT_VELOCITY, export_generation

    velocity = None if args.velocity == "prob" else args.velocity or DEFAULT_VELOCITY
    paths = export_generation(
        result, args.out, stem=args.name, program=args.program, velocity=velocity,
        as_tracks=args.tracks, with_prime=getattr(args, "with_prime", False),
    )  # fmt: skip
    print(f"seed {result.seed}; wrote {len(paths)} file(s) to {args.out}")
    for i, roll in enumerate(result.rolls):
        print(
            f"  candidate {i + 1}: {len(roll.note_runs())} notes, mean polyphony {roll.polyphony.mean():.2f}, "
            f"mean entropy {result.entropy[i].mean():.2f} nats/step"
        )
    for path in paths:
        print(f"  {path}")
