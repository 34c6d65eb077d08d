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
    assert request.config == {"epochs": 500, "batch_size": 16, "seq_len": 100, "lr": 1e-3}
