"""Each data set's default model: the shipped model that fits its test split best.

"Best" is the highest test log-likelihood per frame on the card (the ELBO, a lower bound
on it, stands in for a card that has no log-likelihood), so publishing a better model
into ``models/`` makes it the default with nothing else to change. Only shipped models
count: a user's training run is theirs to pick, never imposed on every command. Equal
scores go to the name that sorts first, so the choice never depends on the file system.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from musevae.data.registry import dataset_names

if TYPE_CHECKING:  # the app imports this module before torch, which the library loads
    from musevae.train.library import Library, ModelEntry

STARTUP_SET = "jsb"  # the app starts with the Bach chorales' default when it has one
MEASURES = (("log_likelihood", "test log-likelihood"), ("elbo", "test ELBO"))


class Score(NamedTuple):
    """A card's test fit in nats per frame, and which measure it is."""

    value: float
    measure: str  # as MEASURES says it: "test log-likelihood" or "test ELBO"


def dataset_of(card: dict[str, Any]) -> str | None:
    """The name of the set the card's model learnt (``card["dataset"]["name"]``)."""
    dataset = card.get("dataset")
    name = dataset.get("name") if isinstance(dataset, dict) else None
    return name if isinstance(name, str) and name else None


def score(card: dict[str, Any]) -> Score | None:
    """The card's test log-likelihood per frame, else its test ELBO; None without either
    (or with a value that is not a finite number)."""
    metrics = card.get("metrics")
    test = metrics.get("test") if isinstance(metrics, dict) else None
    for key, measure in MEASURES:
        found = test.get(key) if isinstance(test, dict) else None
        value = found.get("frame_weighted") if isinstance(found, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return Score(float(value), measure)
    return None


def default_for(dataset: str, library: Library) -> ModelEntry | None:
    """The shipped model of ``dataset`` with the best test score; None when it has none."""
    candidates = [e for e in library.entries if e.bundled and dataset_of(e.card) == dataset]
    scored = [(found, e) for e in candidates if (found := score(e.card)) is not None]
    if not scored:
        return None
    return min(scored, key=lambda pair: (-pair[0].value, pair[1].name))[1]


def defaults(library: Library) -> dict[str, ModelEntry]:
    """Every data set with a default, mapped to it: the registry's sets in its order,
    then any other set a shipped card names, alphabetically."""
    named = {dataset_of(e.card) for e in library.entries if e.bundled} - {None}
    known = dataset_names()
    order = [n for n in known if n in named] + sorted(n for n in named if n not in known)
    chosen = {name: default_for(name, library) for name in order}
    return {name: entry for name, entry in chosen.items() if entry is not None}


def startup_default(library: Library) -> ModelEntry | None:
    """The model the app selects when none is remembered: JSB's default, else the first
    set's (in :func:`defaults` order); None when no shipped model has test metrics."""
    found = defaults(library)
    return found.get(STARTUP_SET) or next(iter(found.values()), None)


def reason(entry: ModelEntry) -> str:
    """Why ``entry`` is its set's default, in words: "the shipped model with the best
    test log-likelihood, -5.957 nats per frame"."""
    found = score(entry.card)
    if found is None:
        raise ValueError(f"{entry.name} has no test metrics, so it is no set's default")
    return f"the shipped model with the best {found.measure}, {found.value:.3f} nats per frame"
