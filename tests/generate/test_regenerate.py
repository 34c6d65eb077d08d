"""Regenerating a passage: proposals from the prefix, weighted by how the rest follows."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from musevae.data.pianoroll import PianoRoll
from musevae.generate.regenerate import regenerate
from musevae.models import build_model
from musevae.models.base import SequenceModel
from tests.generate.conftest import fit


def held(note: int, steps: int) -> np.ndarray:
    keys = np.zeros((steps, 88), np.float32)
    keys[:, note - 21] = 1.0
    return keys


@pytest.fixture(scope="module")
def one_note_rnn() -> SequenceModel:
    """A tiny RNN whose pieces hold one note throughout, 60 or 67, half and half."""
    torch.manual_seed(0)
    return fit(build_model("rnn", hidden=16), [held(60, 12), held(67, 12)], updates=300)


def test_the_passage_is_chosen_to_lead_into_the_music_after_it(one_note_rnn) -> None:
    piece = PianoRoll(held(67, 12).astype(bool))
    result = regenerate(one_note_rnn, piece, 0, 4, n=4, proposals=16, seed=1)
    ends = [tuple(np.flatnonzero(r.keys[-1]) + 21) for r in result.proposals.rolls]
    into_60 = np.array([end == (60,) for end in ends])
    assert into_60.any() and not into_60.all()  # the proposals know nothing of what follows
    assert np.exp(result.log_weights[into_60]).sum() < 1e-3  # 60 does not lead into 67
    for whole in result.pieces():
        assert whole.to_notes()[3:] == [[67]] * 9  # each drawn passage joins the 67 after it
    assert 1.0 <= result.effective_sample_size < 16


def test_weights_are_the_likelihood_of_the_music_after_the_passage(one_note_rnn) -> None:
    piece = PianoRoll(np.concatenate([held(60, 6), held(67, 6)]).astype(bool))
    result = regenerate(one_note_rnn, piece, 3, 7, n=2, proposals=5, seed=3)
    expected = []
    for passage in result.proposals.rolls:
        keys = piece.keys.copy()
        keys[3:7] = passage.keys
        x = torch.from_numpy(keys.astype(np.float32))[None]
        with torch.no_grad():
            log_px = one_note_rnn.elbo(x, torch.ones(1, 12)).log_px[0]
        expected.append(float(log_px[7:].sum()))  # log p(x_{>=7} | x_{<7}), exact for the RNN
    expected = np.array(expected) - np.logaddexp.reduce(expected)
    np.testing.assert_allclose(result.log_weights, expected, atol=1e-4)
    for whole in result.pieces():  # outside the passage nothing moved
        np.testing.assert_array_equal(whole.keys[:3], piece.keys[:3])
        np.testing.assert_array_equal(whole.keys[7:], piece.keys[7:])


def test_same_seed_same_result_and_the_export_view(one_note_rnn) -> None:
    piece = PianoRoll(held(60, 10).astype(bool))
    first = regenerate(one_note_rnn, piece, 2, 5, n=3, proposals=6, seed=9)
    again = regenerate(one_note_rnn, piece, 2, 5, n=3, proposals=6, seed=9)
    np.testing.assert_array_equal(first.chosen, again.chosen)
    np.testing.assert_array_equal(first.log_weights, again.log_weights)
    generation = first.as_generation()
    assert [len(r) for r in generation.rolls] == [10, 10, 10]
    assert (generation.probs[:, :2] == piece.keys[:2]).all()  # given music: certain
    assert (generation.entropy[:, 5:] == 0).all()
    np.testing.assert_allclose(generation.probs[:, 2:5], first.proposals.probs[first.chosen])
    assert np.isnan(generation.disagreement[:2]).all()


def test_a_passage_at_the_end_weighs_every_proposal_alike(one_note_rnn) -> None:
    result = regenerate(one_note_rnn, PianoRoll(held(60, 8).astype(bool)), 5, 8, proposals=4, seed=0)
    np.testing.assert_allclose(np.exp(result.log_weights), 0.25)


def test_bad_passages_are_refused(one_note_rnn) -> None:
    piece = PianoRoll(held(60, 8).astype(bool))
    for start, stop in [(3, 3), (5, 2), (0, 9), (-1, 2)]:
        with pytest.raises(ValueError, match="must lie within"):
            regenerate(one_note_rnn, piece, start, stop)


@pytest.mark.parametrize("kind", ["storn", "vrnn", "srnn"])
def test_latent_models_score_with_importance_sampling(kind: str) -> None:
    torch.manual_seed(0)
    model = build_model(kind).eval()
    piece = PianoRoll(held(60, 10).astype(bool))
    result = regenerate(model, piece, 2, 6, n=2, proposals=3, samples=2, seed=0)
    assert np.isfinite(result.log_weights).all()
    assert len(result.pieces()) == 2
