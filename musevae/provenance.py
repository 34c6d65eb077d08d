"""Which code made a model: the package version, and the git commit when run from a
checkout, so a model card can be traced to the exact source that trained it."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def source_commit() -> str | None:
    """The checkout's commit, with "-dirty" when tracked files differ from it; None
    outside a git checkout (an installed wheel, a copied tree) or without git."""
    try:
        if Path(_git("rev-parse", "--show-toplevel")).resolve() != SOURCE_ROOT:
            return None  # the package sits inside some other repository
        commit = _git("rev-parse", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no", "--", "musevae")
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def _git(*args: str) -> str:
    """A git command's output, run on the source tree."""
    return subprocess.run(
        ["git", "-C", str(SOURCE_ROOT), *args],
        capture_output=True, text=True, timeout=10, check=True,
    ).stdout.strip()  # fmt: skip
