"""The update a CUDA graph records: inputs copied into fixed buffers and padded to the
crop length. Everything but the recording runs here on the CPU, where GraphedUpdate
calls the same function on the same buffers (tests/test_cuda.py replays real graphs)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from musevae.models.registry import build_model
from musevae.train.config import TrainConfig
from musevae.train.distributed import SINGLE
from musevae.train.graphed_update import GraphedUpdate, UpdateInputs, graphs_usable
from musevae.train.run_folder import RunFolder, dataset_info
from musevae.train.trainer import _Run
from tests.train.toy import KINDS, quick_config, tiny_sizes, toy_dataset

CPU = torch.device("cpu")


def _run(kind: str, tmp_path: Path, seq_len: int) -> _Run:
    torch.manual_seed(0)
    model = build_model(kind, **tiny_sizes(kind))
    data = toy_dataset()
    folder = RunFolder(tmp_path, dataset_info(data, data.name), CPU, SINGLE)
    return _Run(model, data, folder, quick_config(seq_len=seq_len), CPU, SINGLE, None)


def _batch(steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    x = (torch.rand(3, steps, 88, generator=generator) < 0.1).float()
    mask = torch.ones(3, steps)
    mask[2, steps - 2 :] = 0  # a shorter piece in the batch
    return x, mask


def _grads(run: _Run) -> list[torch.Tensor]:
    return [p.grad.clone() for p in run.model.parameters() if p.grad is not None]


def _compare(run: _Run, steps: int, padded_to: int) -> None:
    x, mask = _batch(steps)
    torch.manual_seed(5)
    run.model.zero_grad(set_to_none=True)
    eager = run._forward_backward(UpdateInputs(x, mask, 0.5, 1 / 40))
    eager_grads = _grads(run)
    graphed = GraphedUpdate(run._forward_backward, run.model, 3, padded_to, 88, CPU)
    torch.manual_seed(5)
    out = graphed(x, mask, 0.5, 1 / 40)
    assert torch.allclose(out.sums, eager.sums, atol=1e-5)
    assert torch.allclose(out.grad_norm, eager.grad_norm, atol=1e-5)
    for a, b in zip(_grads(run), eager_grads, strict=True):
        assert torch.allclose(a, b, atol=1e-5)
    assert graphed.inputs.kl_weight.item() == 0.5  # the weight travels as a device tensor


@pytest.mark.parametrize("kind", KINDS)
def test_the_static_buffers_give_the_eager_loss_and_gradients(kind: str, tmp_path: Path) -> None:
    _compare(_run(kind, tmp_path, seq_len=8), steps=8, padded_to=8)


# the latent noise of these is drawn time-major, so padding leaves the real steps' draws
# as they were and the two must agree exactly (STORN draws batch-major)
@pytest.mark.parametrize("kind", ["rnn", "srnn", "vrnn"])
def test_padding_to_the_crop_length_changes_no_loss_or_gradient(kind: str, tmp_path: Path) -> None:
    _compare(_run(kind, tmp_path, seq_len=11), steps=8, padded_to=11)


def test_a_batch_of_another_shape_does_not_fit() -> None:
    graphed = GraphedUpdate(lambda inputs: None, torch.nn.Linear(1, 1), 3, 8, 88, CPU)  # type: ignore[arg-type, return-value]
    assert graphed.fits(torch.zeros(3, 5, 88)) and graphed.fits(torch.zeros(3, 8, 88))
    assert not graphed.fits(torch.zeros(2, 8, 88)) and not graphed.fits(torch.zeros(3, 9, 88))


def test_graphs_need_cuda_one_process_and_no_carried_state() -> None:
    cuda = torch.device("cuda")
    assert graphs_usable(cuda, 1, carry_states=False)
    assert not graphs_usable(CPU, 1, False)
    assert not graphs_usable(cuda, 2, False) and not graphs_usable(cuda, 1, True)


def test_graphs_are_a_training_setting_on_by_default_and_off_by_flag() -> None:
    assert TrainConfig().cuda_graphs is True
    assert TrainConfig.from_dict({"cuda_graphs": False}).cuda_graphs is False
    from musevae.cli import build_parser

    args = build_parser().parse_args(["train", "--dataset", "jsb", "--no-cuda-graphs"])
    assert args.cuda_graphs is False
