"""What the views draw: note runs and lane peaks of the visible range, binned when
zoomed out. Hand-computed expectations on tiny arrays."""

from __future__ import annotations

import numpy as np

from musevae.gui.roll.paint_data import lane_envelope, steps_per_bin, visible_runs


def grid(steps: int, on: dict[int, list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Notes ``on[key] = steps`` and probabilities 0.1 * (step + 1) on every cell."""
    notes = np.zeros((steps, 88), bool)
    for key, at in on.items():
        notes[at, key] = True
    probs = np.tile((np.arange(steps, dtype=np.float32)[:, None] + 1) * 0.1, (1, 88))
    return notes, probs


def test_runs_in_the_visible_range_with_mean_probability():
    notes, probs = grid(6, {5: [1, 2, 3], 9: [0, 4, 5]})
    runs = visible_runs(notes, probs, 0, 6, 1)
    # key 5: steps 1..3 (probs .2 .3 .4, mean .3); key 9: step 0 (.1) and steps 4..5 (.55)
    assert runs.keys.tolist() == [5, 9, 9]
    assert runs.starts.tolist() == [1, 0, 4]
    assert runs.lengths.tolist() == [3, 1, 2]
    assert np.allclose(runs.strength, [0.3, 0.1, 0.55])


def test_a_run_cut_by_the_window_starts_at_the_window():
    notes, probs = grid(6, {5: [1, 2, 3]})
    runs = visible_runs(notes, probs, 2, 4, 1)
    assert (runs.starts.tolist(), runs.lengths.tolist()) == ([2], [2])


def test_zoomed_out_bins_merge_steps_and_keep_any_note():
    notes, probs = grid(8, {0: [1], 1: [6, 7]})
    runs = visible_runs(notes, probs, 0, 8, 4)  # bins 0..3 and 4..7
    assert runs.keys.tolist() == [0, 1]
    assert runs.starts.tolist() == [0, 4] and runs.lengths.tolist() == [4, 4]
    assert np.allclose(runs.strength, [0.2, 0.8])  # the largest probability in the bin


def test_steps_per_bin_keeps_a_bin_at_least_a_pixel_wide():
    assert [steps_per_bin(px) for px in (8.0, 1.0, 0.5, 0.3)] == [1, 1, 2, 4]


def test_lane_peaks_per_bin_and_nan_where_there_is_no_value():
    values = np.array([1.0, 3.0, np.nan, np.nan, 2.0], np.float32)
    steps, peaks = lane_envelope(values, 0, 5, 2)
    assert steps.tolist() == [0, 2, 4]
    assert peaks[0] == 3.0 and np.isnan(peaks[1]) and peaks[2] == 2.0


def test_nothing_visible_gives_empty_arrays():
    notes, probs = grid(4, {3: [0]})
    assert len(visible_runs(notes, probs, 10, 20, 1).keys) == 0
    assert len(lane_envelope(np.ones(4), 5, 9, 1)[0]) == 0
