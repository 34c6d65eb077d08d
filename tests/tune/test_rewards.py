"""Every rule on rolls small enough to check by hand. Keys are MIDI numbers - 21."""

from __future__ import annotations

import numpy as np
import pytest

from musevae.errors import MusevaeError
from musevae.tune.rewards import (
    Context,
    Key,
    RuleSettings,
    dissonance,
    estimate_key,
    no_motif,
    non_tonic_ending,
    out_of_key,
    parallel_outer,
    parse_key,
    repeated_note,
    unresolved_leap,
    voice_count,
)

C4, D4, E4, F4, G4, A4, B4, C5 = 60, 62, 64, 65, 67, 69, 71, 72
C_MAJOR = Key(0, False)


def roll(*frames: tuple[int, ...]) -> np.ndarray:
    """A (T, 88) roll from each step's MIDI notes."""
    out = np.zeros((len(frames), 88), bool)
    for t, notes in enumerate(frames):
        out[t, [n - 21 for n in notes]] = True
    return out


def ctx(key: Key = C_MAJOR, step_beats: float = 1.0, **settings: object) -> Context:
    return Context(key, RuleSettings(**settings), step_beats)  # type: ignore[arg-type]


def test_out_of_key_is_the_share_of_notes_outside_the_scale() -> None:
    r = roll((C4, E4, G4), (C4, 61), (), (66, 68, 70, 61))  # C#4 = 61, F#4 = 66 ...
    assert out_of_key(r, ctx()).tolist() == [0.0, 0.5, 0.0, 1.0]
    # A minor: C# (61) out; F (65), F# (66) and G# (68), the natural and the melodic
    # minor's raised sixth and seventh, in
    assert out_of_key(roll((61, 65, 66, 68)), ctx(Key(9, True))).tolist() == [0.25]


def test_a_chromatic_note_resolved_by_step_is_in_key() -> None:
    # C major. F#4 (66) held two steps, then G4: resolved, both steps; C#4 (61) then
    # the rest: not; Eb4 (63) to E4 a semitone up: resolved; Bb4 (70) to Ab4 (68, out
    # of key too): not; the last step's F# has no next step: not.
    r = roll((C4, 66), (C4, 66), (G4, 61), (), (63,), (E4, 70), (68,), (66,))
    assert out_of_key(r, ctx()).tolist() == [0.0, 0.0, 0.5, 0.0, 0.0, 0.5, 1.0, 1.0]
    # a tone away counts (Bb4 down to A4); three semitones do not (Bb4 to G4)
    assert out_of_key(roll((70,), (A4,)), ctx()).tolist() == [0.0, 0.0]
    assert out_of_key(roll((70,), (G4,)), ctx()).tolist() == [1.0, 0.0]


def test_voice_count_is_the_distance_to_the_target_relative_to_it() -> None:
    r = roll((C4, E4, G4, C5), (C4,), (), tuple(range(60, 70)))
    assert voice_count(r, ctx(voices=4)).tolist() == [0.0, 0.75, 1.0, 1.0]  # 10 keys: capped


def test_parallel_fifths_and_octaves_between_the_outer_voices() -> None:
    # C3-G3 up to D3-A3: parallel fifths; then D3-A3 to E3-E4: fifth to octave, fine;
    # then E3-E4 to F3-F4: parallel octaves; F3-F4 to F3-F4 held: no motion, fine
    r = roll((48, 55), (50, 57), (52, 64), (53, 65), (53, 65))
    assert parallel_outer(r, ctx()).tolist() == [0.0, 1.0, 0.0, 1.0, 0.0]
    # a compound fifth (C3-G4, 19 semitones) down to another (G2-D4): parallel too
    assert parallel_outer(roll((48, 67), (43, 62)), ctx()).tolist() == [0.0, 1.0]
    assert parallel_outer(roll((48, 67), (50, 62)), ctx()).tolist() == [0.0, 0.0]  # contrary


def test_dissonance_is_the_share_of_dissonant_pairs() -> None:
    r = roll((C4, E4, G4), (C4, D4), (B4, F4, G4), (C4,))
    # C-E-G: 3 pairs, none dissonant; C-D a second; F-G second, F-B tritone, G-B third
    assert dissonance(r, ctx()) == pytest.approx([0.0, 1.0, 2 / 3, 0.0])


