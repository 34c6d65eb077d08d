"""The SRNN authors' preprocessed benchmarks (``*_raw_batchsize16_seqlen100.npz``).

The SRNN paper's numbers were measured on these files, not on the standard pickles, so
reproducing them needs this exact data. ``x_train`` and ``x_valid`` are 100-step chunks
``(N, 100, 88)``, kept one roll per chunk exactly as the authors trained on them (their
zero padding included: no mask tells it from silence). ``x_test`` holds whole pieces
zero-padded to the longest ``(N, T, 88)`` with ``mask_test (N, T)``; each piece is
trimmed to its mask so a roll holds only real frames. ``u_*`` (inputs shifted by one
step) are not read: the models shift the frames themselves.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from musevae.data.dataset import Dataset
from musevae.data.pianoroll import KEY_COUNT, PianoRoll
from musevae.errors import DataError

_KEYS = ("x_train", "x_valid", "x_test", "mask_test")


def read_npz(
    path: str | Path,
    step_beats: float = 0.5,
    tempo: float = 120.0,
    name: str | None = None,
    label: str | None = None,
) -> Dataset:
    """Load one of the authors' ``.npz`` files as train/valid chunks and whole test pieces.

    The authors do not state their time grid; ``step_beats`` only sets playback speed.
    Error messages name the file as ``label`` (default: the quoted path).
    """
    path = Path(path)
    label = label or f'"{path}"'
    arrays = _load_arrays(path, label)
    train, valid, test = (_keys(arrays[k], k, label) for k in ("x_train", "x_valid", "x_test"))
    lengths = _mask_lengths(arrays["mask_test"], test.shape[:2], label)  # (N,)
    splits = {
        "train": [PianoRoll(chunk, step_beats, tempo) for chunk in train],
        "valid": [PianoRoll(chunk, step_beats, tempo) for chunk in valid],
        "test": [PianoRoll(piece[:n], step_beats, tempo) for piece, n in zip(test, lengths)],
    }
    return Dataset(name or path.stem, splits, source=str(path))


def _load_arrays(path: Path, label: str) -> dict[str, np.ndarray]:
    """The four arrays we need; ``allow_pickle=False`` so the file cannot run code."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in _KEYS if k not in npz.files]
            if missing:
                raise DataError(
                    f'{label} lacks the array(s) {", ".join(missing)}; it is not one of '
                    "the SRNN authors' *_raw_batchsize16_seqlen100.npz files"
                )
            return {k: npz[k] for k in _KEYS}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(
            f"cannot read {label} as a NumPy .npz archive of plain arrays ({error}); "
            "copy it again from the SRNN authors' code"
        ) from error


def _keys(array: np.ndarray, key: str, label: str) -> np.ndarray:
    """A read-only ``(N, T, 88)`` bool view, after checking it holds only 0 and 1."""
    if array.ndim != 3 or array.shape[2] != KEY_COUNT:
        raise DataError(f"{label} {key} has shape {array.shape}, expected (N, T, {KEY_COUNT})")
    binary = (array == 0) | (array == 1)  # (N, T, 88)
    if not binary.all():
        n, t, k = np.argwhere(~binary)[0]
        raise DataError(
            f"{label} {key}[{n}, {t}, {k}] is {array[n, t, k].item()}; a piano roll holds 0 or 1"
        )
    keys = array.astype(np.bool_)
    keys.flags.writeable = False  # each roll is then a view, not a copy
    return keys


def _mask_lengths(mask: np.ndarray, shape: tuple[int, ...], label: str) -> np.ndarray:
    """Each test piece's length, checking the mask is ones then zeros on every row."""
    if mask.shape != shape:
        raise DataError(f"{label} mask_test has shape {mask.shape}, expected {shape}")
    lengths = (mask != 0).sum(axis=1)  # (N,)
    prefix = np.arange(mask.shape[1])[None, :] < lengths[:, None]  # (N, T)
    bad = np.flatnonzero((mask != prefix).any(axis=1))
    if bad.size:
        raise DataError(
            f"{label} mask_test row {bad[0]} is not a run of ones followed by zeros, "
            "so the piece's length is unclear"
        )
    return lengths
