"""Draw docs/tuning.md's KL-weight sweep from ``docs/measure_tune.py`` rows.

    pip install -e ".[docs]"
    python docs/plot_tune_sweep.py rows.json --rules in-key,voices,... --out docs/tune-sweep.svg

Summed violation rate of the rules against the test-set IS log-likelihood, one point
per model (the base and each KL weight): the trade-off a user picks from. Dashed: the
issue's targets (half the base's violations; the base's log-likelihood less 0.3).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=Path)
    parser.add_argument("--rules", required=True, help="comma-separated rule names to sum")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = json.loads(args.rows.read_text())
    rules = args.rules.split(",")
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for row in rows:
        total = sum(row["violations"][r] for r in rules)
        label = "base" if row["kl_weight"] is None else f"KL weight {row['kl_weight']:g}"
        ax.scatter(row["test_is_ll"], total)
        ax.annotate(label, (row["test_is_ll"], total), textcoords="offset points", xytext=(5, 4))
    base = next((row for row in rows if row["kl_weight"] is None), None)
    if base is not None:  # the targets: half the violations, at most 0.3 nats lost
        ax.axhline(sum(base["violations"][r] for r in rules) / 2, color="grey", ls="--", lw=0.8)
        ax.axvline(base["test_is_ll"] - 0.3, color="grey", ls="--", lw=0.8)
        ax.text(base["test_is_ll"] - 0.3, ax.get_ylim()[0], " targets: right of and below",
                fontsize=7, color="grey", va="bottom")
    ax.set_xlabel("test IS log-likelihood (nats/frame)")
    ax.set_ylabel("summed violation rate per step")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out)


if __name__ == "__main__":
    main()
