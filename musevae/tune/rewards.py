"""Music-theory rules over a piano roll, each a per-step violation in [0, 1].

Every rule reads one roll ``(T, 88)`` bool (key 0 = MIDI 21) and returns ``(T,)`` floats:
0 where step t keeps the rule, 1 where it breaks it outright, a fraction where only some
of its notes do. A violation rather than a reward, so that "the violation rate per step"
(the mean) is the same number the tuner is rewarded by and the README reports; the
tuner's reward is minus their weighted sum. They apply to polyphony, so the melody-rules
of RL Tuner (Jaques et al. 2017) read the *top voice* (each frame's highest key), and the
harmony rules read whole frames. Lengths are in beats and become steps through the
roll's ``step_beats``, so one setting means the same music on JSB's quarter-note grid
and Nottingham's eighth-note grid.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from musevae.data.pianoroll import LOWEST_NOTE
from musevae.errors import MusevaeError

PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_SPELLINGS = {"Db": 1, "D#": 3, "Gb": 6, "G#": 8, "A#": 10, "Cb": 11, "E#": 5, "Fb": 4, "B#": 0}
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
# natural minor plus the melodic minor's raised sixth and seventh: leaving the raised
# sixth out made minor pieces break the rule more than major ones, and a tuned model
# gave up the minor mode for it
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 9, 10, 11)
DISSONANT = (1, 2, 6, 10, 11)  # seconds, the tritone and sevenths (semitones mod 12)
PERFECT = (0, 7)  # octaves (and unisons) and fifths, for parallels
# Krumhansl & Kessler's key profiles (1982), for the estimated key.
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


class Key(NamedTuple):
    tonic: int  # pitch class, C = 0
    minor: bool

    def scale(self) -> np.ndarray:
        """The key's pitch classes as a (12,) bool mask."""
        mask = np.zeros(12, bool)
        mask[[(self.tonic + step) % 12 for step in (MINOR_SCALE if self.minor else MAJOR_SCALE)]] = True
        return mask

    def triad(self, minor: bool | None = None) -> np.ndarray:
        """The tonic triad's pitch classes (the key's own third unless ``minor`` says
        which) as a (12,) bool mask."""
        third = 3 if (self.minor if minor is None else minor) else 4
        mask = np.zeros(12, bool)
        mask[[(self.tonic + step) % 12 for step in (0, third, 7)]] = True
        return mask

    def tonic_chords(self) -> tuple[np.ndarray, ...]:
        """The chords a phrase may end on: the tonic triad, and in minor the major one
        too (a Picardy third, as Bach's minor chorales mostly end)."""
        return (self.triad(), self.triad(minor=False)) if self.minor else (self.triad(),)

    def name(self) -> str:
        return PITCH_NAMES[self.tonic] + ("m" if self.minor else "")


def parse_key(text: str) -> Key:
    """``"C"``, ``"F#"``, ``"Bb"`` (major) or the same with ``m`` (minor): ``"Am"``."""
    minor = text.endswith("m") and len(text) > 1
    name = text[:-1] if minor else text
    name = name[:1].upper() + name[1:]
    tonic = PITCH_NAMES.index(name) if name in PITCH_NAMES else _SPELLINGS.get(name)
    if tonic is None:
        raise MusevaeError(f"unknown key {text!r}: write e.g. C, F#, Bb, or Am for A minor")
    return Key(tonic, minor)


def pitch_classes(roll: np.ndarray) -> np.ndarray:
    """Each key's pitch class (C = 0), for the 88 columns.  (88,)"""
    return (np.arange(roll.shape[1]) + LOWEST_NOTE) % 12


def estimate_key(roll: np.ndarray) -> Key:
    """The key whose Krumhansl-Kessler profile best correlates with the roll's pitch-class
    histogram (each sounding key counted once per step); C major for an empty roll."""
    histogram = np.bincount(pitch_classes(roll)[np.nonzero(roll)[1]], minlength=12).astype(float)
    if histogram.sum() == 0:
        return Key(0, False)
    best, best_r = Key(0, False), -np.inf
    for minor, profile in ((False, _MAJOR_PROFILE), (True, _MINOR_PROFILE)):
        for tonic in range(12):
            r = np.corrcoef(histogram, np.roll(profile, tonic))[0, 1]
            if r > best_r + 1e-12:
                best, best_r = Key(tonic, minor), r
    return best


