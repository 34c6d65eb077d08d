"""Generation speed: frames per second at batch 1 and 16, and time to the first step.

Models are built at the paper's music sizes (speed does not depend on the weights).
Targets on 2 CPU cores: SRNN >= 2,000 frames/s at batch 1, >= 20,000 frames/s at batch
16, and the first step < 50 ms after the model is loaded.

    python benchmarks/generate_speed.py [--steps 2000] [--threads 2] [--device cpu]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import torch

from musevae.generate import Controls, sample
from musevae.models.registry import MODELS, build_model


def first_step_ms(model: torch.nn.Module, repeats: int = 5) -> float:
    """Median time from calling ``sample`` to holding the first step."""
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        next(sample(model, 1, 1, seed=seed))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def frames_per_second(model: torch.nn.Module, batch: int, steps: int) -> float:
    """Best of three runs of ``steps`` steps for ``batch`` candidates."""
    best = 0.0
    for seed in range(3):
        stream = sample(model, steps, batch, seed=seed, controls=Controls(max_polyphony=8))
        start = time.perf_counter()
        for _ in itertools.islice(stream, steps):
            pass
        best = max(best, batch * steps / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--models", nargs="*", default=sorted(MODELS))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, device {args.device}, "
          f"{args.steps} steps per run")  # fmt: skip
    print(f"{'model':<6} {'params':>9} {'first step':>11} {'batch 1':>14} {'batch 16':>15}")
    for kind in args.models:
        torch.manual_seed(0)
        model = build_model(kind).to(args.device).eval()
        params = sum(p.numel() for p in model.parameters())
        first = first_step_ms(model)
        one = frames_per_second(model, 1, args.steps)
        sixteen = frames_per_second(model, 16, args.steps)
        print(f"{kind:<6} {params:>9,} {first:>8.1f} ms {one:>8,.0f} frames/s {sixteen:>9,.0f} frames/s")


if __name__ == "__main__":
    main()
