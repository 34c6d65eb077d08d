"""The learning curves' axes: no numbers on an empty chart (its 0..1 update axis read
"0 0 0 0 1"), whole round update ticks, and a y range that holds every finite point,
the steep first updates included (the first ~25 once fell off the bottom); a burst of
curve changes redraws once."""

from __future__ import annotations

import math

import pytest

from musevae.gui.shell.notify import Notifier
from musevae.gui.train.chart import (
    REDRAW_MS,
    CurveChart,
    TrainingCharts,
    decimals_for,
    round_step,
    value_range,
)
from musevae.gui.train.session import TrainSession


def tick_labels(axis) -> list[str]:
    """An axis' labels, as QtCharts places dynamic ticks: anchor + k * interval."""
    interval, low, high = axis.tickInterval(), axis.min(), axis.max()
    first = math.ceil((low - axis.tickAnchor()) / interval) * interval + axis.tickAnchor()
    count = int((high - first) // interval + 1e-9) + 1
    return [axis.labelFormat() % (first + k * interval) for k in range(count)]


@pytest.mark.parametrize(("span", "whole", "step"), [
    (1, True, 1), (4, True, 1), (7, True, 2), (24, True, 5), (26, True, 10), (180, True, 50),
    (4_500, True, 1_000), (0.3, False, 0.1), (1.0, False, 0.2), (56.0, False, 20.0),
])  # fmt: skip
def test_steps_are_1_2_5_times_a_power_of_ten(span, whole, step):
    assert round_step(span, whole) == pytest.approx(step)


def test_labels_have_the_decimals_their_step_needs():
    assert [decimals_for(s) for s in (20.0, 1.0, 0.5, 0.05)] == ["%.0f", "%.0f", "%.1f", "%.2f"]


def test_an_empty_chart_shows_no_numbers(qtbot):
    chart = CurveChart("ELBO", {"train": "#1f77b4"})
    qtbot.addWidget(chart)
    assert not chart.x_axis.isVisible() and not chart.y_axis.isVisible()


@pytest.mark.parametrize("last", [1, 3, 7, 40, 1234])
def test_update_ticks_are_distinct_whole_numbers(qtbot, last):
    chart = CurveChart("ELBO", {"train": "#1f77b4"})
    qtbot.addWidget(chart)
    chart.show_curves({"train": [(float(u), -60.0 + u / (last + 1)) for u in range(last + 1)]})
    labels = tick_labels(chart.x_axis)
    assert chart.x_axis.isVisible() and 2 <= len(labels) <= 6
    assert len(set(labels)) == len(labels) and labels[0] == "0"


def test_the_elbo_range_holds_every_point_the_steep_start_too(qtbot):
    session = TrainSession(Notifier())
    charts = TrainingCharts(session)
    qtbot.addWidget(charts)
    # ELBO from -61 (a coin per key) to about -8 over 25 updates, then slowly to -6.5
    steep = [(u, -61.0 + 53.0 * u / 25, 0.1) for u in range(25)]
    slow = [(u, -8.0 + 1.5 * (u - 25) / 475, 2.0) for u in range(25, 500)]
    session.train_curve = [*steep, *slow, (500, math.nan, math.inf)]  # a bad update
    session.valid_curve = [(100, -7.9), (500, -6.4)]
    charts.redraw()
    y = charts.elbo.y_axis
    assert y.min() <= -61.0 and y.max() >= -6.4 and math.isfinite(y.max())
    assert y.max() - y.min() <= 1.2 * (61.0 - 6.4)  # and not much more
    labels = tick_labels(y)
    assert 3 <= len(labels) <= 6 and len(set(labels)) == len(labels)
    assert charts.kl.y_axis.min() <= 0.1 <= 2.0 <= charts.kl.y_axis.max()
    assert charts.elbo.points("train") == 500  # the bad update left out


def test_value_range_pads_a_single_value_so_its_ticks_differ():
    low, high = value_range([-6.7])
    assert low < -6.7 < high and high - low >= 0.1
    assert value_range([]) is None


class _CountingCharts(TrainingCharts):
    def __init__(self, session: TrainSession) -> None:
        self.drawn = 0
        super().__init__(session)

    def redraw(self) -> None:
        self.drawn += 1
        super().redraw()


def test_a_burst_of_curve_changes_redraws_once_after_a_short_wait(qtbot):
    session = TrainSession(Notifier())
    charts = _CountingCharts(session)
    qtbot.addWidget(charts)
    session.train_curve = [(1, -60.0, 0.1), (2, -55.0, 0.2)]
    for _ in range(50):  # fifty updates in one burst
        session.curvesChanged.emit()
    assert charts.drawn == 0 and charts.elbo.points("train") == 0  # not yet
    qtbot.waitUntil(lambda: charts.drawn == 1, timeout=10 * REDRAW_MS)
    qtbot.wait(2 * REDRAW_MS)  # nothing more came: no second redraw
    assert charts.drawn == 1 and charts.elbo.points("train") == 2
