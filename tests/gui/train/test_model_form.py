"""The Train tab's Model box offers what ``musevae train --set`` does: the NADE emission,
the LSTM, the key order and dropout, and a run started from it is built with them."""

from __future__ import annotations

from musevae.models import build_model


def _choose(box, value) -> None:
    index = box.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    box.setCurrentIndex(index)


def test_nade_settings_show_only_under_the_nade_emission(window):
    form = window.train_panel.model
    form.kind.setCurrentText("srnn")
    assert form.emission.currentData() == "bernoulli" and form.rnn.currentData() == "gru"
    assert not form.form.isRowVisible(form.nade_hidden)
    assert form.form.isRowVisible(form.dropout)  # the SRNN has dropout
    _choose(form.emission, "nade")
    assert form.form.isRowVisible(form.nade_hidden) and form.form.isRowVisible(form.key_order)
    assert "NADE" in form.emission.currentText()
    form.kind.setCurrentText("vrnn")  # no dropout setting
    assert not form.form.isRowVisible(form.dropout) and "dropout" not in form.settings()


def test_a_nade_lstm_with_dropout_is_what_the_request_builds(window):
    panel = window.train_panel
    form = panel.model
    form.kind.setCurrentText("rnn")
    form.sizes["hidden"].setValue(10)
    _choose(form.emission, "nade")
    _choose(form.rnn, "lstm")
    _choose(form.key_order, "high-low")
    form.nade_hidden.setValue(7)
    form.dropout.setValue(0.3)
    panel.data.combo.setCurrentIndex(panel.data.combo.findData("jsb"))
    request = panel.request()
    assert request.sizes == {"hidden": 10, "emission": "nade", "rnn": "lstm",
                             "nade_hidden": 7, "key_order": "high-low", "dropout": 0.3}  # fmt: skip
    config = build_model(request.kind, **request.sizes).config
    assert (config.emission, config.rnn, config.key_order, config.dropout) == (
        "nade", "lstm", "high-low", 0.3)  # fmt: skip
    assert config.nade_hidden == 7 and config.hidden == 10

