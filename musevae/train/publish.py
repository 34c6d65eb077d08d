"""Publishing a trained run as a named, self-checking model for the library.

A published model is ``<name>.json`` + ``<name>.safetensors`` in a folder (``models/`` for
the ones shipped with musevae). Weights may be stored in half precision to halve the
download; the card then says so and records how far that moved the test ELBO. The card
also carries a *spot check*: the ELBO of the first few test pieces under a fixed seed,
which a test recomputes so that a broken model or loader cannot ship.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch

from musevae.data.registry import load_dataset
from musevae.errors import CheckpointError
from musevae.models.base import SequenceModel
from musevae.train.checkpoint import load_model, save_tensors, write_json
from musevae.train.evaluate import evaluate

SPOT_CHECK_PIECES = 4
SPOT_CHECK_SEED = 0


@dataclasses.dataclass(frozen=True)
class Published:
    card: Path
    weights: Path
    half_precision_shift: float | None  # test ELBO change from rounding, nats per frame


def spot_check_elbo(model: SequenceModel, pieces: list, seed: int = SPOT_CHECK_SEED) -> float:
    """Frame-weighted ELBO of ``pieces`` with the latent noise fixed by ``seed``."""
    torch.manual_seed(seed)
    return evaluate(model, pieces, "test", samples=0, accuracy=False).elbo.frame_weighted


def publish(
    run: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    name: str,
    *,
    half: bool = False,
    data_dir: str | os.PathLike[str] | None = None,
) -> Published:
    """Write the run's best model as ``folder/name.{json,safetensors}`` with a spot check."""
    if not name or Path(name).name != name or name.startswith("."):
        raise CheckpointError(f"a model name is a plain file name like 'srnn-jsb'; got {name!r}")
    model, card = load_model(run)
    test = load_dataset(str(card.get("dataset", {}).get("ref")), data_dir).arrays("test")
    shift = None
    if half:
        before = spot_check_elbo(model, test)
        model = model.half().float()  # exactly the values the float16 file will hold
        shift = spot_check_elbo(model, test) - before
    target = Path(folder).expanduser()
    weights = target / f"{name}.safetensors"
    state = {k: v.half() if half and v.is_floating_point() else v for k, v in model.state_dict().items()}
    sha256 = save_tensors(weights, state)
    published: dict[str, Any] = {
        **card,
        "weights": {"file": weights.name, "sha256": sha256, "dtype": "float16" if half else "float32"},
        "published": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "spot_check": {
            "split": "test",
            "pieces": SPOT_CHECK_PIECES,
            "seed": SPOT_CHECK_SEED,
            "elbo_frame_weighted": spot_check_elbo(model, test[:SPOT_CHECK_PIECES]),
        },
    }
    if shift is not None:
        published["half_precision_test_elbo_shift"] = shift
    card_file = target / f"{name}.json"
    write_json(card_file, published)
    return Published(card_file, weights, shift)
