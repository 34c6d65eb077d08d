from __future__ import annotations

import numpy as np
import pytest
import torch

from musevae.data.pianoroll import PianoRoll
from musevae.generate import Controls, generate, sample
from musevae.models import step_kernels
from musevae.models.registry import MODELS, build_model
from tests.generate.conftest import HIGH_TUNE, LOW_TUNE, same_seed_same_music, tune_roll
from tests.train.toy import tiny_sizes


def test_same_seed_same_music_other_seed_other_music(untrained_rnn) -> None:
    same_seed_same_music(untrained_rnn, 40)


def test_unseeded_run_reports_its_seed_and_can_be_repeated(untrained_rnn) -> None:
    first = generate(untrained_rnn, 30)
    again = generate(untrained_rnn, 30, seed=first.seed)
    assert first.rolls[0] == again.rolls[0]


def test_shapes_and_lanes(untrained_rnn) -> None:
    result = generate(untrained_rnn, 25, n=3, seed=0, step_beats=0.25, tempo=90)
    assert [len(r) for r in result.rolls] == [25, 25, 25]
    assert result.rolls[0].step_beats == 0.25 and result.rolls[0].tempo == 90
    assert result.probs.shape == (3, 25, 88)
    assert result.entropy.shape == (3, 25)
    assert result.disagreement.shape == (25,)
    assert result.latent_spread is None  # the RNN has no latents
    # 88 Bernoullis: entropy lies between 0 and 88 ln 2 nats.
    assert (result.entropy >= 0).all() and (result.entropy <= 88 * np.log(2) + 1e-4).all()


def test_steps_stream_one_by_one_and_without_end(untrained_rnn) -> None:
    stream = sample(untrained_rnn, None, n=1, seed=0)
    indices = [next(stream).index for _ in range(500)]
    assert indices == list(range(500))
    stream.close()


def test_prime_changes_the_continuation_and_sets_its_style(two_style_rnn) -> None:
    def mean_pitch(prime_tune: list[list[int]]) -> float:
        prime = PianoRoll(tune_roll(prime_tune, 2))
        result = generate(two_style_rnn, 32, n=4, seed=3, prime=prime)
        keys = np.concatenate([roll.keys for roll in result.rolls])
        return float(np.nonzero(keys)[1].mean()) + 21  # mean over every sounding note

    low, high = mean_pitch(LOW_TUNE), mean_pitch(HIGH_TUNE)
    # The low tune lives around MIDI 48-57, the high run around 84-96.
    assert low < 62 and high > 78, (low, high)


def test_candidates_start_alike_after_a_prime_and_drift_apart(two_style_rnn) -> None:
    prime = PianoRoll(tune_roll(LOW_TUNE, 2))
    result = generate(two_style_rnn, 64, n=6, seed=1, prime=prime, controls=Controls(temperature=1.5))
    assert result.disagreement[0] == pytest.approx(0.0, abs=1e-12)  # same state, same probs
    assert result.disagreement[8:].mean() > 0


def test_zero_steps_and_bad_arguments(untrained_rnn) -> None:
    assert len(generate(untrained_rnn, 0).rolls[0]) == 0
    with pytest.raises(ValueError, match="candidate"):
        generate(untrained_rnn, 4, n=0)
    with pytest.raises(ValueError, match="steps"):
        generate(untrained_rnn, -1)


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_every_model_streams_lanes_and_continues_a_prime(kind: str) -> None:
    torch.manual_seed(0)
    model = build_model(kind, **tiny_sizes(kind)).eval()
    prime = PianoRoll(tune_roll(LOW_TUNE, 1))
    result = generate(model, 12, n=2, seed=0, prime=prime)
    assert result.probs.shape == (2, 12, 88) and result.entropy.shape == (2, 12)
    if kind == "rnn":
        assert result.latent_spread is None
    else:  # the prior's standard deviation is positive
        assert result.latent_spread.shape == (2, 12) and (result.latent_spread > 0).all()
    again = generate(model, 12, n=2, seed=0, prime=prime)
    np.testing.assert_array_equal(result.probs, again.probs)


def test_precision_is_checked_and_float32_is_exact(untrained_rnn) -> None:
    with pytest.raises(ValueError, match="precision must be one of"):
        next(sample(untrained_rnn, 3, precision="half"))
    exact = generate(untrained_rnn, 6, n=2, seed=1, precision="float32")
    auto = generate(untrained_rnn, 6, n=2, seed=1)  # a small RNN has no large multiplies
    assert np.array_equal(exact.probs, auto.probs)


@pytest.mark.skipif(not step_kernels.BF16_MULTIPLIES, reason="no native bfloat16 multiplies")
def test_bfloat16_generation_is_seeded_and_reaches_the_stepper() -> None:
    torch.manual_seed(0)
    model = build_model("srnn").eval()  # paper sizes: its large multiplies take bfloat16
    runs = [generate(model, 8, n=4, seed=3, precision=p) for p in ("bfloat16", "bfloat16", "float32")]
    assert np.array_equal(runs[0].probs, runs[1].probs)
    assert not np.array_equal(runs[0].probs, runs[2].probs)
    assert np.abs(runs[0].probs[:, 0] - runs[2].probs[:, 0]).max() < 0.02  # same first state
