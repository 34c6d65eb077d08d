"""Model checkpoints: ``.safetensors`` weights plus a JSON model card, never a pickle.

A checkpoint is two files with one stem: ``model.safetensors`` and ``model.json``. The
card says what the weights are (model kind and config, dataset, training, scores) and
holds the weights' SHA-256, so a card can never silently describe other weights. Every
file is written to a temporary name and moved into place, and the card goes last: a
crash leaves either the old checkpoint or the new one, and a half-written pair fails
loudly. Loading checks everything a stranger's file could get wrong and raises
:class:`~musevae.errors.CheckpointError` with a message that says which; :func:`verify`
makes the same checks without loading the weights, so a library can list a broken
checkpoint as broken instead of as a model that fails later.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import safetensors.torch
import torch
from torch import Tensor

from musevae import __version__
from musevae.atomic import write_bytes_atomically
from musevae.errors import CheckpointError, MusevaeError
from musevae.models.base import SequenceModel
from musevae.models.registry import model_from_config
from musevae.provenance import source_commit

FORMAT = "musevae-model"
FORMAT_VERSION = 1
CARD_NAME = "model.json"


# --- files ------------------------------------------------------------------------------
def _json_safe(value: Any) -> Any:
    """Non-finite floats become null: JSON has no NaN, and a diverged score is no score."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    write_bytes_atomically(path, (json.dumps(_json_safe(data), indent=2) + "\n").encode("utf-8"))


def read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"{what} {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{what} {path} is unreadable or not JSON ({error})") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{what} {path} is JSON but not a {what}")
    return data


def save_tensors(path: Path, tensors: Mapping[str, Tensor]) -> str:
    """Write tensors as safetensors (CPU copies); returns the file's SHA-256."""
    data = safetensors.torch.save(
        {name: tensor.detach().to("cpu", copy=True) for name, tensor in tensors.items()}
    )
    write_bytes_atomically(path, data)
    return hashlib.sha256(data).hexdigest()


def load_tensors(path: Path, sha256: object) -> dict[str, Tensor]:
    """Read a safetensors file whose SHA-256 must equal the one its JSON recorded."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _unreadable(path, error) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _not_described(path)
    try:
        return safetensors.torch.load(data)
    except Exception as error:  # safetensors raises its own error types on bad headers
        raise _not_safetensors(path, error) from None


def check_digest(path: Path, sha256: object) -> None:
    """Refuse a file whose SHA-256 is not ``sha256``, reading it a block at a time."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            while block := file.read(2**20):
                digest.update(block)
    except OSError as error:
        raise _unreadable(path, error) from None
    if digest.hexdigest() != sha256:
        raise _not_described(path)


def tensor_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """The shape of each tensor in a safetensors file, from its header (nothing loaded)."""
    try:
        with safetensors.safe_open(path, framework="pt") as file:
            return {name: tuple(file.get_slice(name).get_shape()) for name in file.keys()}
    except Exception as error:  # safetensors raises its own error types on bad headers
        raise _not_safetensors(path, error) from None


def _unreadable(path: Path, error: OSError) -> CheckpointError:
    return CheckpointError(f"cannot read weights {path}: {error.strerror or error}")


def _not_described(path: Path) -> CheckpointError:
    return CheckpointError(
        f"{path} is not the file its card describes (checksum differs): it is corrupt, "
        "truncated, or was replaced. Restore the pair, or train again."
    )


def _not_safetensors(path: Path, error: Exception) -> CheckpointError:
    return CheckpointError(f"{path} is not a valid safetensors file ({error})")


# --- the model card ---------------------------------------------------------------------
def card_path(path: str | os.PathLike[str]) -> Path:
    """The card for ``path``: a card, its weights file, or a folder holding model.json."""
    resolved = Path(path).expanduser()
    if resolved.is_dir():
        resolved = resolved / CARD_NAME
    elif resolved.suffix == ".safetensors":
        resolved = resolved.with_suffix(".json")
    if not resolved.is_file():
        raise CheckpointError(
            f"no model card at {resolved}: a checkpoint is a .json card next to its "
            ".safetensors weights, or a training folder that holds model.json"
        )
    return resolved


def save_model(card: Path, model: SequenceModel, info: Mapping[str, Any]) -> Path:
    """Write ``model``'s weights next to ``card`` (same stem), then the card itself.

    ``info`` adds the run's facts (dataset, training, metrics) to the card.
    """
    weights = card.with_suffix(".safetensors")
    sha256 = save_tensors(weights, model.state_dict())
    write_json(
        card,
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "musevae_version": __version__,
            "source_commit": source_commit(),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "model": {"kind": model.kind, "config": model.config.to_dict()},
            "weights": {"file": weights.name, "sha256": sha256},
            **info,
        },
    )
    return card


