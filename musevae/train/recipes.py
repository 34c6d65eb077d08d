"""Training recipes: the schedule that suits a dataset, so a plain ``musevae train`` works.

- ``paper``: the SRNN authors' setup, TrainConfig's own defaults (50 epochs, learning
  rate divided by 1.2 per epoch from epoch 20, KL weight annealed over 20 epochs) run to
  the end, as they ran it, with no early stopping (the model kept is still the best on
  validation). Their data (the ``*-srnn`` sets) comes in fixed 100-step chunks, and their
  published numbers were measured with this schedule.
- ``early-stopping``: a constant learning rate, the KL weight annealed over 1,000
  updates, and up to 500 epochs stopped by the validation ELBO (patience 30). The
  standard splits and users' MIDI folders have few updates per epoch (standard JSB: 9),
  so a schedule counted in epochs decays before the model has learnt, and small sets
  overfit long before a fixed end; this is how the shipped models were trained.

``auto`` picks ``paper`` for the SRNN authors' data and ``early-stopping`` for the rest.
Any setting given explicitly wins over the recipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from musevae.errors import MusevaeError
from musevae.train.config import TrainConfig

RECIPES: Mapping[str, Mapping[str, Any]] = {
    "paper": {"patience": 0},
    "early-stopping": {"epochs": 500, "lr_schedule": "constant", "kl_warmup": 1000, "patience": 30},
}
RECIPE_CHOICES = ("auto", *RECIPES)


def recipe_for(dataset_ref: str) -> str:
    """``paper`` for the SRNN authors' preprocessing, ``early-stopping`` for anything else."""
    from musevae.data.registry import REGISTRY

    spec = REGISTRY.get(dataset_ref)
    return "paper" if spec is not None and spec.version == "srnn-paper" else "early-stopping"


def resolve_recipe(recipe: str, dataset_refs: list[str]) -> str:
    """The recipe to use for these datasets; ``auto`` must agree across all of them."""
    if recipe != "auto":
        if recipe not in RECIPES:
            raise MusevaeError(f"unknown recipe {recipe!r}; choose one of {', '.join(RECIPE_CHOICES)}")
        return recipe
    chosen = {recipe_for(ref) for ref in dataset_refs}
    if len(chosen) > 1:
        raise MusevaeError(
            "these datasets suit different training recipes (the SRNN authors' data "
            "trains with 'paper', the others with 'early-stopping'); give --recipe"
        )
    return chosen.pop() if chosen else "early-stopping"


def recipe_config(recipe: str, dataset_refs: list[str], **settings: Any) -> TrainConfig:
    """A TrainConfig from the recipe for these datasets, with ``settings`` on top."""
    return TrainConfig(**{**RECIPES[resolve_recipe(recipe, dataset_refs)], **settings})
