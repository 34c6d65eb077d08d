"""Generation speed: frames per second at batch 1 and 16, and time to the first step.

Every shipped model is timed, each kind's default-settings model first (the paper's
music sizes; for the SRNN the authors' separate heads), with the settings where a model
differs from the default: the cost of a step depends on them, and the sampler's on what
the model plays (an untrained model sounds half the keyboard, so the polyphony cap bites
at every step). Kinds without a shipped model are built untrained at the defaults.
Targets on 2 CPU cores: SRNN >= 2,000 frames/s at batch 1, >= 20,000 frames/s at batch
16, and the first step < 50 ms after the model is loaded.

The NADE emission draws a frame in (keys on + 1) steps, so its cost depends on what the
model plays: each kind in ``--nade`` (SRNN by default) is also timed untrained with
``emission=nade`` at the default sizes, as built (half the keyboard: the cap of 8 ends
every frame) and with its key biases lowered to sound about 4 keys a frame, as the
benchmark sets do; "keys" is the mean keys on per frame. Its ratio to the kind's
default-settings model is printed beside it. Targets for the NADE SRNN: >= 2,000
frames/s at batch 1 and >= 10,000 at batch 16.

    python benchmarks/generate_speed.py [--steps 2000] [--threads 2] [--device cpu]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import time
from collections.abc import Iterator

import numpy as np
import torch

from musevae.data.pianoroll import KEY_COUNT
from musevae.generate import Controls, sample
from musevae.models.base import SequenceModel
from musevae.models.config import ModelConfig
from musevae.models.registry import MODELS, build_model, config_class
from musevae.train.checkpoint import load_model
from musevae.train.library import scan


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


def keys_per_frame(model: torch.nn.Module, steps: int = 200) -> float:
    """Mean keys on per frame of a batch-16 run, under the cap the timing uses."""
    stream = sample(model, steps, 16, seed=0, controls=Controls(max_polyphony=8))
    return float(np.mean([s.notes.sum(1).mean() for s in stream]))


def machine_gflops(seconds: float = 0.5) -> float:
    """The CPU's speed right now on a generation-sized multiply (16 x 1000 by 1000 x 1000).

    Shared and virtual machines drift by tens of percent over minutes; printing this next
    to the figures tells a slow phase of the machine from a slow change of the code.
    """
    x, w = torch.randn(16, 1000), torch.randn(1000, 1000)
    for _ in range(20):
        x @ w
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        x @ w
        count += 1
    return 2 * 16 * 1000 * 1000 * count / (time.perf_counter() - start) / 1e9


def step_settings(config: ModelConfig) -> ModelConfig:
    """The settings that shape a generation step: rates (dropout) act in training only."""
    return dataclasses.replace(config, **{name: 0.0 for name in config.RATES})


def benchmark_models(kind: str, device: str) -> Iterator[tuple[SequenceModel, str, str]]:
    """Each shipped model of this kind, default settings first, else an untrained one at
    the defaults; with its name and how its step settings differ from the defaults."""
    default = step_settings(config_class(kind)())
    shipped = [e for e in scan().entries if e.bundled and e.card["model"]["kind"] == kind]
    settings = {e.name: step_settings(config_class(kind).from_stored(e.card["model"]["config"]))
                for e in shipped}  # fmt: skip
    for entry in sorted(shipped, key=lambda e: (settings[e.name] != default, e.name)):
        model, _ = load_model(entry.card_path, device)
        yield model.float(), entry.name, differences(settings[entry.name], default)
    if not shipped:
        torch.manual_seed(0)
        yield build_model(kind).to(device).eval(), "untrained", "default"


def nade_models(kind: str, device: str) -> Iterator[tuple[SequenceModel, str, str]]:
    """An untrained NADE model of this kind at the default sizes, as built and with its
    key biases lowered by 3 (about 4 keys a frame, as in the benchmark sets)."""
    torch.manual_seed(0)
    model = build_model(kind, emission="nade").to(device).eval()
    yield model, "untrained", "emission=nade"
    with torch.no_grad():
        model.emission.bias[:KEY_COUNT] -= 3.0
    yield model, "untrained", "emission=nade, key biases -3"


def differences(config: ModelConfig, default: ModelConfig) -> str:
    """``name=value`` for each setting off its default, or "default"."""
    changed = [f"{f.name}={getattr(config, f.name)}" for f in dataclasses.fields(config)
               if getattr(config, f.name) != getattr(default, f.name)]  # fmt: skip
    return " ".join(changed) or "default"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--models", nargs="*", default=sorted(MODELS))
    parser.add_argument("--nade", nargs="*", default=["srnn"], help="kinds to time with NADE too")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, device {args.device}, "
          f"{args.steps} steps per run; machine now {machine_gflops():.0f} GFLOP/s on a "
          "16x1000x1000 multiply")  # fmt: skip
    print(f"{'weights':<16} {'params':>9} {'first step':>11} {'batch 1':>14} {'batch 16':>15}"
          f" {'keys':>5}  settings")  # fmt: skip
    for kind in args.models:
        default: tuple[float, float] | None = None  # the default-settings model's speeds
        nade = nade_models(kind, args.device) if kind in args.nade else iter(())
        for model, name, settings in itertools.chain(benchmark_models(kind, args.device), nade):
            params = sum(p.numel() for p in model.parameters())
            first = first_step_ms(model)
            one = frames_per_second(model, 1, args.steps)
            sixteen = frames_per_second(model, 16, args.steps)
            if default is None:
                default = (one, sixteen)
            elif "emission=nade" in settings:
                settings += f" ({one / default[0]:.2f}x, {sixteen / default[1]:.2f}x the default)"
            print(f"{name:<16} {params:>9,} {first:>8.1f} ms {one:>8,.0f} frames/s "
                  f"{sixteen:>9,.0f} frames/s {keys_per_frame(model):>5.1f}  {kind}, {settings}")  # fmt: skip
    print(f"machine after the runs: {machine_gflops():.0f} GFLOP/s")


if __name__ == "__main__":
    main()