def test_a_leap_must_be_answered_by_a_step_back() -> None:
    # up a sixth C4->A4, then a step down to G4: resolved
    assert unresolved_leap(roll((C4,), (A4,), (G4,)), ctx()).tolist() == [0, 0, 0]
    # up a sixth, then up again: unresolved, marked where the answer comes
    assert unresolved_leap(roll((C4,), (A4,), (B4,)), ctx()).tolist() == [0, 0, 1]
    # held notes and rests in between are no move; the answer here is a step up: unresolved
    assert unresolved_leap(roll((C4,), (A4,), (A4,), (), (B4,)), ctx()).tolist() == [0, 0, 0, 0, 1]
    # a fourth (5 semitones) is below the leap size 7: nothing to resolve
    assert unresolved_leap(roll((C4,), (F4,), (A4,)), ctx()).tolist() == [0, 0, 0]


def test_repeats_beyond_the_longest_allowed_note() -> None:
    # at 1 beat per step and 2 beats allowed, C4 sounding 4 steps breaks the rule from step 3
    r = roll((C4, G4), (C4, G4), (C4, E4), (C4, E4))
    assert repeated_note(r, ctx(max_repeat_beats=2.0)).tolist() == [0, 0, 0.5, 0.5]
    # the same 2 beats on an eighth-note grid allow 4 steps
    assert repeated_note(r, ctx(step_beats=0.5, max_repeat_beats=2.0)).tolist() == [0, 0, 0, 0]


def test_a_motif_must_repeat_its_shape() -> None:
    # motifs of 2 steps: (C, D) then (E, F#)... shapes: +2 then +2 -> repeat (transposed)
    r = roll((C4,), (D4,), (E4,), (66,), (G4,), (G4,))
    settings = {"motif_beats": 2.0, "motif_lookback_beats": 4.0}
    # windows end at 3..5: [E, F#] shape +2 matches [C, D]; [F#, G] +1 matches none of
    # [D, E], [C, D] (+2); [G, G] is static
    assert no_motif(r, ctx(**settings)).tolist() == [0, 0, 0, 0, 1, 1]


def test_phrases_end_on_the_tonic_chord_over_the_tonic() -> None:
    r = roll((G4, B4), (), (C4, E4, G4), (E4, G4, C5))
    # step 0 ends a phrase (rest next) on G-B: no; step 3 (the end) on E-G-C: tonic
    # pitch classes but E in the bass: no; step 2 is not an ending
    assert non_tonic_ending(r, ctx()).tolist() == [1, 0, 0, 1]
    assert non_tonic_ending(roll((C4, E4, G4)), ctx()).tolist() == [0]
    assert non_tonic_ending(roll((A4 - 12, C5, 76)), ctx(Key(9, True))).tolist() == [0]  # A-C-E
    # A minor may end on A major (a Picardy third, A-C#-E), not on a chord mixing both
    # thirds (A-C-C#-E); C major ends on C major only (C-Eb-G is not its tonic)
    assert non_tonic_ending(roll((A4 - 12, 73, 76)), ctx(Key(9, True))).tolist() == [0]
    assert non_tonic_ending(roll((A4 - 12, C5, 73, 76)), ctx(Key(9, True))).tolist() == [1]
    assert non_tonic_ending(roll((C4, 63, G4)), ctx()).tolist() == [1]


def test_the_key_is_named_or_estimated() -> None:
    assert parse_key("C") == Key(0, False) and parse_key("Am") == Key(9, True)
    assert parse_key("bb") == Key(10, False) and parse_key("F#m") == Key(6, True)
    with pytest.raises(MusevaeError, match="unknown key"):
        parse_key("H")
    scale = roll(*[(n,) for n in (C4, D4, E4, F4, G4, A4, B4, C5, G4, C4)])
    assert estimate_key(scale) == C_MAJOR
    assert estimate_key(roll(*[(n,) for n in (69, 71, 72, 74, 76, 77, 80, 81, 76, 69)])) == Key(9, True)
    assert estimate_key(roll(())) == C_MAJOR
