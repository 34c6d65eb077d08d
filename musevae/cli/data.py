"""``musevae data``: list, inspect and download datasets.

``musevae data import`` is registered by :mod:`musevae.cli.data_import`.
"""

from __future__ import annotations

import argparse
import sys

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "data",
        help="list, inspect, download and import datasets",
        description="Datasets live in --data-dir, else $MUSEVAE_DATA, else the user data folder.",
    )
    data_subparsers = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    listing = data_subparsers.add_parser("list", help="known datasets and whether they are here")
    listing.set_defaults(func=_list)

    info = data_subparsers.add_parser("info", help="sequences, frames, polyphony, key range")
    info.add_argument("name", help="dataset name, .pickle/.npz file, or MIDI folder")
    info.set_defaults(func=_info)

    fetch = data_subparsers.add_parser("fetch", help="download a benchmark set")
    fetch.add_argument("name", help="dataset name, e.g. jsb")
    fetch.add_argument("--url", help="download from this address instead (a mirror)")
    fetch.add_argument("--force", action="store_true", help="download even if present")
    fetch.set_defaults(func=_fetch)

    for sub in (listing, info, fetch):
        sub.add_argument("--data-dir", metavar="DIR", help="folder that holds the datasets")

    from musevae.cli import data_import

    data_import.register(data_subparsers)


def note_name(number: int) -> str:
    """Scientific pitch name of a MIDI note: 21 -> A0, 60 -> C4, 108 -> C8."""
    return f"{NOTE_NAMES[number % 12]}{number // 12 - 1}"


def _list(args: argparse.Namespace) -> int:
    from musevae import paths
    from musevae.data.registry import REGISTRY, is_present

    print(f"data directory: {paths.data_dir(args.data_dir)}")
    width = max(len(name) for name in REGISTRY) + 2
    for name, spec in REGISTRY.items():
        status = "present" if is_present(name, args.data_dir) else "missing"
        print(f"{name:<{width}}{status:<9}{spec.description}")
        print(f"{'':<{width + 9}}{spec.path(args.data_dir)}")
    return 0


def _info(args: argparse.Namespace) -> int:
    from musevae.data.dataset import SPLITS
    from musevae.data.registry import load_dataset

    dataset = load_dataset(args.name, args.data_dir)
    print(f"{dataset.name}  ({dataset.source})")
    rows = [("split", "sequences", "frames", "mean polyphony", "key range")]
    for split in SPLITS:
        stats = dataset.stats(split)
        span = "-"
        if stats.lowest_note is not None and stats.highest_note is not None:
            low, high = stats.lowest_note, stats.highest_note
            span = f"{note_name(low)}..{note_name(high)} ({low}..{high})"
        rows.append(
            (split, str(stats.sequences), str(stats.frames), f"{stats.mean_polyphony:.2f}", span)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:-1], widths[1:-1])]
        print("  ".join([*cells, row[-1]]))
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from musevae.data.fetch import fetch_dataset
    from musevae.data.registry import get_spec, is_present

    spec = get_spec(args.name)
    if is_present(spec.name, args.data_dir) and not args.force:
        print(f"{spec.name} is already at {spec.path(args.data_dir)} (--force downloads again)")
        return 0
    with tqdm(
        desc=spec.name, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr
    ) as bar:

        def progress(done: int, total: int | None) -> None:
            bar.total = total
            bar.update(done - bar.n)

        path = fetch_dataset(spec, args.data_dir, progress=progress, url=args.url)
    print(f"saved {spec.name} to {path}")
    return 0
