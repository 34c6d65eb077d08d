"""Two CPU processes under torchrun train what one process with twice the batch trains."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from musevae.train.checkpoint import read_card
from tests.support import REPO_ROOT
from tests.train.toy import write_toy_pickle

TRAIN = ["-m", "musevae", "train", "--model", "rnn", "--hidden", "6", "--epochs", "2",
         "--updates-per-epoch", "3", "--seq-len", "12", "--test-samples", "0",
         "--device", "cpu", "--seed", "3"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str]) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_two_processes_match_one_process_with_the_same_global_batch(tmp_path: Path) -> None:
    data = str(write_toy_pickle(tmp_path))
    launcher = ["-m", "torch.distributed.run", "--nproc_per_node", "2",
                "--master_addr", "127.0.0.1", "--master_port", str(_free_port())]  # fmt: skip
    # Each of two processes takes 2 crops per update; the lone process takes all 4.
    _run([*launcher, *TRAIN, "--dataset", data, "--batch-size", "2", "--out", f"{tmp_path}/two"])
    _run([*TRAIN, "--dataset", data, "--batch-size", "4", "--out", f"{tmp_path}/one"])
    two, one = (load_file(tmp_path / run / "resume.safetensors") for run in ("two", "one"))
    weights = [name for name in one if name.startswith("model.")]
    assert weights and set(two) == set(one)
    for name in weights:  # summing gradients in another order costs a few ulps at most
        torch.testing.assert_close(two[name], one[name], rtol=1e-5, atol=1e-6)
    cards = [read_card(tmp_path / run) for run in ("two", "one")]
    assert cards[0]["training"]["hardware"].startswith("cpu: 2 x ")
    assert cards[0]["training"]["updates"] == cards[1]["training"]["updates"] == 6
    assert cards[0]["metrics"]["valid_elbo"] == pytest.approx(cards[1]["metrics"]["valid_elbo"])
    test = [card["metrics"]["test"]["elbo"]["frame_weighted"] for card in cards]
    assert test[0] == pytest.approx(test[1], rel=1e-5)
