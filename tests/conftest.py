from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import support

pytest_plugins = ["tests.playback.jack_fixtures"]  # jack_server, recorder: one server a session

# Qt tests run without a screen; set before any test imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The tests use tiny tensors, which run 10-100x slower when two OpenMP threads fight over
# a busy 2-core machine; one thread changes no result. Set before torch is imported, so
# it also holds in the subprocesses tests start (torchrun, the CLI).
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder holding the four benchmark pickles and ``srnn-paper/`` (read-only)."""
    return support.shared_data_dir()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Keep tests away from the real user's data, model and cache folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("MUSEVAE_DATA", raising=False)
