"""Learning curves (QtCharts, part of PySide6: no extra dependency).

Trainer steps can arrive hundreds of times a second; the chart marks itself dirty and
redraws at most five times a second, from at most ``MAX_POINTS`` points per curve.
The y range holds every finite point, the steep first updates too, and no more; both
axes tick at round numbers, whole ones for updates (a 0..1 range once read "0 0 0 0 1").
"""

from __future__ import annotations

import math

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QVBoxLayout, QWidget

from musevae.gui.train.session import TrainSession
from musevae.gui.workers.run_session import RunSession

MAX_POINTS = 600
REDRAW_MS = 200
TICKS = 5  # intervals at most, on either axis


def thinned(points: list[tuple[float, float]]) -> list[QPointF]:
    """Every k-th point (and always the last), k chosen so at most MAX_POINTS remain."""
    stride = max(1, len(points) // MAX_POINTS)
    chosen = points[::stride]
    if points and chosen[-1] is not points[-1]:
        chosen.append(points[-1])
    return [QPointF(x, y) for x, y in chosen]


def round_step(span: float, whole: bool = False, ticks: int = TICKS) -> float:
    """The smallest 1, 2 or 5 times a power of ten (at least 1 when ``whole``) that
    cuts ``span`` into at most ``ticks`` intervals."""
    power = 1.0 if whole else 10.0 ** math.floor(math.log10(span / ticks))
    while True:
        for mantissa in (1, 2, 5):
            if span <= ticks * mantissa * power:
                return mantissa * power
        power *= 10


def decimals_for(step: float) -> str:
    """A label format with as many decimals as ``step`` needs: 20 -> %.0f, 0.05 -> %.2f."""
    return f"%.{max(0, math.ceil(-math.log10(step) - 1e-9))}f"


def value_range(ys: list[float]) -> tuple[float, float] | None:
    """Low and high of ``ys`` with a little room; None when there are none."""
    if not ys:
        return None
    low, high = min(ys), max(ys)
    pad = max(0.05 * (high - low), 0.01 * abs(high), 0.01)
    return low - pad, high + pad


class CurveChart(QChartView):
    """One chart of named curves over training updates."""

    def __init__(self, title: str, curves: dict[str, str], parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(chart.margins() * 0)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.series: dict[str, QLineSeries] = {}
        self.x_axis, self.y_axis = QValueAxis(), QValueAxis()
        self.x_axis.setTitleText("update")
        self.x_axis.setLabelFormat("%d")
        self.y_axis.setTitleText("nats / frame")
        for axis in (self.x_axis, self.y_axis):
            axis.setTickType(QValueAxis.TickType.TicksDynamic)
            axis.setTickAnchor(0)
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        for name, color in curves.items():
            series = QLineSeries(name=name)
            series.setPen(QPen(QColor(color), 1.6))
            series.setPointsVisible(name == "validation")  # one point per epoch
            chart.addSeries(series)
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)
            self.series[name] = series
        self.setMinimumHeight(180)
        self.show_curves(dict.fromkeys(curves, []))

    def show_curves(self, data: dict[str, list[tuple[float, float]]]) -> None:
        """Show the curves over all their updates and values; empty, no axes."""
        xs, ys = [], []
        for name, points in data.items():
            points = [(x, y) for x, y in points if math.isfinite(y)]  # not a bad update's NaN
            self.series[name].replace(thinned(points))
            xs += [x for x, _ in points]
            ys += [y for _, y in points]
        first, last = (min(xs), max(xs)) if xs else (0.0, 1.0)
        last = max(last, first + 1)
        self.x_axis.setRange(first, last)
        self.x_axis.setTickInterval(round_step(last - first, whole=True))
        span = value_range(ys)
        if span is not None:
            low, high = span
            step = round_step(high - low)
            self.y_axis.setRange(low, high)
            self.y_axis.setTickInterval(step)
            self.y_axis.setLabelFormat(decimals_for(step))
        for axis in (self.x_axis, self.y_axis):
            axis.setVisible(span is not None)  # hiding just the labels misplaces the titles

    def points(self, name: str) -> int:
        return self.series[name].count()


class RunCharts(QWidget):
    """A run's two charts, the upper one taller. ``redraw`` runs once, REDRAW_MS after the
    session's ``curvesChanged``, however often it comes meanwhile."""

    def __init__(
        self, session: RunSession, upper: CurveChart, lower: CurveChart,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(upper, 3)
        layout.addWidget(lower, 2)
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._timer.timeout.connect(self.redraw)
        session.curvesChanged.connect(self._mark_dirty)

    def _mark_dirty(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def redraw(self) -> None:
        """Show the session's curves now; each pair of charts knows which."""
        raise NotImplementedError


class TrainingCharts(RunCharts):
    """ELBO (train and validation) and KL (train) curves of the session's run."""

    session: TrainSession

    def __init__(self, session: TrainSession, parent: QWidget | None = None) -> None:
        self.elbo = CurveChart("ELBO", {"train": "#1f77b4", "validation": "#ff7f0e"})
        self.kl = CurveChart("KL", {"train KL": "#2ca02c"})
        super().__init__(session, self.elbo, self.kl, parent)

    def redraw(self) -> None:
        s = self.session
        self.elbo.show_curves({
            "train": [(u, elbo) for u, elbo, _ in s.train_curve],
            "validation": [(float(u), e) for u, e in s.valid_curve],
        })  # fmt: skip
        self.kl.show_curves({"train KL": [(u, kl) for u, _, kl in s.train_curve]})
