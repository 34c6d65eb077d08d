"""How every command names a model, so a reference that works in one works in all.

``generate``, ``play``, ``eval``, ``harmonize``, ``regenerate``, ``tune``, ``publish`` and
``evaluate-samples --judge`` take a library name (a shipped model such as ``srnn-jsb``, or
a training run's folder name), a model card or its ``.safetensors``, a run folder, or a
data set's name (``jsb``) for that set's default (see :mod:`musevae.train.defaults`),
said on stderr so that a run's output always records which model made it. A model
wins over a data set of the same name: naming a model should never be overridden.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from musevae.models.base import SequenceModel

HELP = (
    "a library name (e.g. srnn-jsb), a model card or its .safetensors, a run folder, or a "
    "data set's name (e.g. jsb) for its default: the shipped model with the best test "
    "log-likelihood (a library name spelt like a data set means the model)"
)


def card_path(reference: str) -> Path:
    """The card of the model ``reference`` names, or of the default for the data set it
    names (said on stderr); a clear error listing the library and the sets."""
    from musevae.errors import CheckpointError
    from musevae.train.defaults import default_for, defaults, reason
    from musevae.train.library import named, resolve, scan_shipped

    found = named(reference)
    if found is not None:
        return found
    shipped = scan_shipped()
    chosen = default_for(reference, shipped)
    if chosen is not None:
        print(f"{reference}: using {chosen.name} ({reason(chosen)})", file=sys.stderr)
        return chosen.card_path
    try:
        return resolve(reference)
    except CheckpointError as error:
        sets = ", ".join(defaults(shipped))
        if not sets:
            raise
        raise CheckpointError(f"{error}; data sets with a default model: {sets}") from None


def load(reference: str, device: str = "cpu") -> tuple[SequenceModel, dict[str, Any]]:
    """The model ``reference`` names, on ``device`` (auto, cpu, cuda or mps), and its card."""
    from musevae.train.checkpoint import CheckpointWarning, load_model
    from musevae.train.device import resolve_device

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CheckpointWarning)
        loaded = load_model(card_path(reference), resolve_device(device))
    for warning in caught:  # one line each (a renamed pair), not Python's two-line form
        print(f"musevae: note: {warning.message}", file=sys.stderr)
    return loaded
