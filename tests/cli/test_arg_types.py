from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest
import torch

from musevae.cli import arg_types, main
from musevae.cli.arg_types import Number
from musevae.cli.generate import VELOCITY
from musevae.data.midi_io import read_midi, write_midi
from musevae.data.pianoroll import PianoRoll
from musevae.errors import MusevaeError


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [(arg_types.STEPS, "1", 1), (arg_types.STEPS, "100000", 100_000), (arg_types.STEPS, " 7", 7),
     (arg_types.TEMPERATURE, "10", 10.0), (arg_types.TEMPERATURE, "0.01", 0.01),
     (arg_types.SAMPLES, "0", 0), (arg_types.BPM, "4", 4.0), (arg_types.BPM, "6000", 6000.0),
     (arg_types.STEP_BEATS, "0.015625", 1 / 64), (VELOCITY, "prob", "prob"), (VELOCITY, "1", 1)],
)  # fmt: skip
def test_values_within_the_bounds_come_back_as_numbers(kind: Number, text: str, value) -> None:
    assert kind(text) == value and type(kind(text)) is type(value)


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [(arg_types.STEPS, "0", "expected a whole number from 1 to 100000; got '0'"),
     (arg_types.STEPS, "100001", "expected a whole number from 1 to 100000; got '100001'"),
     (arg_types.STEPS, "2.5", "expected a whole number from 1 to 100000; got '2.5'"),
     (arg_types.STEPS, "1e3", "expected a whole number from 1 to 100000; got '1e3'"),
     (arg_types.STEPS, "9" * 5000, "expected a whole number from 1 to 100000; got '999"),
     (arg_types.TEMPERATURE, "0", "expected a number above 0 and at most 10; got '0'"),
     (arg_types.TEMPERATURE, "inf", "expected a number above 0 and at most 10; got 'inf'"),
     (arg_types.TEMPERATURE, "nan", "expected a number above 0 and at most 10; got 'nan'"),
     (arg_types.TEMPERATURE, "1e9", "expected a number above 0 and at most 10; got '1e9'"),
     (arg_types.BPM, "3.9", "expected a number from 4 to 6000; got '3.9'"),
     (arg_types.STEP_BEATS, "0", "expected a number from 0.015625 to 16; got '0'"),
     (arg_types.SEED, str(2**63), "expected a whole number from 0 to 9223372036854775807; got"),
     (VELOCITY, "loud", "expected a whole number from 1 to 127 or 'prob'; got 'loud'"),
     (VELOCITY, "0", "expected a whole number from 1 to 127 or 'prob'; got '0'")],
)  # fmt: skip
def test_values_outside_the_bounds_are_refused_saying_what_fits(
    kind: Number, text: str, message: str
) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        kind(text)
    assert str(caught.value).startswith(message)


def test_the_seed_bound_is_what_torch_numpy_and_the_npz_hold() -> None:
    highest = arg_types.SEED.high
    torch.Generator().manual_seed(highest)
    np.random.SeedSequence([highest, 0, 0]).generate_state(1)  # the trainer's latent noise
    assert np.array(highest).dtype == np.int64  # generate's .npz stores the seed like this
    assert np.array(highest + 1).dtype != np.int64


def test_the_slowest_tempo_survives_a_midi_file(tmp_path: Path) -> None:
    path = tmp_path / "slow.mid"
    write_midi(PianoRoll.from_notes([[60], []], tempo=arg_types.BPM.low), path)
    assert read_midi(path).roll.tempo == pytest.approx(4.0)


def test_generation_size_bounds_steps_times_candidates() -> None:
    arg_types.check_generation_size(10_000, 100)  # exactly the million: allowed
    with pytest.raises(MusevaeError) as caught:
        arg_types.check_generation_size(10_001, 100)
    assert str(caught.value) == (
        "--steps 10001 x --n 100 is 1000100 steps in all; at most 1000000 fit in memory in one run"
    )


def test_a_bad_number_is_one_line_on_stderr_and_exit_code_2(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["generate", "srnn-jsb", "--steps", "-5"])
    assert caught.value.code == 2
    assert capsys.readouterr().err == (
        "musevae generate: error: argument --steps: expected a whole number from 1 to 100000; "
        "got '-5' (see musevae generate --help)\n"
    )


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--steps", "0"), ("--steps", "99999999999"), ("--n", "0"), ("--n", "-3"),
     ("--bpm", "0"), ("--bpm", "1e9"), ("--program", "300"), ("--seed", str(2**64)),
     ("--temperature", "inf"), ("--temperature", "0"), ("--velocity", "loud")],
)  # fmt: skip
def test_generate_refuses_what_issue_15_found(flag: str, value: str, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["generate", "srnn-jsb", f"{flag}={value}"])
    assert caught.value.code == 2
    assert f"argument {flag}: expected " in capsys.readouterr().err


def test_too_many_steps_for_the_candidates_are_refused_before_the_model_loads(capsys) -> None:
    assert main(["generate", "no-such-model", "--n", "100", "--steps", "100000"]) == 2
    assert capsys.readouterr().err == (
        "musevae: error: --steps 100000 x --n 100 is 10000000 steps in all; at most 1000000 "
        "fit in memory in one run\n"
    )
