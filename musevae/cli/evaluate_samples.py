"""``musevae evaluate-samples``: how close generated pieces are to a dataset's music."""

from __future__ import annotations

import argparse
from pathlib import Path

from musevae.cli import arg_types, model_ref
from musevae.errors import MusevaeError

MIDI_SUFFIXES = (".mid", ".midi")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate-samples",
        help="compare generated MIDI files with a dataset",
        description="Total-variation distances (0 = same statistics, 1 = disjoint) between "
        "generated pieces and a reference split: polyphony, pitch classes and note "
        "lengths; optionally the pieces' log-likelihood under a judge model.",
    )
    parser.add_argument("pieces", nargs="+", type=Path, help=".mid files or folders of them")
    parser.add_argument("--reference", required=True, help="dataset name or path (e.g. jsb)")
    parser.add_argument("--split", default="test", choices=("train", "valid", "test"))
    parser.add_argument("--judge", metavar="MODEL", help="the model that scores the pieces: "
                        + model_ref.HELP)  # fmt: skip
    parser.add_argument("--samples", type=arg_types.Number(1, arg_types.MAX_SAMPLES),
                        default=100, help="importance samples (judge)")  # fmt: skip
    parser.add_argument("--data-dir", type=Path, help="where the datasets are")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from musevae.data.midi_io import read_midi
    from musevae.data.registry import load_dataset
    from musevae.generate.metrics import compare

    reference = load_dataset(args.reference, args.data_dir).split(args.split)
    step_beats = reference[0].step_beats
    files = _midi_files(args.pieces)
    pieces = [read_midi(path, step_beats=step_beats).roll for path in files]
    result = compare(pieces, reference)
    frames = sum(len(p) for p in pieces)
    print(f"generated: {len(pieces)} pieces, {frames} frames; "
          f"reference: {args.reference} {args.split}, {len(reference)} pieces")  # fmt: skip
    rows = [
        ("polyphony distance", f"{result.polyphony:.3f}"),
        ("pitch-class distance", f"{result.pitch_class:.3f}"),
        ("note-length distance", f"{result.note_length:.3f}"),
        ("mean polyphony", f"{result.generated_mean_polyphony:.2f} "
                           f"(reference {result.reference_mean_polyphony:.2f})"),  # fmt: skip
    ]
    if args.judge:
        rows.append(_judge_row(args, [p.keys for p in pieces]))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    return 0


def _midi_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in MIDI_SUFFIXES)
        elif path.is_file():
            files.append(path)
        else:
            raise MusevaeError(f"{path} does not exist")
    if not files:
        raise MusevaeError("no .mid files found in " + ", ".join(map(str, paths)))
    return files


def _judge_row(args: argparse.Namespace, pieces: list) -> tuple[str, str]:
    from musevae.train.evaluate import evaluate

    model, card = model_ref.load(args.judge, args.device)
    scores = evaluate(model, pieces, "generated", samples=args.samples, accuracy=False)
    ll = scores.log_likelihood
    return (
        f"log-likelihood ({card['model']['kind']})",
        f"{ll.frame_weighted:.3f} nats/frame, frame-weighted "
        f"({ll.sequence_mean:.3f} sequence mean; K={args.samples})",
    )
