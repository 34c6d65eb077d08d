"""A grid of training runs (datasets x model sizes), resumable cell by cell.

Each cell trains into ``OUT/<dataset>/<model>-<size><value>-...``. A finished cell (its
card says so) is skipped, a started one is resumed, so re-running the same sweep after
a stop continues where it left off. The results table is rebuilt from the cards at the
end: ``results.csv`` (every score) and ``results.md`` (test ELBO by dataset and size).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import torch

from musevae.atomic import write_bytes_atomically
from musevae.data.dataset import Dataset
from musevae.errors import CheckpointError
from musevae.train.checkpoint import CARD_NAME, read_card
from musevae.train.config import TrainConfig
from musevae.train.distributed import SINGLE, Distributed
from musevae.train.events import Event
from musevae.train.resume import has_run
from musevae.train.trainer import resume, train

CSV_COLUMNS = (
    "test_elbo_frame_weighted", "test_elbo_sequence_mean", "test_ll_frame_weighted",
    "test_ll_sequence_mean", "test_accuracy", "valid_elbo", "epochs", "best_epoch",
)  # fmt: skip


@dataclass(frozen=True)
class Cell:
    """One run of the grid: a dataset and the model settings that vary."""

    dataset: str
    sizes: tuple[tuple[str, int], ...]

    @property
    def dataset_label(self) -> str:
        """A folder-safe short name: a registry name as is, a path by its file stem."""
        stem = Path(self.dataset).stem or self.dataset
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.") or "data"

    def folder(self, out: Path, model: str) -> Path:
        label = "-".join(f"{name}{value}" for name, value in self.sizes)
        return out / self.dataset_label / (f"{model}-{label}" if label else model)


@dataclass(frozen=True)
class CellStarted:
    cell: Cell
    index: int  # 1-based
    total: int
    folder: Path
    resumed: bool


@dataclass(frozen=True)
class CellSkipped:
    """The cell's run had finished before; its card supplies the results."""

    cell: Cell
    folder: Path


@dataclass(frozen=True)
class SweepDone:
    csv_path: Path
    markdown_path: Path
    finished: int
    total: int


SweepEvent = Union[CellStarted, CellSkipped, SweepDone, Event]


def grid(datasets: Sequence[str], sizes: Mapping[str, Sequence[int]]) -> list[Cell]:
    """Every dataset with every combination of sizes, in the order given."""
    names = list(sizes)
    combos = itertools.product(*(sizes[name] for name in names))
    return [
        Cell(dataset, tuple(zip(names, values)))
        for dataset, values in itertools.product(datasets, list(combos))
    ]


def finished_card(folder: Path) -> dict[str, Any] | None:
    """The card of a finished run in ``folder``, or None (absent, unfinished, unreadable)."""
    try:
        card = read_card(folder / CARD_NAME)
    except CheckpointError:
        return None
    training = card.get("training")
    return card if isinstance(training, dict) and training.get("finished") is True else None


def run_sweep(
    model: str,
    cells: Sequence[Cell],
    config: TrainConfig,
    out: Path,
    load: Callable[[str], Dataset],
    *,
    fixed: Mapping[str, Any] | None = None,
    device: torch.device = torch.device("cpu"),
    dist: Distributed = SINGLE,
) -> Iterator[SweepEvent]:
    """Train every cell not finished yet; ``fixed`` holds settings shared by all cells.

    ``load`` maps a dataset name to a Dataset. Closing the generator cancels the current
    cell's run, which leaves it resumable.
    """
    loaded: dict[str, Dataset] = {}
    for index, cell in enumerate(cells, start=1):
        folder = cell.folder(out, model)
        if finished_card(folder) is not None:
            yield CellSkipped(cell, folder)
            continue
        if cell.dataset not in loaded:
            loaded[cell.dataset] = load(cell.dataset)
        dataset = loaded[cell.dataset]
        resumed = has_run(folder)
        yield CellStarted(cell, index, len(cells), folder, resumed)
        if resumed:
            yield from resume(folder, dataset, epochs=config.epochs, device=device, dist=dist)
        else:
            sizes = {**(fixed or {}), **dict(cell.sizes)}
            yield from train(
                model, sizes, dataset, config, folder, device=device, dist=dist,
                dataset_ref=cell.dataset,
            )  # fmt: skip
    yield write_results(model, cells, out, dist)


def write_results(
    model: str, cells: Sequence[Cell], out: Path, dist: Distributed = SINGLE
) -> SweepDone:
    """results.csv and results.md from the finished cells' cards (rank 0 writes)."""
    rows = [_row(cell, finished_card(cell.folder(out, model))) for cell in cells]
    csv_path, md_path = out / "results.csv", out / "results.md"
    if dist.is_main:
        write_bytes_atomically(csv_path, _csv(rows).encode("utf-8"))
        write_bytes_atomically(md_path, _markdown(model, cells, rows).encode("utf-8"))
    finished = sum(row["test_elbo_frame_weighted"] is not None for row in rows)
    return SweepDone(csv_path, md_path, finished, len(cells))


def _row(cell: Cell, card: dict[str, Any] | None) -> dict[str, Any]:
    row: dict[str, Any] = {"dataset": cell.dataset_label, **dict(cell.sizes)}
    row.update(dict.fromkeys(CSV_COLUMNS))
    if card is None:
        return row
    metrics, training = card.get("metrics", {}), card.get("training", {})
    test = metrics.get("test") or {}
    elbo, ll = test.get("elbo") or {}, test.get("log_likelihood") or {}
    row.update(
        test_elbo_frame_weighted=elbo.get("frame_weighted"),
        test_elbo_sequence_mean=elbo.get("sequence_mean"),
        test_ll_frame_weighted=ll.get("frame_weighted"),
        test_ll_sequence_mean=ll.get("sequence_mean"),
        test_accuracy=test.get("accuracy"),
        valid_elbo=metrics.get("valid_elbo"),
        epochs=training.get("epochs"),
        best_epoch=training.get("best_epoch"),
    )
    return row


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _markdown(model: str, cells: Sequence[Cell], rows: list[dict[str, Any]]) -> str:
    """Test ELBO (frame-weighted, nats/frame): a row per size combination, a column per
    dataset; unfinished cells show a dash."""
    datasets = list(dict.fromkeys(cell.dataset_label for cell in cells))
    size_names = [name for name, _ in cells[0].sizes] if cells else []
    combos = list(dict.fromkeys(cell.sizes for cell in cells))
    value = {(row["dataset"], cell.sizes): row["test_elbo_frame_weighted"]
             for row, cell in zip(rows, cells)}  # fmt: skip
    lines = [
        f"# {model} sweep: test ELBO",
        "",
        "Nats per frame, frame-weighted (total over all test frames / frames); "
        "per-piece means and log-likelihoods are in results.csv.",
        "",
        "| " + " | ".join([*size_names, *datasets]) + " |",
        "|" + "---|" * (len(size_names) + len(datasets)),
    ]
    for combo in combos:
        scores = [value.get((d, combo)) for d in datasets]
        cells_text = [str(v) for _, v in combo] + [_fmt(s) for s in scores]
        lines.append("| " + " | ".join(cells_text) + " |")
    return "\n".join(lines) + "\n"


def _fmt(score: float | None) -> str:
    return "—" if score is None else f"{score:.3f}"
