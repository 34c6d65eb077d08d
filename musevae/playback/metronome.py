"""A metronome on a MIDI output: a count-in before a phrase is recorded and, if asked,
clicks on while it is played.

The clicks are General MIDI percussion on channel 10 (an accent on each bar's first
beat, a plainer click on the others), short notes any GM synth or DAW drum kit plays.
Beat ``k`` is due at ``start + k * 60 / bpm`` on the perf_counter clock, the clock MIDI
input stamps its messages with: an absolute deadline, so a late wake-up never delays
the next beat. The waiting is the player's :class:`Transport` (a sleep, then a 1 ms
spin), so :meth:`Metronome.stop` wakes the thread at once, and every click goes
through :class:`Voices`, so however it ends the sounding click gets its note-off.

The downbeat after the count-in is what :meth:`Metronome.start` returns: a recorder
started there (``PhraseRecorder(downbeat=...)``) has its step 0 on it.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import threading
import time
from collections.abc import Callable, Iterator

from musevae.playback.output import MidiOutput
from musevae.playback.transport import Transport
from musevae.playback.voices import Voices, VoicesClosed

DRUMS = 9  # MIDI channel 10, General MIDI percussion
ACCENT, BEAT = 76, 77  # GM Hi Wood Block on each bar's first beat, Low Wood Block after
CLICK_SECONDS = 0.03  # how long a click's note lasts (at most a third of a beat)
LEAD_SECONDS = 0.05  # the first click is due this long after start(): time to start up
STOP_JOIN_SECONDS = 1.0


@dataclasses.dataclass(frozen=True)
class Click:
    beat: int  # counted from 0 at the first click
    due: float  # perf_counter seconds
    note: int  # ACCENT or BEAT
    count_in: int  # beats of the count-in left, this one included; 0 once it is over


def clicks(start: float, bpm: float, beats_per_bar: int, count_in_bars: int,
           bars: int | None = None) -> Iterator[Click]:  # fmt: skip
    """The clicks from ``start``: ``count_in_bars`` bars of count-in, then ``bars`` bars
    more (``None``: until the caller stops reading). Bad values raise here, not later."""
    _check(bpm, beats_per_bar)
    if count_in_bars < 0 or (bars is not None and bars < 0):
        raise ValueError(f"a number of bars cannot be negative; got {count_in_bars}, {bars}")
    count_in = count_in_bars * beats_per_bar
    beats = itertools.count() if bars is None else range(count_in + bars * beats_per_bar)
    return (Click(beat, start + beat * 60.0 / bpm, ACCENT if beat % beats_per_bar == 0
                  else BEAT, max(0, count_in - beat)) for beat in beats)  # fmt: skip


def _check(bpm: float, beats_per_bar: int) -> None:
    if not (bpm > 0 and math.isfinite(bpm)):
        raise ValueError(f"tempo must be a positive number of BPM; got {bpm}")
    if beats_per_bar < 1:
        raise ValueError(f"a bar has at least one beat; got {beats_per_bar}")


def _nothing(*_: object) -> None:
    pass


class Metronome:
    """Clicks on ``output`` at ``bpm`` in bars of ``beats_per_bar`` beats.

    ``on_click(click)`` runs on the metronome's thread just after each click is sent
    (the GUI shows the count-in from it), so it must be quick. A port that fails ends
    the clicks; the error is kept in ``error`` and handed to ``on_error``.
    """

    def __init__(self, output: MidiOutput, *, bpm: float, beats_per_bar: int = 4,
                 velocity: int = 100) -> None:  # fmt: skip
        if not 1 <= velocity <= 127:
            raise ValueError(f"velocity must be 1..127; got {velocity}")
        _check(bpm, beats_per_bar)
        self.bpm, self.beats_per_bar, self.velocity = float(bpm), beats_per_bar, velocity
        self.on_click: Callable[[Click], None] = _nothing
        self.on_error: Callable[[BaseException], None] = _nothing
        self.error: BaseException | None = None
        self._voices = Voices(output)
        self._transport = Transport()
        self._thread: threading.Thread | None = None

    @property
    def beat_seconds(self) -> float:
        return 60.0 / self.bpm

    def start(self, count_in_bars: int, *, keep_going: bool = False) -> float:
        """Click ``count_in_bars`` bars, then on until :meth:`stop` if ``keep_going``;
        returns the perf_counter time of the downbeat after the count-in (the first
        click's, with no count-in)."""
        self.stop()
        first = time.perf_counter() + LEAD_SECONDS
        beats = clicks(first, self.bpm, self.beats_per_bar, count_in_bars,
                       None if keep_going else 0)  # fmt: skip
        self.error, self._transport = None, Transport("playing")
        self._thread = threading.Thread(target=self._run, args=(beats, self._transport),
                                        name="musevae-metronome", daemon=True)  # fmt: skip
        self._thread.start()
        return first + count_in_bars * self.beats_per_bar * self.beat_seconds

    @property
    def running(self) -> bool:
        return not self._transport.ended.is_set()

    def stop(self) -> None:
        """Stop clicking; returns once the sounding click (if any) has its note-off."""
        self._transport.request(stop=True)
        if self._thread is threading.current_thread():
            return
        if not self._transport.ended.wait(STOP_JOIN_SECONDS):  # stuck in a hook
            self._voices.release()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the clicks have ended (the count-in is over); True if they have."""
        return self._transport.ended.wait(timeout)

    def _run(self, beats: Iterator[Click], transport: Transport) -> None:
        try:
            for click in beats:
                if not transport.sleep_until(click.due):
                    break
                self._voices.change(DRUMS, [click.note], self.velocity)
                self.on_click(click)
                off = click.due + min(CLICK_SECONDS, self.beat_seconds / 3)
                if not transport.sleep_until(off):
                    break
                self._voices.change(DRUMS, [], self.velocity)
        except VoicesClosed:
            pass
        except Exception as failure:  # a port or a hook: reported, never a crash
            self.error = failure
        finally:
            release_error = self._voices.release()
            self.error = self.error or release_error
            transport.finish()
            try:
                if self.error is not None:
                    self.on_error(self.error)
            finally:
                transport.ended.set()
