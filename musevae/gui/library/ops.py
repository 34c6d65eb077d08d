"""What the library shows of a model card, and the file operations on the user's runs.

Qt-free. Shipped models (``models/``) and checkpoints opened from elsewhere are never
renamed or deleted: only training runs in the user's models folder are the app's to
change, and each operation checks that before touching the disk.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from musevae.errors import MusevaeError
from musevae.paths import user_models_dir

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ORIGINS = {  # ModelEntry.origin -> how the library says it
    "shipped": "shipped with musevae",
    "yours": "your training run",
    "opened": "opened from disk",
}


def _get(card: dict[str, Any], *path: str) -> Any:
    value: Any = card
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _nats(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else "—"


def card_summary(card: dict[str, Any]) -> dict[str, str]:
    """The card's facts as display strings (missing facts show as a dash)."""
    training = _get(card, "training") or {}
    config = _get(card, "model", "config") or {}
    nade = config.get("emission") == "nade"  # cards from before emissions are Bernoulli
    return {
        "type": str(_get(card, "model", "kind") or "?").upper() + (" · NADE" if nade else ""),
        "emission": (f"NADE ({config.get('nade_hidden', '?')} hidden, keys "
                     f"{config.get('key_order', 'low-high')})" if nade else "Bernoulli"),  # fmt: skip
        "dataset": str(_get(card, "dataset", "name") or "—"),
        "test ELBO": _nats(_get(card, "metrics", "test", "elbo", "frame_weighted")),
        "test log-likelihood": _log_likelihood(card),
        "valid ELBO": _nats(_get(card, "metrics", "valid_elbo")),
        "epochs": str(training.get("epochs", "—")),
        "finished": "yes" if training.get("finished") else "no (can be resumed)",
        "trained on": str(training.get("hardware", "—")),
        "created": str(_get(card, "created") or "—"),
    }


def list_score(card: dict[str, Any]) -> str:
    """The list's score column: the test log-likelihood, what the defaults are ranked by."""
    return _nats(_get(card, "metrics", "test", "log_likelihood", "frame_weighted"))


def _log_likelihood(card: dict[str, Any]) -> str:
    """The test log-likelihood and how it was had: exact without a latent, else a bound."""
    score, test = list_score(card), _get(card, "metrics", "test") or {}
    if score == "—":
        return score
    if _get(card, "model", "kind") == "rnn":
        return f"{score} (exact)"
    return f"{score} (IS bound, K = {test.get('samples', '?')})"


DEFAULT_MARK = "★"  # what the list adds to a default model's name; its tooltip says more


def default_mark(dataset: str) -> str:
    """How the tooltip and the README say that a model is ``dataset``'s default."""
    return f"{DEFAULT_MARK} default for {dataset}"


def labels(items: list[tuple[str, str]]) -> list[str]:
    """What the list shows for each (name, origin): the name, followed by its origin
    when another item has the same name ("srnn-jsb (shipped)", "srnn-jsb (opened)")."""
    counts = Counter(name for name, _ in items)
    return [f"{name} ({origin})" if counts[name] > 1 else name for name, origin in items]


def hover_text(origin: str, path: Path, *notes: str) -> str:
    """An item's tooltip: where it came from and its full path, then any ``notes``."""
    return "\n".join([f"{ORIGINS[origin]}: {path}", *filter(None, notes)])


def is_user_run(card_path: Path, user_dir: Path | None = None) -> bool:
    """Whether ``card_path`` is ``<user models>/<run>/model.json`` (the app's to change)."""
    folder = (user_dir or user_models_dir()).resolve()
    return card_path.name == "model.json" and card_path.resolve().parent.parent == folder


def _check_user_run(card_path: Path, user_dir: Path | None) -> Path:
    if not is_user_run(card_path, user_dir):
        raise MusevaeError(
            f"{card_path} is not one of your training runs (shipped models and files opened "
            "from elsewhere are never changed by the app)"
        )
    return card_path.parent


def delete_run(card_path: Path, user_dir: Path | None = None) -> None:
    """Delete a training run's folder (its checkpoint and resume state)."""
    folder = _check_user_run(card_path, user_dir)
    try:
        shutil.rmtree(folder)
    except OSError as error:
        raise MusevaeError(f"could not delete {folder}: {error.strerror or error}") from error


def rename_run(card_path: Path, name: str, user_dir: Path | None = None) -> Path:
    """Rename a training run's folder; returns the new card path."""
    folder = _check_user_run(card_path, user_dir)
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise MusevaeError(
            f"{name!r} is not a usable name: use up to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    target = folder.with_name(name)
    if target.exists():
        raise MusevaeError(f"a model called {name!r} already exists; choose another name")
    try:
        folder.rename(target)
    except OSError as error:
        raise MusevaeError(f"could not rename {folder}: {error.strerror or error}") from error
    return target / card_path.name