def read_card(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The validated card of a checkpoint (see :func:`card_path` for what ``path`` may be)."""
    where = card_path(path)
    card = read_json(where, "model card")
    check_format(card, where, FORMAT, FORMAT_VERSION)
    model, weights = card.get("model"), card.get("weights")
    if not (isinstance(model, dict) and isinstance(model.get("config"), dict)):
        raise CheckpointError(f"model card {where} lacks the model's kind and config")
    file = weights.get("file") if isinstance(weights, dict) else None
    if not (isinstance(file, str) and file and Path(file).name == file):
        raise CheckpointError(f"model card {where} does not name a weights file beside it")
    return card


def check_format(data: Mapping[str, Any], where: Path, name: str, version: int) -> None:
    """Refuse files that are not ours, or are ours but from a newer format."""
    if data.get("format") != name:
        raise CheckpointError(f"{where} is not a musevae file of type {name!r}")
    found = data.get("format_version")
    if not isinstance(found, int) or found > version:
        raise CheckpointError(
            f"{where} has format version {found!r}; this musevae ({__version__}) reads "
            f"version {version} or older. Update musevae to open it."
        )


def find_weights(where: Path, card: Mapping[str, Any]) -> tuple[Path, str]:
    """The weights file of the card at ``where``, and a notice ("" when there is none).

    A card names its weights file, so a pair renamed together (``x.json`` and
    ``x.safetensors``) names a file that is gone. Then the file with the card's own stem
    is taken, and the notice says so; its checksum still decides whether it fits.
    """
    named = where.parent / card["weights"]["file"]
    sibling = where.with_suffix(".safetensors")
    if named.exists() or not sibling.is_file():
        return named, ""
    return sibling, (
        f"{where.name} names its weights {named.name}, which is not beside it; "
        f"{sibling.name}, the file with the card's name, is used instead"
    )


class CheckpointWarning(UserWarning):
    """A checkpoint that loads, with something its owner should know (a renamed pair)."""


@dataclass(frozen=True)
class Verified:
    """A checkpoint that passed every check :func:`load_model` makes."""

    card_path: Path
    card: dict[str, Any]
    weights: Path
    notice: str  # what the owner should know, "" when nothing (see find_weights)


def verify(path: str | os.PathLike[str]) -> Verified:
    """Check a checkpoint without loading its weights: the card, the weights' SHA-256,
    their safetensors header, and each tensor's shape against the model the card's
    config builds (built on the meta device, so no memory is spent on it)."""
    where = card_path(path)
    card = read_card(where)
    weights, notice = find_weights(where, card)
    check_digest(weights, card["weights"].get("sha256"))
    shapes = tensor_shapes(weights)
    kind = card["model"].get("kind")
    with torch.device("meta"):
        model = _build(kind, card["model"]["config"], where)
    _check_fit(model, shapes, kind, where)
    return Verified(where, card, weights, notice)


def _build(kind: object, config: object, where: Path) -> SequenceModel:
    try:
        return model_from_config(str(kind), config, stored=True)  # type: ignore[arg-type]
    except MusevaeError as error:
        raise CheckpointError(
            f"{where} describes a model musevae cannot build: {error}"
        ) from None


def _check_fit(
    model: SequenceModel, found: Mapping[str, tuple[int, ...]], kind: object, where: Path
) -> None:
    """Refuse tensors whose names or shapes differ from ``model``'s parameters."""
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    problems = [f"missing {k}" for k in expected if k not in found]
    problems += [f"unexpected {k}" for k in found if k not in expected]
    problems += [
        f"{k} is {found[k]}, the config needs {shape}"
        for k, shape in expected.items()
        if k in found and found[k] != shape
    ]
    if problems:
        shown = "; ".join(problems[:4]) + ("; ..." if len(problems) > 4 else "")
        raise CheckpointError(
            f"the weights for {where} do not fit the {kind} model it describes ({shown})"
        )


def build_checked(
    kind: object, config: object, tensors: Mapping[str, Tensor], where: Path
) -> SequenceModel:
    """The model a card describes, loaded with ``tensors`` after checking they fit it."""
    model = _build(kind, config, where)
    _check_fit(model, {k: tuple(v.shape) for k, v in tensors.items()}, kind, where)
    model.load_state_dict(tensors)
    return model


def load_model(
    path: str | os.PathLike[str], device: torch.device | str = "cpu"
) -> tuple[SequenceModel, dict[str, Any]]:
    """Rebuild the model of a checkpoint, in eval mode on ``device``, with its card.

    A renamed pair loads with a :class:`CheckpointWarning` (see :func:`find_weights`).
    """
    card = read_card(path)
    where = card_path(path)
    weights, notice = find_weights(where, card)
    if notice:
        warnings.warn(notice, CheckpointWarning, stacklevel=2)
    tensors = load_tensors(weights, card["weights"].get("sha256"))
    model = build_checked(card["model"].get("kind"), card["model"]["config"], tensors, where)
    return model.to(device).eval(), card
