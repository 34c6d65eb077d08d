"""Draw the README's KL-weight sweep from ``docs/measure_tune.py`` rows.

    pip install -e ".[docs]"
    python docs/plot_tune_sweep.py rows.json --rules in-key,voices,... --out docs/tune-sweep.svg

Summed violation rate of the rules against the test-set IS log-likelihood, one point
per model (the base and each KL weight): the trade-off a user picks from.
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
    ax.set_xlabel("test IS log-likelihood (nats/frame)")
    ax.set_ylabel("summed violation rate per step")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out)


if __name__ == "__main__":
    main()
