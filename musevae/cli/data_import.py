"""``musevae data import FOLDER``: turn a folder of MIDI files into a named dataset.

Registered by ``musevae data`` (:mod:`musevae.cli.data`) on its sub-command parser.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from musevae.cli import arg_types

if TYPE_CHECKING:
    from musevae.data.dataset import Dataset

STEPS = {"quarter": 1.0, "8th": 0.5, "16th": 0.25}  # grid names -> quarter-note beats


def register(data_subparsers: argparse._SubParsersAction) -> None:
    """Add ``import`` to the ``musevae data`` sub-commands."""
    parser = data_subparsers.add_parser(
        "import",
        help="turn a folder of MIDI files into a dataset",
        description="Read every .mid/.midi file under FOLDER (sub-folders too) into piano "
        "rolls, split them 80/10/10 by content, and save the folder as a dataset that "
        "`musevae train --dataset NAME` can use. Unreadable files are skipped with a reason.",
    )
    parser.add_argument("folder", help="the folder that holds the MIDI files")
    parser.add_argument("--name", help="dataset name (default: the folder's name)")
    grid = parser.add_mutually_exclusive_group()
    grid.add_argument("--step", choices=STEPS, help="grid step (default: 8th)")
    grid.add_argument(
        "--step-beats", type=arg_types.STEP_BEATS, metavar="X",
        help="grid step in quarter-note beats (1/64 to 16)",
    )  # fmt: skip
    parser.add_argument(
        "--fold-octaves",
        action="store_true",
        help="move notes outside A0..C8 by octaves into range instead of dropping them",
    )
    parser.add_argument(
        "--workers", type=arg_types.WORKERS, metavar="N",
        help="parser processes (default: one per CPU)",
    )  # fmt: skip
    parser.add_argument("--data-dir", metavar="DIR", help="folder that holds the datasets")
    parser.set_defaults(func=_import)


def _import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from musevae.data import folders

    name = folders.import_name(args.folder, args.name)  # refuse a bad name before the work
    step_beats = args.step_beats or STEPS[args.step or "8th"]
    options = folders.ImportOptions(
        step_beats=step_beats, fold_octaves=args.fold_octaves, workers=args.workers
    )
    with tqdm(desc="reading MIDI files", unit="file", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            dataset, report = folders.dataset_from_folder(args.folder, options, progress)
        except folders.NoUsableFilesError as error:
            bar.close()
            _print_skipped(error.report.skipped)
            raise
    folders.register_import(args.folder, options, name, args.data_dir)
    print(report.summary())
    _print_table(dataset)
    _print_skipped(report.skipped)
    if report.out_of_range and not report.fold_octaves:
        print("(--fold-octaves keeps notes outside A0..C8 by moving them whole octaves)")
    print(f'saved as dataset "{name}"; train on it with: musevae train --dataset {name}')
    return 0


def _print_table(dataset: Dataset) -> None:
    from musevae.data.dataset import SPLITS

    print(f"{'split':<7}{'sequences':>11}{'frames':>11}")
    empty = []
    for split in SPLITS:
        stats = dataset.stats(split)
        print(f"{split:<7}{stats.sequences:>11,}{stats.frames:>11,}")
        if stats.sequences == 0:
            empty.append(split)
    if empty:
        print(
            f"no file landed in {' or '.join(empty)}: files are split 80/10/10 by their "
            "content, so a small folder can leave a split empty"
        )


def _print_skipped(skipped: tuple[tuple[str, str], ...]) -> None:
    if skipped:
        print(f"skipped {len(skipped)} file(s):")
        for path, reason in skipped:
            print(f"  {path}: {reason}")
