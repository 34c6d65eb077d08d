from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from musevae import provenance
from musevae.models import build_model
from musevae.train.checkpoint import read_card, save_model


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_cache():
    provenance.source_commit.cache_clear()
    yield
    provenance.source_commit.cache_clear()


def test_a_card_names_the_commit_of_the_checkout_that_wrote_it(tmp_path: Path) -> None:
    root = provenance.SOURCE_ROOT
    try:
        head = _git("rev-parse", "HEAD", cwd=root)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("the tests run outside a git checkout")
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", "musevae", cwd=root)
    card = save_model(tmp_path / "m.json", build_model("rnn", hidden=4), {})
    assert read_card(card)["source_commit"] == (f"{head}-dirty" if dirty else head)


def test_outside_a_checkout_there_is_no_commit(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(provenance, "SOURCE_ROOT", tmp_path)
    assert provenance.source_commit() is None


def test_a_change_to_the_source_marks_the_commit_dirty(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "musevae").mkdir()
    source = tmp_path / "musevae" / "code.py"
    source.write_text("x = 1\n")
    for args in (["init", "-q"], ["add", "."],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"]):  # fmt: skip
        _git(*args, cwd=tmp_path)
    monkeypatch.setattr(provenance, "SOURCE_ROOT", tmp_path.resolve())
    head = _git("rev-parse", "HEAD", cwd=tmp_path)
    assert provenance.source_commit() == head
    provenance.source_commit.cache_clear()
    source.write_text("x = 2\n")
    assert provenance.source_commit() == f"{head}-dirty"
