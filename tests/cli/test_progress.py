"""The shared terminal progress: lines on stdout around a bar on stderr, Ctrl-C stops."""

from __future__ import annotations

import io
import signal
from collections.abc import Generator

from musevae.cli.progress import BarPrinter, follow


class _Lines(BarPrinter):
    """Writes each event as a line; a bar of 3 updates after the first."""

    def __init__(self, out: io.StringIO, err: io.StringIO) -> None:
        super().__init__(out, err)
        self.closed = 0

    def handle(self, event: str) -> None:
        self.write(event)
        if self.bar is None:
            self.start_bar(3, 1)

    def close(self) -> None:
        self.closed += 1
        super().close()


def test_lines_go_to_out_and_the_bar_to_err_and_close_twice_is_harmless() -> None:
    out, err = io.StringIO(), io.StringIO()
    printer = BarPrinter(out, err)
    printer.write("before")
    printer.start_bar(total=4, done=1)  # a resumed run: 1 of 4 updates behind us
    printer.write("during")
    bar_text = err.getvalue()
    printer.close()
    printer.close()
    assert out.getvalue() == "before\nduring\n"  # no bar characters in the log
    assert "1/4" in bar_text and "update" in bar_text
    assert printer.bar is None


def test_follow_prints_every_event_and_closes_the_printer() -> None:
    out, err = io.StringIO(), io.StringIO()
    printer = _Lines(out, err)
    assert follow(iter(["a", "b", "c"]), printer)  # type: ignore[arg-type]
    assert out.getvalue() == "a\nb\nc\n" and printer.closed == 1


def test_one_ctrl_c_closes_the_events_after_the_current_one() -> None:
    closed: list[str] = []

    def events() -> Generator[str, None, None]:
        try:
            yield "a"
            signal.raise_signal(signal.SIGINT)  # as if pressed while "b" was computed
            yield "b"
            yield "c"
        finally:
            closed.append("checkpoint")  # what a trainer writes when it is closed

    out, err = io.StringIO(), io.StringIO()
    printer = _Lines(out, err)
    previous = signal.getsignal(signal.SIGINT)
    assert not follow(events(), printer)
    assert out.getvalue() == "a\nb\n"  # "b" finished; "c" never came
    assert closed == ["checkpoint"] and printer.closed == 1
    assert signal.getsignal(signal.SIGINT) is previous  # the handler is put back
