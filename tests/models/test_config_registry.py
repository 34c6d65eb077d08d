from __future__ import annotations

import json

import pytest

from musevae.errors import MusevaeError
from musevae.models import MODELS, build_model, config_class, model_from_config
from musevae.models.config import ConfigError
from musevae.models.rnn import RNNConfig
from musevae.models.srnn import SRNN, SRNNConfig


def test_registry_names_the_four_models() -> None:
    assert sorted(MODELS) == ["rnn", "srnn", "storn", "vrnn"]
    for kind, cls in MODELS.items():
        assert cls.kind == kind
        assert config_class(kind) is cls.config_type


def test_defaults_are_the_papers_music_sizes() -> None:
    c = SRNNConfig()
    assert (c.d_dim, c.z_dim, c.a_dim, c.hidden) == (300, 100, 300, 500)
    assert c.inference == "smooth" and c.resq and c.var_floor == 1e-6


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_config_round_trips_through_json(kind: str) -> None:
    config = config_class(kind)()
    data = json.loads(json.dumps(config.to_dict()))
    assert config_class(kind).from_dict(data) == config


def test_missing_keys_take_defaults() -> None:
    assert SRNNConfig.from_dict({"z_dim": 7}) == SRNNConfig(z_dim=7)


def test_unknown_key_is_named_with_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown SRNNConfig setting\(s\): zdim;.*z_dim"):
        SRNNConfig.from_dict({"zdim": 7})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hidden": 0}, "RNNConfig.hidden must be a positive whole number; got 0"),
        ({"hidden": 2.5}, "must be a positive whole number"),
        ({"hidden": True}, "must be a positive whole number"),
        ({"rnn": "rnn"}, "RNNConfig.rnn must be one of 'gru', 'lstm'; got 'rnn'"),
    ],
)
def test_bad_values_are_rejected_with_a_clear_message(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        RNNConfig.from_dict(data)


def test_bad_srnn_values() -> None:
    with pytest.raises(ConfigError, match="inference must be one of 'smooth', 'filter'"):
        SRNNConfig(inference="both")
    with pytest.raises(ConfigError, match="resq must be true or false"):
        SRNNConfig.from_dict({"resq": 1})
    with pytest.raises(ConfigError, match="var_floor must be a positive number"):
        SRNNConfig(var_floor=0.0)


def test_a_config_that_is_not_a_mapping_is_rejected() -> None:
    with pytest.raises(ConfigError, match="RNNConfig settings must be a mapping; got list"):
        RNNConfig.from_dict([1, 2])  # type: ignore[arg-type]


def test_config_errors_are_user_facing_and_value_errors() -> None:
    assert issubclass(ConfigError, MusevaeError) and issubclass(ConfigError, ValueError)


def test_unknown_kind_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown model kind 'lstm'; choose one of: rnn, srnn"):
        build_model("lstm")
    with pytest.raises(ValueError, match="unknown model kind"):
        config_class("")


def test_build_model_with_sizes_and_rebuild_from_its_config() -> None:
    model = build_model("srnn", d_dim=4, z_dim=2, a_dim=3, hidden=5)
    assert isinstance(model, SRNN) and model.config.z_dim == 2
    twin = model_from_config("srnn", model.config.to_dict())
    assert twin.config == model.config
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    assert {k: v.shape for k, v in twin.state_dict().items()} == shapes


def test_new_srnns_use_the_authors_layout_and_old_files_keep_theirs() -> None:
    assert build_model("srnn").config.heads == "separate"
    stored = build_model("srnn", heads="shared", hidden=5).config.to_dict()
    del stored["heads"]  # as written before the setting existed
    assert model_from_config("srnn", stored, stored=True).config.heads == "shared"
    assert model_from_config("srnn", stored).config.heads == "separate"  # a fresh model


def test_unknown_size_is_an_error() -> None:
    with pytest.raises(ConfigError, match="unknown RNNConfig setting"):
        build_model("rnn", z_dim=3)


def test_a_model_refuses_another_models_config() -> None:
    with pytest.raises(TypeError, match="SRNN needs a SRNNConfig, got RNNConfig"):
        SRNN(RNNConfig())  # type: ignore[arg-type]
