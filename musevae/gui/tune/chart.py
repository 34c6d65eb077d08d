"""The tuning curves: reward per step (the whole reward and the rules' part of it) and the
KL to the base, over updates, with the training charts' ``CurveChart`` and ``RunCharts``.
Like those, it redraws at most five times a second however fast the updates come."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from musevae.gui.train.chart import CurveChart, RunCharts
from musevae.gui.tune.session import TuneSession


class TuneCharts(RunCharts):
    session: TuneSession

    def __init__(self, session: TuneSession, parent: QWidget | None = None) -> None:
        self.reward = CurveChart("Reward", {"reward": "#1f77b4", "rules": "#ff7f0e"})
        self.reward.y_axis.setTitleText("per step")
        self.kl = CurveChart("KL to the base model", {"KL": "#2ca02c"})
        self.kl.y_axis.setTitleText("nats / step")
        super().__init__(session, self.reward, self.kl, parent)

    def redraw(self) -> None:
        curve = self.session.curve
        self.reward.show_curves({
            "reward": [(u, reward) for u, reward, _, _ in curve],
            "rules": [(u, music) for u, _, music, _ in curve],
        })  # fmt: skip
        self.kl.show_curves({"KL": [(u, kl) for u, _, _, kl in curve]})
