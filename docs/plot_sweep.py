"""Draw docs/results.md's z-size figure from ``musevae sweep`` results.

    pip install -e ".[docs]"
    python docs/plot_sweep.py RUN/results.csv [MORE/results.csv ...] --out docs/sweep-z.svg

One panel per dataset: our test ELBO against the latent size z under both averaging
conventions, and the SRNN reproduction study's published grid where it has one (its
numbers are on the SRNN authors' data, so they are drawn only beside the ``*-srnn`` sets),
and the SRNN paper's own z = 100 result.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Test ELBO for z = 2, 10, 25, 50, 100 (../shared/docs/REFERENCES.md).
REPRODUCTION_STUDY = {
    "jsb-srnn": (-4.87, -4.82, -4.90, -5.09, -5.47),
    "nottingham-srnn": (-3.33, -3.17, -3.14, -3.11, -3.09),
    "muse-srnn": (-6.48, -6.29, -6.30, -6.26, -6.24),
    "piano-srnn": (-8.36, -8.28, -8.23, -8.20, -8.21),
}
STUDY_Z = (2, 10, 25, 50, 100)
PAPER = {"jsb-srnn": -4.74, "nottingham-srnn": -2.94, "muse-srnn": -6.28, "piano-srnn": -8.20}  # z = 100
TITLES = {
    "jsb": "JSB (standard)", "nottingham": "Nottingham (standard)",
    "jsb-srnn": "JSB (SRNN authors' data)", "nottingham-srnn": "Nottingham (SRNN authors' data)",
}  # fmt: skip


def read_rows(paths: list[Path]) -> dict[str, list[dict[str, str]]]:
    """Finished rows of the given results.csv files, by dataset."""
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("test_elbo_frame_weighted") and row.get("z_dim"):
                    rows[row["dataset"]].append(row)
    return rows


def plot(rows: dict[str, list[dict[str, str]]], out: Path) -> None:
    datasets = sorted(rows)
    if not datasets:
        raise SystemExit("no finished cells with a z_dim in these results")
    fig, axes = plt.subplots(1, len(datasets), figsize=(4.2 * len(datasets), 3.4), squeeze=False)
    for ax, name in zip(axes[0], datasets):
        cells = sorted(rows[name], key=lambda r: int(r["z_dim"]))
        z = [int(r["z_dim"]) for r in cells]
        ax.plot(z, [float(r["test_elbo_frame_weighted"]) for r in cells], "o-",
                label="musevae, frame-weighted")  # fmt: skip
        ax.plot(z, [float(r["test_elbo_sequence_mean"]) for r in cells], "s--",
                label="musevae, per-piece mean")  # fmt: skip
        if name in REPRODUCTION_STUDY:
            ax.plot(STUDY_Z, REPRODUCTION_STUDY[name], "^:", color="grey",
                    label="reproduction study")  # fmt: skip
        if name in PAPER:
            ax.plot([100], [PAPER[name]], "*", color="black", markersize=10, label="SRNN paper")
        ax.set_xscale("log")
        ax.set_xticks(STUDY_Z, [str(v) for v in STUDY_Z])
        ax.set_xlabel("latent size z (d = 300)")
        ax.set_title(TITLES.get(name, name), fontsize=10)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("test ELBO (nats per frame)")
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="results.csv of a sweep")
    parser.add_argument("--out", type=Path, default=Path("docs/sweep-z.svg"))
    args = parser.parse_args()
    plot(read_rows(args.results), args.out)


if __name__ == "__main__":
    main()
