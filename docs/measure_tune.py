"""Measure tuned models against their base for the tables of docs/tuning.md.

    python docs/measure_tune.py BASE_OR_TUNED [...] --reference jsb --samples 20 --out rows.json

Per model: each rule's violation rate per step and the sample-statistics distances on the
protocol of docs/results.md (8 pieces of 128 steps, temperature 1, seed 0, float32 multiplies, as
``musevae generate ... --precision float32`` and ``musevae evaluate-samples`` make and
read them), the test-set (``--split valid``: validation-set) log-likelihood (IS bound, ``--samples`` importance samples,
frame-weighted, as ``musevae eval``), and, for a tuned model, its card's KL per step to
the base (on the tuner's fixed-seed evaluation paths).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from musevae.data.registry import load_dataset
from musevae.generate import generate
from musevae.generate.metrics import compare
from musevae.train.checkpoint import load_model
from musevae.train.evaluate import evaluate
from musevae.train.library import resolve, step_beats_of
from musevae.tune.config import TuneConfig
from musevae.tune.rewards import RULES
from musevae.tune.scoring import batch_violations, rates


def measure(
    reference: str, model_ref: str, samples: int, data_dir: Path | None, split: str = "test"
) -> dict:
    card_path = resolve(model_ref)
    model, card = load_model(card_path)
    test = load_dataset(reference, data_dir).split(split)
    pieces = generate(model, 128, 8, seed=0, precision="float32", step_beats=test[0].step_beats)
    rolls = np.stack([roll.keys for roll in pieces.rolls])
    tuning = card.get("tuning") or {}
    settings = TuneConfig.from_dict(tuning["config"]).rules if tuning else TuneConfig().rules
    violation = rates(batch_violations(rolls, tuple(RULES), settings, step_beats_of(card)))
    stats = compare(pieces.rolls, test)
    ll = evaluate(model, [r.keys for r in test], samples=samples, accuracy=False).log_likelihood
    return {
        "model": model_ref, "kl_weight": tuning.get("kl_weight"),
        "kl_per_step": tuning.get("kl_per_step"), "violations": violation,
        "polyphony": stats.polyphony, "pitch_class": stats.pitch_class,
        "note_length": stats.note_length, f"{split}_is_ll": ll.frame_weighted, "samples": samples,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--reference", required=True)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--split", default="test", choices=("valid", "test"),
                        help="the pieces compared with and scored (choose settings on valid)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    torch.manual_seed(0)  # the IS estimate's draws
    rows = [measure(args.reference, m, args.samples, args.data_dir, args.split) for m in args.models]
    args.out.write_text(json.dumps(rows, indent=2) + "\n")
    for row in rows:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
