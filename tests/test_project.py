"""Project-level promises: the README's commands are what CI runs; the core has no Qt."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from musevae.atomic import write_bytes_atomically
from tests.support import REPO_ROOT


def _bash_commands(markdown: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", markdown, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = _bash_commands(quick_start)
    assert len(commands) == 2, commands
    launch, test = commands
    assert launch.endswith("musevae")
    assert "pytest" in test
    ci_script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci_script.splitlines()


def test_core_imports_without_qt() -> None:
    core = ["musevae.data", "musevae.models", "musevae.train", "musevae.generate",
            "musevae.playback", "musevae.cli", "musevae.paths"]
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph')))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_import_contract_holds() -> None:
    """The import-linter contract in pyproject.toml: only musevae.gui may import Qt."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports('pyproject.toml', no_cache=True, no_logo=True))",
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_atomic_writes_leave_ordinary_file_modes(tmp_path) -> None:
    target = tmp_path / "piece.mid"
    write_bytes_atomically(target, b"MThd")
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.read_bytes() == b"MThd"
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["piece.mid"]  # no temp file left
