"""Training speed of every model against the cost of its recurrences alone, and against
a textbook implementation of the same model.

For each model at its default (paper music) sizes: one training step on a batch of
16 x 100 steps of random piano roll (forward, backward, Adam step), median ms per step,
frames per second and peak memory, next to
- the LOWER BOUND: the same recurrences the model cannot avoid (the fused nn.GRU / nn.LSTM
  calls of SRNN/STORN/RNN, a GRUCell / LSTMCell loop of VRNN's size) run forward +
  backward; the ratio "bound" says how much the rest of the model costs;
- the TEXTBOOK model (``textbook.py``): the same layers and sizes as one per-step loop
  of cells and MLPs under autograd, as a paper's reference code or a peer toolkit
  writes it; "speed-up" is its time over ours (> 1: ours is faster);
- the same model with the NADE emission (``emission=nade`` at its default hidden size);
  "nade x" is its time over the Bernoulli model's (target: at most 1.3).
- the MULTIPLY RATE: the model's matmul FLOPs per step (forward and backward, counted by
  ``torch.utils.flop_counter``) over its time, and that rate over what one 1024 x 1024
  float32 matmul reaches in the same run ("vs mm"): how much room the arithmetic leaves.
  It is a yardstick, not the ceiling: oneDNN's fused LSTM beats it (above 1).
The five are called in turn, so all see the same machine load. ``--precision bfloat16``
runs the model, its NADE twin, the bound and the textbook model alike under bfloat16
autocast (``TrainConfig.precision``). ``--rnn gru lstm`` gives
a row per cell (the model's ``rnn`` setting; bound and textbook use the same cell).

Each model runs in its own process so the peak memory figure is its own. Timings on a
shared machine are noisy: run it a few times and compare the best ratios.

    python benchmarks/train_speed.py [--device cuda] [--steps 20] [--models srnn vrnn]
    python benchmarks/train_speed.py --rnn gru lstm   # both cells, a row each
    python benchmarks/train_speed.py --threads 1 --clock cpu   # on a busy machine
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
from musevae.models.recurrence import CELLS, FUSED, cell_step, zero_state
from textbook import TEXTBOOK  # beside this script

BATCH, STEPS, KEYS = 16, 100, 88
DENSITY = 0.04  # about 3.5 sounding keys per frame, as in the benchmark sets


class _Recurrences(nn.Module):
    """Fused whole-sequence nn.GRU / nn.LSTM calls, or one GRUCell / LSTMCell stepped T
    times, on fixed inputs.

    ``shapes``: (input size, hidden size, input needs a gradient) per recurrence; a model
    whose recurrence input comes from its own layers must also pay for that gradient.
    ``kind``: the model's ``rnn`` setting, "gru" or "lstm".
    """

    def __init__(self, shapes: list[tuple[int, int, bool]], kind: str, cell: bool = False) -> None:
        super().__init__()
        rnn = CELLS[kind] if cell else FUSED[kind]
        self.kind = kind
        self.rnns = nn.ModuleList(rnn(i, h) for i, h, _ in shapes)
        self.needs_grad = [g for _, _, g in shapes]
        self.inputs: list[Tensor] = []

    def prepare(self, device: str) -> None:
        self.to(device)
        self.inputs = [
            torch.randn(STEPS, BATCH, rnn.input_size, device=device, requires_grad=grad)
            for rnn, grad in zip(self.rnns, self.needs_grad)
        ]

    def forward(self) -> Tensor:
        total = self.inputs[0].new_zeros(())
        for rnn, seq in zip(self.rnns, self.inputs):
            if isinstance(rnn, nn.RNNCellBase):
                state = zero_state(self.kind, seq, BATCH, rnn.hidden_size)
                states = []
                for x_t in seq.unbind(0):
                    state = cell_step(rnn, x_t, state)
                    states.append(state[0])
                total = total + torch.stack(states).sum()
            else:
                total = total + rnn(seq)[0].sum()
        return total


def lower_bound(kind: str, c: ModelConfig) -> _Recurrences:
    """The recurrences of model ``kind`` with config ``c``, nothing else."""
    bounds: dict[str, Callable[[], _Recurrences]] = {
        "rnn": lambda: _Recurrences([(KEYS, c.hidden, False)], c.rnn),
        "storn": lambda: _Recurrences(
            [(KEYS, c.hidden, False), (c.z_dim + KEYS, c.hidden, True)], c.rnn
        ),
        "vrnn": lambda: _Recurrences([(2 * c.hidden, c.h_dim, True)], c.rnn, cell=True),
        "srnn": lambda: _Recurrences(
            [(c.hidden, c.d_dim, True)]
            + ([(c.d_dim + c.hidden, c.a_dim, True)] if c.inference == "smooth" else []),
            c.rnn,
        ),
    }
    return bounds[kind]()


def _time_interleaved(
    fns: list[Callable[[], None]], steps: int, device: str, clock: Callable[[], float]
) -> list[list[float]]:
    """Milliseconds per call of each, one call of each in turn, so all see the same load."""
    for _ in range(2):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(steps):
        for fn, out in zip(fns, times):
            if device == "cuda":
                torch.cuda.synchronize()
            start = clock()
            fn()
            if device == "cuda":
                torch.cuda.synchronize()
            out.append(1000.0 * (clock() - start))
    return times


def _peak_mb(device: str, rss_before_kb: int) -> float:
    if device == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before_kb) / 1024


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
PEAK_SIZE = 1024  # the square matmul whose rate stands for the machine's peak


def _onednn_lstm_flops(passes: int) -> Callable[..., int]:
    """FLOPs of oneDNN's fused LSTM layer (what nn.LSTM runs on the CPU), which the
    counter does not know: the gate multiplies of every step, ``passes`` times (1
    forward; 2 backward: the inputs' and the weights' gradients)."""

    def flops(inputs: torch.Size, w_ih: torch.Size, w_hh: torch.Size, *_: object, **__: object) -> int:
        rows = inputs.numel() // inputs[-1]  # steps x batch
        return passes * 2 * rows * (w_ih.numel() + w_hh.numel())

    return flops


def count_flops(step: Callable[[], None]) -> int:
    """Matmul FLOPs of one call of ``step`` (forward and backward)."""
    from torch.utils.flop_counter import FlopCounterMode

    aten = torch.ops.aten
    fused = {aten.mkldnn_rnn_layer: _onednn_lstm_flops(1),
             aten.mkldnn_rnn_layer_backward: _onednn_lstm_flops(2)}  # fmt: skip
    with FlopCounterMode(display=False, custom_mapping=fused) as counter:
        step()
    return counter.get_total_flops()


def measure(
    kind: str, rnn: str, device: str, steps: int, threads: int, clock: str, precision: str
) -> dict[str, float]:
    """Run in a fresh process: time model ``kind`` with ``rnn`` cells and its lower bound."""
    from musevae.train.precision import forward_precision

    torch.set_num_threads(threads)
    autocast = lambda: forward_precision(precision, torch.device(device))  # noqa: E731
    torch.manual_seed(0)
    model = build_model(kind, rnn=rnn).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-4)
    x = (torch.rand(BATCH, STEPS, KEYS) < DENSITY).float().to(device)
    mask = torch.ones(BATCH, STEPS, device=device)

    def train_step() -> None:
        optimizer.zero_grad(set_to_none=True)
        with autocast():
            loss = model.elbo(x, mask).loss
        loss.backward()
        optimizer.step()

    torch.manual_seed(0)
    nade = build_model(kind, emission="nade", rnn=rnn).to(device)
    nade_optimizer = torch.optim.Adam(nade.parameters(), lr=1e-3, eps=1e-4)

    def nade_step() -> None:
        nade_optimizer.zero_grad(set_to_none=True)
        with autocast():
            loss = nade.elbo(x, mask).loss
        loss.backward()
        nade_optimizer.step()

    bound = lower_bound(kind, model.config)
    bound.prepare(device)

    def bound_step() -> None:
        bound.zero_grad(set_to_none=True)
        with autocast():
            total = bound()
        total.backward()

    textbook = TEXTBOOK[kind](model.config, rnn=rnn).to(device)
    textbook_optimizer = torch.optim.Adam(textbook.parameters(), lr=1e-3, eps=1e-4)

    def textbook_step() -> None:
        textbook_optimizer.zero_grad(set_to_none=True)
        with autocast():
            loss = textbook.loss(x)
        loss.backward()
        textbook_optimizer.step()

    square = torch.randn(PEAK_SIZE, PEAK_SIZE, device=device)

    def peak_step() -> None:
        square @ square

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    train_step()  # the peak of a training step (the others' are measured after it)
    peak = _peak_mb(device, rss_before)
    model_times, bound_times, textbook_times, nade_times, peak_times = _time_interleaved(
        [train_step, bound_step, textbook_step, nade_step, peak_step], steps, device,
        CLOCKS[clock],
    )
    return {
        "model_ms": statistics.median(model_times),
        "bound_ms": statistics.median(bound_times),
        "textbook_ms": statistics.median(textbook_times),
        "nade_ms": statistics.median(nade_times),
        "peak_mb": peak,
        "gflop": count_flops(train_step) / 1e9,
        "peak_gflops": 2 * PEAK_SIZE**3 / 1e6 / statistics.median(peak_times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per model")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument(
        "--rnn", nargs="+", default=["gru"], choices=list(FUSED),
        help="the models' recurrent cell (their rnn setting); a row per cell",
    )
    parser.add_argument(
        "--precision", nargs="+", default=["float32"], choices=["float32", "bfloat16"],
        help="training precision (TrainConfig.precision); a row per precision",
    )
    parser.add_argument(
        "--clock", default="wall", choices=list(CLOCKS),
        help="cpu: process CPU time, steadier on a busy machine (use with --threads 1)",
    )
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device is available")

    print(f"batch {BATCH} x {STEPS} steps, {args.device}, {args.threads} threads, "
          f"{args.clock} clock, median of {args.steps} steps; default (paper music) sizes")
    print(f"{'model':<7}{'rnn':<5}{'prec':<6}{'ms/step':>9}{'frames/s':>10}{'peak MB':>9}"
          f"{'bound ms':>10}{'bound':>7}{'textbook ms':>13}{'speed-up':>10}"
          f"{'nade ms':>9}{'nade x':>8}{'GFLOP':>7}{'GFLOP/s':>9}{'vs mm':>7}")
    context = multiprocessing.get_context("spawn")
    for kind in args.models:
        for rnn in args.rnn:
            for precision in args.precision:
                with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
                    job = pool.submit(measure, kind, rnn, args.device, args.steps,
                                      args.threads, args.clock, precision)  # fmt: skip
                    r = job.result()
                _print_row(kind, rnn, precision, r)


def _print_row(kind: str, rnn: str, precision: str, r: dict[str, float]) -> None:
    frames = BATCH * STEPS / (r["model_ms"] / 1000.0)
    rate = r["gflop"] / (r["model_ms"] / 1000.0)  # GFLOP/s
    short = {"float32": "fp32", "bfloat16": "bf16"}[precision]
    print(f"{kind:<7}{rnn:<5}{short:<6}{r['model_ms']:>9.1f}{frames:>10.0f}{r['peak_mb']:>9.0f}"
          f"{r['bound_ms']:>10.1f}{r['model_ms'] / r['bound_ms']:>7.2f}"
          f"{r['textbook_ms']:>13.1f}{r['textbook_ms'] / r['model_ms']:>10.2f}"
          f"{r['nade_ms']:>9.1f}{r['nade_ms'] / r['model_ms']:>8.2f}"
          f"{r['gflop']:>7.1f}{rate:>9.0f}{rate / r['peak_gflops']:>7.2f}")


if __name__ == "__main__":
    main()
