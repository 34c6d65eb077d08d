"""How every command names a model, so a reference that works in one works in all.

``generate``, ``play``, ``eval``, ``publish`` and ``evaluate-samples --judge`` take a
library name (a shipped model such as ``srnn-jsb``, or a training run's folder name), a
model card or its ``.safetensors``, or a run folder; :func:`musevae.train.library.resolve`
finds the card.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from musevae.models.base import SequenceModel

HELP = "a library name (e.g. srnn-jsb), a model card or its .safetensors, or a run folder"


def card_path(reference: str) -> Path:
    """The card of the model ``reference`` names; a clear error listing the library."""
    from musevae.train.library import resolve

    return resolve(reference)


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
