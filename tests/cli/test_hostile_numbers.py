"""Every numeric flag of every sub-command, driven with hostile values.

The flags are found in the argparse parsers themselves, so a new one is covered as soon
as it is added; a flag that takes a bare ``int`` or ``float`` fails the first test.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musevae.cli import build_parser, main
from musevae.cli.arg_types import Number
from tests.support import REPO_ROOT

CALL_SECONDS = 5.0  # a refusal is immediate; anything slower did real work (or hung)


def _leaf_parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """(command words, parser) for every sub-command, nested ones (``data import``) too."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _leaf_parsers(sub, (*path, name))


def _required(parser: argparse.ArgumentParser) -> list[str]:
    """Placeholder words for the positionals and required options, so that the parser
    gets as far as the flag under test."""
    words: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        if not action.option_strings:
            words.append("x")
        elif action.required:
            words += [action.option_strings[-1], "x"]
    return words


PARSERS = list(_leaf_parsers(build_parser()))
FLAGS = [
    (words, action.option_strings[-1], action.type, _required(parser))
    for words, parser in PARSERS
    for action in parser._actions
    if isinstance(action.type, Number)
]


def test_every_number_goes_through_a_shared_type() -> None:
    bare = [
        f"musevae {' '.join(words)} {'/'.join(action.option_strings) or action.dest}"
        for words, parser in PARSERS
        for action in parser._actions
        if action.type in (int, float)
    ]
    assert bare == []
    commands = {words[0] for words, *_ in FLAGS}
    assert commands == {"data", "train", "eval", "sweep", "generate", "evaluate-samples", "play",
                        "tune", "harmonize", "regenerate"}
    assert len(FLAGS) > 50  # 19 each for train and sweep, 10 for generate, 10 for play ...


def _outside(kind: Number) -> st.SearchStrategy[str]:
    """Text that ``kind`` must refuse: below, above, not finite, not whole, not a number."""
    if kind.whole:
        lowest = kind.low if kind.above else kind.low - 1
        numbers = st.integers(max_value=int(lowest)) | st.integers(min_value=int(kind.high) + 1)
        highest = min(kind.high, 2**53)  # floats are whole numbers from 2**53 on
        fractions = st.floats(kind.low, highest).filter(lambda v: not v.is_integer())
        numbers = numbers.map(str) | fractions.map(repr)
    else:
        below = st.floats(max_value=kind.low, exclude_max=not kind.above)
        above = st.floats(min_value=kind.high, exclude_min=True)
        numbers = (below | above).map(repr)
    beyond_64_bits = st.integers(min_value=2**64) | st.integers(max_value=-(2**64))
    # No flag takes a negative number or one as large as 1e9.
    fixed = ["-5", "-1e9", "1e9", "1e999", "inf", "-inf", "nan", "NaN", "", " ", "x", "0x10",
             "1,5", "--", str(2**64), str(-(2**63) - 1), "9" * 5000]  # fmt: skip
    words = st.text(st.characters(blacklist_categories=("Nd", "Cs")), max_size=12)
    return st.one_of(
        st.sampled_from(fixed), numbers, beyond_64_bits.map(str),
        words.filter(lambda text: text not in kind.words),
    )  # fmt: skip


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"the call ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run(argv: list[str]) -> tuple[object, str, str]:
    """``main(argv)`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _time_limit(CALL_SECONDS):
        try:
            code: object = main(argv)
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("words", "flag", "kind", "required"), FLAGS, ids=[f"{' '.join(f[0])} {f[1]}" for f in FLAGS]
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_a_hostile_value_is_one_line_and_exit_code_2(
    words: tuple[str, ...], flag: str, kind: Number, required: list[str], data: st.DataObject
) -> None:
    text = data.draw(_outside(kind), label="value")
    code, out, err = _run([*words, *required, f"{flag}={text}"])
    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"musevae {' '.join(words)}: error: argument {flag}: expected "), err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [["generate", "srnn-jsb", "--steps", "99999999999"],
     ["generate", "srnn-jsb", "--n", "100000", "--steps", "4"],
     ["play", "srnn-jsb", "--bpm", "-10"]],
)  # fmt: skip
def test_a_real_process_refuses_at_once_with_exit_code_2(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "musevae", *argv], cwd=REPO_ROOT, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"musevae {argv[0]}: error: argument --"), done.stderr
