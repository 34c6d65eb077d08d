"""requirements/ci.txt, the hashed lock that CI and the bundle install, agrees with the
ranges in pyproject.toml: a range changed without refreshing the lock fails here."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.support import REPO_ROOT

LOCK = REPO_ROOT / "requirements" / "ci.txt"
LOCKED_EXTRAS = ("test", "bundle")  # the extras the lock is compiled with (README: refresh)


def _pins() -> dict[str, Version]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", LOCK.read_text(encoding="utf-8"), re.M)
    return {canonicalize_name(name): Version(version) for name, version in pins}


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    extras = project["optional-dependencies"]
    names = project["dependencies"] + [r for extra in LOCKED_EXTRAS for r in extras[extra]]
    return [Requirement(r) for r in names]


def test_every_declared_requirement_is_pinned_within_its_range() -> None:
    pins = _pins()
    wrong = {
        str(req): str(pins.get(canonicalize_name(req.name), "missing"))
        for req in _declared()
        if canonicalize_name(req.name) not in pins
        or not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)
    }
    assert not wrong, f"refresh requirements/ci.txt (README, 'The lock'): {wrong}"


def test_every_pin_carries_a_hash() -> None:
    """pip's --require-hashes mode refuses the whole file if one pin has none."""
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", LOCK.read_text(encoding="utf-8"))
    unhashed = [e.split()[0] for e in entries if "==" in e.split()[0] and "--hash=" not in e]
    assert not unhashed


def test_the_lock_takes_the_cpu_build_of_torch() -> None:
    """On PyPI the plain version is the CUDA build (several GB); the lock must not be it."""
    assert _pins()["torch"].local == "cpu"
    assert "nvidia" not in " ".join(_pins())