@dataclasses.dataclass(frozen=True)
class RuleSettings:
    """What the rules measure against; each is a ``musevae tune`` flag."""

    key: str = "auto"  # "auto": each piece's estimated key; else e.g. "C", "Am"
    voices: int = 4  # the voice count the rule pulls towards (chorales: 4)
    leap: int = 7  # semitones: a top-voice move this large or larger is a leap
    max_repeat_beats: float = 4.0  # a key sounding longer than this is stuck
    motif_beats: float = 4.0  # the length of a motif
    motif_lookback_beats: float = 16.0  # how far back a motif's repeat may lie

    def key_of(self, roll: np.ndarray) -> Key:
        return estimate_key(roll) if self.key == "auto" else parse_key(self.key)


class Context(NamedTuple):
    """What a rule knows besides the roll."""

    key: Key
    settings: RuleSettings
    step_beats: float  # beats per step of the roll

    def steps(self, beats: float) -> int:
        """A length in beats as a whole number of steps (at least 1)."""
        return max(1, round(beats / self.step_beats))


def top_voice(roll: np.ndarray) -> np.ndarray:
    """Each step's highest sounding key, -1 on a rest.  (T,) int"""
    top = roll.shape[1] - 1 - np.argmax(roll[:, ::-1], axis=1)
    return np.where(roll.any(1), top, -1)


def bottom_voice(roll: np.ndarray) -> np.ndarray:
    """Each step's lowest sounding key, -1 on a rest.  (T,) int"""
    return np.where(roll.any(1), np.argmax(roll, axis=1), -1)


# --- the rules ------------------------------------------------------------------------
def out_of_key(roll: np.ndarray, ctx: Context) -> np.ndarray:
    """The share of step t's sounding keys outside the key's scale and not resolved by
    step (0 on a rest). A chromatic note that moves, once it ends, to a scale note a
    semitone or a tone away (a chromatic passing or neighbour note, a raised leading
    tone) is the chorales' own idiom, so it is no violation: counting it pushed a tuned
    model's pitch classes away from the data's."""
    inside = ctx.key.scale()[pitch_classes(roll)]  # (88,)
    unresolved = roll & ~inside & ~resolves_by_step(roll, inside)  # (T, 88)
    count = roll.sum(1)
    return np.divide(unresolved.sum(1), count, out=np.zeros(len(roll)), where=count > 0)


