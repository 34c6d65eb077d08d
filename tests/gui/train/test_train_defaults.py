"""The Train tab starts where ``musevae train`` does: its settings come from the same
recipe (the tab once said 200 epochs where the CLI and the README said 500)."""

from __future__ import annotations

from musevae.cli import build_parser
from musevae.cli.train import training_config


def test_the_train_tab_and_the_cli_share_their_defaults(window):
    panel = window.train_panel
    panel.data.combo.setCurrentIndex(panel.data.combo.findData("jsb"))
    args = build_parser().parse_args(["train", "--dataset", "jsb", "--model", "srnn"])
    cli = training_config(args, ["jsb"])
    shown = (panel.epochs.value(), panel.batch.value(), panel.crop.value(), panel.lr.value())
    assert shown == (cli.epochs, cli.batch_size, cli.seq_len, cli.lr) == (500, 16, 100, 1e-3)
    assert f"not improved for {cli.patience} epochs" in panel.epochs.toolTip()
    request = panel.request()
    assert request.config == {"epochs": 500, "batch_size": 16, "seq_len": 100, "lr": 1e-3,
                              "precision": cli.precision}  # fmt: skip
    assert cli.precision == "float32"


def test_the_precision_choice_is_remembered_and_offered_only_where_native(window, qtbot):
    from musevae.gui.workers.tasks import Catalogue

    panel = window.train_panel
    qtbot.waitUntil(lambda: window.training.catalogue is not None, timeout=60_000)
    panel.data.combo.setCurrentIndex(panel.data.combo.findData("jsb"))
    bf16 = panel.precision.findData("bfloat16")
    panel.precision.setCurrentIndex(bf16)
    assert window.settings.get("train/precision") == "bfloat16"
    assert panel.request().config["precision"] == "bfloat16"
    sizes = window.training.catalogue.sizes
    panel._show_catalogue(Catalogue(sizes, gpu="", bfloat16=False))  # a CPU without it
    assert not panel.precision.model().item(bf16).isEnabled()
    assert panel.precision.currentData() == "float32"
    assert "emulation" in panel.precision.model().item(bf16).toolTip()
    panel._show_catalogue(Catalogue(sizes, gpu="", bfloat16=True))
    assert panel.precision.model().item(bf16).isEnabled()
