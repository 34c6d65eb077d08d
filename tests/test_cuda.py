"""The GPU paths, end to end: training, resuming, evaluating and generating on CUDA, and
the app's worker-thread tasks asking for ``cuda``.

CI has no GPU, so these skip there; they run wherever torch sees one (the project's GPU
machine). Each checks what could break only on a GPU: tensors left on the wrong device,
RNG state that does not travel, weights that do not load back on the CPU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from musevae.generate import generate
from musevae.models.zchain import ChainWeights, run_chain
from musevae.train.checkpoint import load_model
from musevae.train.evaluate import evaluate
from musevae.train.events import Done, Started, Step
from musevae.train.trainer import resume, train
from tests.train.toy import KINDS, quick_config, tiny_sizes, toy_dataset, write_toy_pickle

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
CUDA = torch.device("cuda")


def _train(kind: str, out: Path, **changes: object) -> list:
    config = quick_config(**changes)
    return list(train(kind, tiny_sizes(kind), toy_dataset(), config, out, device=CUDA))


def _losses(events: list) -> list[float]:
    return [e.loss for e in events if isinstance(e, Step)]


@pytest.mark.parametrize("link", ["softplus", "exp"])
def test_the_fused_z_chain_gives_the_cpu_values_and_gradients(link: str) -> None:
    torch.manual_seed(0)
    t, b, h, z = 6, 3, 5, 4
    inputs = [
        0.5 * torch.randn(t, b, 2 * h, dtype=torch.float64),
        torch.randn(t, b, z, dtype=torch.float64),
        *(0.5 * torch.randn(*shape, dtype=torch.float64)
          for shape in ((2 * h, z), (2 * z, h), (2 * z,), (2 * z, h), (2 * z,))),
    ]  # fmt: skip

    def run(device: str) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        pre, eps, *w = [x.to(device).requires_grad_(i != 1) for i, x in enumerate(inputs)]
        outs = run_chain(pre, eps, ChainWeights(*w), resq=True, var_floor=1e-6, link=link)
        total = sum((o * (k + 1)).sum() for k, o in enumerate(outs))
        grads = torch.autograd.grad(total, [pre, *w])
        return [o.cpu() for o in outs], [g.cpu() for g in grads]

    (cpu_out, cpu_grad), (gpu_out, gpu_grad) = run("cpu"), run("cuda")
    for cpu, gpu in zip(cpu_out + cpu_grad, gpu_out + gpu_grad, strict=True):
        assert torch.allclose(cpu, gpu, atol=1e-10)


@pytest.mark.parametrize("kind", KINDS)
def test_every_model_trains_on_cuda_and_its_weights_load_on_the_cpu(
    kind: str, tmp_path: Path
) -> None:
    events = _train(kind, tmp_path / "run", epochs=1, test_samples=2)
    assert events[0].device.startswith("cuda")
    summary = events[-1].summary
    model, card = load_model(summary.card)  # map_location: the CPU
    assert next(model.parameters()).device.type == "cpu"
    assert torch.cuda.get_device_name(0) in card["training"]["hardware"]
    assert all(torch.isfinite(p).all() for p in model.parameters())
    if kind == "rnn":  # exact likelihood: the CPU must score the test set as the GPU did
        scores = evaluate(model, toy_dataset().arrays("test"), samples=0)
        assert scores.elbo.frame_weighted == pytest.approx(
            card["metrics"]["test"]["elbo"]["frame_weighted"], abs=1e-4
        )


@pytest.mark.parametrize("kind", ["rnn", "srnn"])
def test_a_cuda_run_is_repeatable_and_resumes_exactly(kind: str, tmp_path: Path) -> None:
    straight = _train(kind, tmp_path / "straight", epochs=2)
    assert _losses(_train(kind, tmp_path / "again", epochs=2)) == _losses(straight)
    cut = []
    for event in train(kind, tiny_sizes(kind), toy_dataset(), quick_config(epochs=2),
                       tmp_path / "cut", device=CUDA):  # fmt: skip
        cut.append(event)
        if isinstance(event, Step) and event.update == 4:
            break
    rest = list(resume(tmp_path / "cut", toy_dataset(), device=CUDA))
    assert isinstance(rest[0], Started) and rest[0].done_updates == 4
    assert _losses(cut) + _losses(rest) == _losses(straight)


@pytest.mark.parametrize("kind", KINDS)
def test_generation_on_cuda_is_seeded_and_continues_a_prime(kind: str, tmp_path: Path) -> None:
    card = _train(kind, tmp_path / "run", epochs=1)[-1].summary.card
    model = load_model(card, CUDA)[0]
    prime = toy_dataset().splits["test"][0]
    first, again = (generate(model, 12, n=2, seed=5, prime=prime) for _ in range(2))
    assert [r.keys.tolist() for r in first.rolls] == [r.keys.tolist() for r in again.rolls]
    assert first.probs.shape == (2, 12, 88) and np.isfinite(first.probs).all()


def test_the_apps_worker_tasks_train_and_generate_on_cuda(tmp_path: Path) -> None:
    from musevae.gui.workers import tasks

    pickle = write_toy_pickle(tmp_path)
    request = tasks.TrainRequest(
        str(pickle), kind="srnn", sizes=tiny_sizes("srnn"),
        config={"epochs": 1, "batch_size": 3, "seq_len": 12, "updates_per_epoch": 3,
                "test_samples": 0},
        out_dir=tmp_path / "run", device="cuda",
    )  # fmt: skip
    events = list(tasks.train(request, post=lambda _: None))
    assert events[0] == tasks.DeviceChosen("cuda:0")
    assert isinstance(events[-1], Done)
    generate = tasks.GenerateRequest(events[-1].summary.card, steps=8, n=2, seed=3, device="cuda")
    cache = tasks.ModelCache()
    runs = [list(tasks.generate(generate, cache)) for _ in range(2)]
    assert isinstance(runs[0][0], tasks.Sampling) and len(runs[0]) == 1 + 8
    assert [s.notes.tolist() for s in runs[0][1:]] == [s.notes.tolist() for s in runs[1][1:]]


@pytest.mark.parametrize("kind", ["rnn", "srnn", "vrnn", "storn"])
def test_a_replayed_cuda_graph_gives_the_eager_update(kind: str, tmp_path: Path) -> None:
    """The same batch through the recorded graph and eagerly. The RNN draws no noise, so
    both give the same loss terms and gradients; the latent models draw fresh noise on
    every call, a replay too, so their loss terms agree in the mean over 20 calls."""
    from musevae.models.registry import build_model
    from musevae.train.distributed import SINGLE
    from musevae.train.graphed_update import GraphedUpdate, UpdateInputs
    from musevae.train.run_folder import RunFolder, dataset_info
    from musevae.train.trainer import _Run

    torch.manual_seed(0)
    data = toy_dataset()
    folder = RunFolder(tmp_path, dataset_info(data, data.name), CUDA, SINGLE)
    run = _Run(build_model(kind, **tiny_sizes(kind)), data, folder, quick_config(seq_len=8),
               CUDA, SINGLE, None)  # fmt: skip
    assert isinstance(run.graphed, GraphedUpdate)
    x = (torch.rand(quick_config().batch_size, 8, 88, device=CUDA) < 0.1).float()
    mask = torch.ones(x.shape[:2], device=CUDA)

    def eager() -> tuple[torch.Tensor, list[torch.Tensor]]:
        run.model.zero_grad(set_to_none=False)
        out = run._forward_backward(UpdateInputs(x, mask, 0.5, 0.01))
        return out.sums.clone(), [p.grad.clone() for p in run.model.parameters()]

    def replayed() -> tuple[torch.Tensor, list[torch.Tensor]]:
        out = run.graphed(x, mask, 0.5, 0.01)
        return out.sums.clone(), [p.grad.clone() for p in run.model.parameters()]

    graph_calls = [replayed() for _ in range(20)]
    assert run.graphed.graph is not None
    eager_calls = [eager() for _ in range(20)]
    if kind == "rnn":  # no noise: every call is the same arithmetic
        for sums, grads in graph_calls:
            assert torch.allclose(sums, eager_calls[0][0], rtol=1e-5)
            for a, b in zip(grads, eager_calls[0][1], strict=True):
                assert torch.allclose(a, b, rtol=1e-4, atol=1e-6)
        return
    mean = lambda calls: torch.stack([s for s, _ in calls]).mean(0)  # noqa: E731
    spread = torch.stack([s for s, _ in eager_calls]).std(0)
    assert torch.all((mean(graph_calls) - mean(eager_calls)).abs() < 3 * spread + 1e-3)
    assert len({float(s[1]) for s, _ in graph_calls}) > 1  # fresh noise on every replay


@pytest.mark.parametrize("kind", ["srnn", "vrnn"])
def test_training_on_cuda_replays_graphs_and_resumes(kind: str, tmp_path: Path) -> None:
    events = _train(kind, tmp_path / "run", epochs=2)
    losses = _losses(events)
    assert losses and all(np.isfinite(losses))
    assert any(isinstance(e, Done) for e in events)
    more = list(resume(tmp_path / "run", toy_dataset(), epochs=3, device=CUDA))
    assert _losses(more) and all(np.isfinite(_losses(more)))
