from __future__ import annotations

import pytest

from musevae.errors import MusevaeError
from musevae.train.config import TrainConfig
from musevae.train.recipes import recipe_config, recipe_for, resolve_recipe


def test_the_authors_data_trains_with_their_schedule_and_the_rest_stops_early() -> None:
    assert recipe_for("jsb-srnn") == recipe_for("piano-srnn") == "paper"
    assert recipe_for("jsb") == recipe_for("/home/me/midi") == "early-stopping"
    paper = recipe_config("auto", ["nottingham-srnn"])
    assert paper == TrainConfig(patience=0)  # the authors' 50 epochs, run to the end
    assert (paper.epochs, paper.lr_schedule) == (50, "decay")
    standard = recipe_config("auto", ["jsb"])
    assert (standard.lr_schedule, standard.kl_warmup, standard.patience) == ("constant", 1000, 30)


def test_explicit_settings_win_over_the_recipe() -> None:
    config = recipe_config("early-stopping", ["jsb-srnn"], patience=5, lr_schedule="decay")
    assert (config.patience, config.lr_schedule, config.epochs) == (5, "decay", 500)


def test_auto_refuses_datasets_that_want_different_recipes() -> None:
    with pytest.raises(MusevaeError, match="give --recipe"):
        resolve_recipe("auto", ["jsb", "jsb-srnn"])
    assert resolve_recipe("paper", ["jsb", "jsb-srnn"]) == "paper"
    with pytest.raises(MusevaeError, match="unknown recipe"):
        resolve_recipe("fast", ["jsb"])
