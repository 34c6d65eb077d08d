"""``musevae sweep``: train a grid of model sizes on several datasets; resumable."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from musevae.cli.train import (
    SIZE_FLAGS,
    add_common_arguments,
    add_size_arguments,
    add_training_arguments,
    check_settings,
    dataset_ref,
    model_settings,
    training_config,
)
from musevae.errors import MusevaeError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="train a grid of sizes x datasets and tabulate test ELBOs",
        description="Train one model kind for every combination of the listed sizes on "
        "every listed dataset, e.g. --model srnn --z-dim 2 10 25 --d-dim 50 300 "
        "--datasets jsb nottingham. Each cell gets its own run folder under --out; "
        "running the same command again skips finished cells and resumes a stopped one. "
        "Writes results.csv and results.md in --out.",
    )
    parser.add_argument("--model", required=True, help="rnn, storn, vrnn or srnn")
    parser.add_argument("--datasets", nargs="+", required=True, metavar="NAME",
                        help="dataset names or paths")  # fmt: skip
    parser.add_argument("--out", type=Path, required=True, help="folder for the sweep")
    add_common_arguments(parser)
    add_size_arguments(parser, many=True)
    add_training_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from musevae.cli.progress import follow
    from musevae.data.registry import load_dataset
    from musevae.train.distributed import from_environment
    from musevae.train.sweep import grid, run_sweep

    varied = {n: getattr(args, n) for n in SIZE_FLAGS if getattr(args, n) is not None}
    check_settings(args.model, varied)
    without_varied = argparse.Namespace(**{**vars(args), **dict.fromkeys(varied)})
    fixed = model_settings(args.model, without_varied)
    if set(fixed) & set(varied):
        raise MusevaeError("a setting is both swept and fixed with --set; give it once")
    refs = [dataset_ref(name) for name in args.datasets]
    cells = grid(refs, varied)
    config = training_config(args, refs)
    with from_environment(args.device) as (dist, device):
        events = run_sweep(
            args.model, cells, config, args.out,
            lambda name: load_dataset(name, args.data_dir), fixed=fixed, device=device,
            dist=dist,
        )  # fmt: skip
        printer = _SweepPrinter(dist.is_main)
        completed = follow(events, printer)
    if not completed:
        print("stopped; run the same command again to continue the sweep")
        return 130
    return 0


class _SweepPrinter:
    """A header per cell, that cell's training progress, and the results files at the end."""

    def __init__(self, talk: bool) -> None:
        from musevae.cli.train_progress import ProgressPrinter

        self.talk = talk
        self.run = ProgressPrinter()

    def handle(self, event: Any) -> None:
        from musevae.train.sweep import CellSkipped, CellStarted, SweepDone

        if not self.talk:
            return
        if isinstance(event, CellSkipped):
            print(f"{_label(event.cell)}: finished before, skipped ({event.folder})")
        elif isinstance(event, CellStarted):
            self.run.close()
            verb = "resuming" if event.resumed else "training"
            print(f"[{event.index}/{event.total}] {_label(event.cell)}: {verb}", flush=True)
        elif isinstance(event, SweepDone):
            print(f"{event.finished}/{event.total} cells finished; results in "
                  f"{event.csv_path} and {event.markdown_path}")  # fmt: skip
        else:
            self.run.handle(event)

    def close(self) -> None:
        self.run.close()


def _label(cell: Any) -> str:
    sizes = " ".join(f"{name}={value}" for name, value in cell.sizes)
    return f"{cell.dataset} {sizes}".strip()
