"""Where musevae keeps data and models on this machine.

Resolution order for the data directory: an explicit argument (``--data-dir``), then the
``MUSEVAE_DATA`` environment variable, then the per-user data dir from platformdirs.
Nothing here touches the disk at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "musevae"
DATA_ENV = "MUSEVAE_DATA"


def user_dir() -> Path:
    """The per-user folder for everything musevae writes (data, models, caches)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds the benchmark pickles and imported datasets."""
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    return user_dir() / "data"


def user_models_dir() -> Path:
    """Where ``musevae train`` puts checkpoints unless told otherwise."""
    return user_dir() / "models"


def cache_dir() -> Path:
    """Per-user cache (parsed MIDI files); safe to delete at any time."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def bundled_models_dir() -> Path:
    """The pretrained models shipped next to the package (``models/`` in the repo)."""
    return Path(__file__).resolve().parent.parent / "models"
