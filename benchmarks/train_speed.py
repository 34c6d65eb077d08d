"""Training speed of every model against the cost of its recurrences alone.

For each model at its default (paper music) sizes: one training step on a batch of
16 x 100 steps of random piano roll (forward, backward, Adam step), median ms per step,
frames per second and peak memory, next to the LOWER BOUND: the same recurrences the model
cannot avoid (the fused nn.GRU calls of SRNN/STORN/RNN, a GRUCell loop of VRNN's size)
run forward + backward. The ratio says how much the rest of the model costs.

Each model runs in its own process so the peak memory figure is its own. Timings on a
shared machine are noisy: run it a few times and compare the best ratios.

    python benchmarks/train_speed.py [--device cuda] [--steps 20] [--models srnn vrnn]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import resource
import statistics
import time
from collections.abc import Callable

import torch
from torch import Tensor, nn

from musevae.models import MODELS, build_model
from musevae.models.config import ModelConfig

BATCH, STEPS, KEYS = 16, 100, 88
DENSITY = 0.04  # about 3.5 sounding keys per frame, as in the benchmark sets


def _gru_pass(*shapes: tuple[int, int]) -> Callable[[Tensor], Tensor]:
    """Whole-sequence nn.GRU calls with these (input, hidden) sizes, summed outputs."""
    grus = [nn.GRU(i, h, batch_first=True) for i, h in shapes]

    def run(device_probe: Tensor) -> Tensor:
        total = device_probe.new_zeros(())
        for gru in grus:
            gru.to(device_probe.device)
            seq = device_probe.new_ones(BATCH, STEPS, gru.input_size).normal_()
            total = total + gru(seq)[0].sum()
        return total

    run.parameters = lambda: [p for g in grus for p in g.parameters()]  # type: ignore[attr-defined]
    return run


def _cell_loop(input_size: int, hidden: int) -> Callable[[Tensor], Tensor]:
    """A GRUCell stepped T times: what any per-step recurrence must pay at least."""
    cell = nn.GRUCell(input_size, hidden)

    def run(device_probe: Tensor) -> Tensor:
        cell.to(device_probe.device)
        inputs = device_probe.new_ones(STEPS, BATCH, input_size).normal_().requires_grad_()
        h = device_probe.new_zeros(BATCH, hidden)
        outs = []
        for x_t in inputs.unbind(0):
            h = cell(x_t, h)
            outs.append(h)
        return torch.stack(outs).sum()

    run.parameters = lambda: list(cell.parameters())  # type: ignore[attr-defined]
    return run


def lower_bound(kind: str, c: ModelConfig) -> Callable[[Tensor], Tensor]:
    """The recurrences of model ``kind`` with config ``c``, nothing else."""
    bounds: dict[str, Callable[[], Callable[[Tensor], Tensor]]] = {
        "rnn": lambda: _gru_pass((KEYS, c.hidden)),
        "storn": lambda: _gru_pass((KEYS, c.hidden), (c.z_dim + KEYS, c.hidden)),
        "vrnn": lambda: _cell_loop(2 * c.hidden, c.h_dim),
        "srnn": lambda: _gru_pass(
            (c.hidden, c.d_dim),
            *([(c.d_dim + c.hidden, c.a_dim)] if c.inference == "smooth" else []),
        ),
    }
    return bounds[kind]()


def _time(fn: Callable[[], None], steps: int, device: str) -> list[float]:
    """Milliseconds per call of ``fn`` after two warm-up calls."""
    for _ in range(2):
        fn()
    times = []
    for _ in range(steps):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(1000.0 * (time.perf_counter() - start))
    return times


def _peak_mb(device: str, rss_before_kb: int) -> float:
    if device == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before_kb) / 1024


def measure(kind: str, device: str, steps: int, threads: int) -> dict[str, float]:
    """Run in a fresh process: time model ``kind`` and its lower bound."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build_model(kind).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-4)
    x = (torch.rand(BATCH, STEPS, KEYS) < DENSITY).float().to(device)
    mask = torch.ones(BATCH, STEPS, device=device)

    def train_step() -> None:
        optimizer.zero_grad(set_to_none=True)
        model.elbo(x, mask).loss.backward()
        optimizer.step()

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    model_ms = statistics.median(_time(train_step, steps, device))
    peak = _peak_mb(device, rss_before)

    bound = lower_bound(kind, model.config)
    probe = torch.zeros((), device=device)

    def bound_step() -> None:
        for p in bound.parameters():  # type: ignore[attr-defined]
            p.grad = None
        bound(probe).backward()

    bound_ms = statistics.median(_time(bound_step, steps, device))
    return {"model_ms": model_ms, "bound_ms": bound_ms, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per model")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device is available")

    print(f"batch {BATCH} x {STEPS} steps, {args.device}, {args.threads} threads, "
          f"median of {args.steps} steps; default (paper music) sizes")
    print(f"{'model':<7}{'ms/step':>9}{'frames/s':>10}{'peak MB':>9}"
          f"{'bound ms':>10}{'ratio':>7}")
    context = multiprocessing.get_context("spawn")
    for kind in args.models:
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
            r = pool.submit(measure, kind, args.device, args.steps, args.threads).result()
        frames = BATCH * STEPS / (r["model_ms"] / 1000.0)
        print(f"{kind:<7}{r['model_ms']:>9.1f}{frames:>10.0f}{r['peak_mb']:>9.0f}"
              f"{r['bound_ms']:>10.1f}{r['model_ms'] / r['bound_ms']:>7.2f}")


if __name__ == "__main__":
    main()
