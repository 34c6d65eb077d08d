"""Helpers shared by the test suite.

Tests that need something from the machine (the benchmark data, a MIDI server) skip on a
developer's laptop that lacks it, but CI sets ``CI=true`` and there a missing requirement
is a failure: CI must exercise those paths, never quietly skip them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail in CI, where every requirement must be present."""
    if in_ci():
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


def shared_data_dir() -> Path:
    """The benchmark pickles beside the repo (``MUSEVAE_TEST_DATA`` overrides)."""
    folder = Path(os.environ.get("MUSEVAE_TEST_DATA", SHARED_DATA))
    if not (folder / "JSB Chorales.pickle").is_file():
        skip_or_fail(f"benchmark data not found in {folder}")
    return folder
