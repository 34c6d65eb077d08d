from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from musevae.generate.uncertainty import sample_disagreement
from musevae.models.emission import bernoulli_entropy


def test_entropy_by_hand() -> None:
    # One key at p = 1/2 (ln 2 nats), one at p = sigmoid(ln 3) = 3/4, the rest certain.
    logits = torch.full((1, 88), -1e4)
    logits[0, 0] = 0.0
    logits[0, 1] = math.log(3.0)
    expected = math.log(2) + -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert bernoulli_entropy(logits).item() == pytest.approx(expected, rel=1e-5)


def test_masked_keys_add_no_entropy() -> None:
    logits = torch.full((2, 88), float("-inf"))
    assert bernoulli_entropy(logits).tolist() == [0.0, 0.0]


def test_disagreement_by_hand() -> None:
    probs = np.zeros((2, 88), np.float32)
    probs[0, 0], probs[1, 0] = 0.2, 0.6  # variance (0.2^2) = 0.04 on one key of 88
    assert sample_disagreement(probs) == pytest.approx(0.04 / 88)
    with pytest.raises(ValueError):
        sample_disagreement(probs[:1])