def resolves_by_step(roll: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Whether the note sounding at (t, key) is followed, on the step after it ends, by a
    ``target (88,)`` key one or two semitones away; False where no note sounds or the
    roll ends first.  (T, 88) bool"""
    landing = roll & target  # (T, 88)
    near = np.zeros_like(roll)
    for shift in (1, 2):
        near[:, shift:] |= landing[:, :-shift]  # a landing key ``shift`` below
        near[:, :-shift] |= landing[:, shift:]  # ... or above
    out = np.zeros_like(roll)
    for t in range(len(roll) - 2, -1, -1):  # a held note resolves when its end does
        out[t] = roll[t] & np.where(roll[t + 1], out[t + 1], near[t + 1])
    return out


def voice_count(roll: np.ndarray, ctx: Context) -> np.ndarray:
    """How far the number of sounding keys is from the target, relative to it, at most 1."""
    target = ctx.settings.voices
    return np.minimum(1.0, np.abs(roll.sum(1) - target) / target)


def parallel_outer(roll: np.ndarray, ctx: Context) -> np.ndarray:
    """1 where the outer voices move in the same direction from one perfect interval
    (fifth or octave, compound ones too) to the same one: parallel fifths or octaves."""
    low, high = bottom_voice(roll), top_voice(roll)
    two_voices = (high > low) & (low >= 0)  # (T,)
    interval = (high - low) % 12
    perfect = np.isin(interval, PERFECT) & two_voices
    out = np.zeros(len(roll))
    if len(roll) < 2:
        return out
    same = perfect[1:] & perfect[:-1] & (interval[1:] == interval[:-1])
    d_low, d_high = np.diff(low), np.diff(high)
    out[1:] = same & (np.sign(d_low) == np.sign(d_high)) & (d_low != 0)
    return out


def dissonance(roll: np.ndarray, ctx: Context) -> np.ndarray:
    """The share of step t's pairs of sounding keys a dissonant interval apart (seconds,
    the tritone, sevenths, and their compounds); 0 below two keys."""
    out = np.zeros(len(roll))
    dissonant = np.zeros(12, bool)
    dissonant[list(DISSONANT)] = True
    for t in np.nonzero(roll.sum(1) >= 2)[0]:
        keys = np.nonzero(roll[t])[0]
        gaps = (keys[None, :] - keys[:, None])[np.triu_indices(len(keys), 1)]  # (pairs,)
        out[t] = dissonant[gaps % 12].mean()
    return out


def unresolved_leap(roll: np.ndarray, ctx: Context) -> np.ndarray:
    """1 at the top voice's next move after a leap when that move is not a step (one or
    two semitones) back in the opposite direction. Held notes and rests are no move."""
    out = np.zeros(len(roll))
    top = top_voice(roll)
    moves = [(t, top[t] - previous) for t, previous in _top_moves(top)]
    for (_, leap), (t, answer) in zip(moves, moves[1:]):
        if abs(leap) >= ctx.settings.leap:
            out[t] = not (1 <= abs(answer) <= 2 and np.sign(answer) != np.sign(leap))
    return out


def _top_moves(top: np.ndarray) -> list[tuple[int, int]]:
    """(step, previous pitch) wherever the top voice changes pitch between sounding steps."""
    moves, previous = [], -1
    for t, pitch in enumerate(top):
        if pitch < 0:
            continue
        if previous >= 0 and pitch != previous:
            moves.append((t, int(previous)))
        previous = pitch
    return moves


def repeated_note(roll: np.ndarray, ctx: Context) -> np.ndarray:
    """The share of step t's sounding keys that have sounded for more than the longest
    allowed repeat (``max_repeat_beats``) in a row, t included."""
    limit = ctx.steps(ctx.settings.max_repeat_beats)
    run = np.zeros(roll.shape[1], int)
    out = np.zeros(len(roll))
    for t, frame in enumerate(roll):
        run = np.where(frame, run + 1, 0)
        if frame.any():
            out[t] = (run > limit).sum() / frame.sum()
    return out


def no_motif(roll: np.ndarray, ctx: Context) -> np.ndarray:
    """1 at the end of each window of ``motif_beats`` whose top-voice shape (its moves in
    semitones, so transpositions count) is static or appeared in no earlier window
    (wholly before it) within ``motif_lookback_beats``; 0 before there can be a repeat."""
    length = ctx.steps(ctx.settings.motif_beats)
    lookback = ctx.steps(ctx.settings.motif_lookback_beats)
    top = top_voice(roll)
    out = np.zeros(len(roll))
    shape = lambda end: tuple(np.diff(top[end - length + 1 : end + 1]))  # noqa: E731
    for end in range(2 * length - 1, len(roll)):
        window = top[end - length + 1 : end + 1]
        if (window < 0).any() or len(set(window.tolist())) < 2:
            out[end] = 1.0
            continue
        earlier = range(max(length - 1, end - lookback), end - length + 1)
        out[end] = not any(shape(e) == shape(end) for e in earlier)
    return out


def non_tonic_ending(roll: np.ndarray, ctx: Context) -> np.ndarray:
    """1 at a phrase end (a sounding step before a rest, and the last step) whose chord is
    not a tonic chord (``Key.tonic_chords``) over the tonic in the bass (a rest at the
    end is an ending too)."""
    out = np.zeros(len(roll))
    if len(roll) == 0:
        return out
    sounding = roll.any(1)
    ends = np.zeros(len(roll), bool)
    ends[:-1] = sounding[:-1] & ~sounding[1:]
    ends[-1] = True
    classes, chords = pitch_classes(roll), ctx.key.tonic_chords()
    for t in np.nonzero(ends)[0]:
        keys = np.nonzero(roll[t])[0]
        tonic = (len(keys) > 0 and any(chord[classes[keys]].all() for chord in chords)
                 and classes[keys[0]] == ctx.key.tonic)  # fmt: skip
        out[t] = not tonic
    return out


Violation = Callable[[np.ndarray, Context], np.ndarray]


class Rule(NamedTuple):
    violation: Violation
    summary: str  # one line, for --help and the app


RULES: dict[str, Rule] = {
    "in-key": Rule(out_of_key, "notes outside the key's scale"),
    "voices": Rule(voice_count, "the voice count away from --voices"),
    "parallels": Rule(parallel_outer, "parallel fifths or octaves between the outer voices"),
    "consonance": Rule(dissonance, "dissonant intervals between simultaneous notes"),
    "leaps": Rule(unresolved_leap, "top-voice leaps not followed by a step back"),
    "repeats": Rule(repeated_note, "notes held or repeated past --max-repeat-beats"),
    "motif": Rule(no_motif, "top-voice motifs that do not repeat"),
    "cadence": Rule(non_tonic_ending, "phrase endings not on the tonic chord"),
}


def violations(roll: np.ndarray, settings: RuleSettings, step_beats: float,
               names: tuple[str, ...] = tuple(RULES)) -> dict[str, np.ndarray]:
    """Each named rule's per-step violations of one roll ``(T, 88)``: {name: (T,)}."""
    ctx = Context(settings.key_of(roll), settings, step_beats)
    return {name: RULES[name].violation(roll, ctx) for name in names}
