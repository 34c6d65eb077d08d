"""Reading the Boulanger-Lewandowski benchmark pickles without trusting them.

The four sets are distributed as pickles, and ``pickle.load`` runs whatever code a file
names. These files only need dicts, lists, tuples, strings and numbers, so the reader
admits no global except numpy's scalar reconstruction for plain integer and float
scalars (older copies store notes as numpy numbers); anything else is refused before it
runs. Layout: ``{"train"|"valid"|"test": [piece, ...]}``, a piece is a list of time steps
and a time step is a list (or tuple) of the MIDI note numbers (21..108) sounding then.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from musevae.data.dataset import SPLITS, Dataset
from musevae.data.pianoroll import HIGHEST_NOTE, KEY_COUNT, LOWEST_NOTE, PianoRoll
from musevae.errors import DataError, UnsafePickleError

_NUMBER_KINDS = "iuf"  # numpy dtype kinds a note may arrive as: int, uint, float
_SCALAR_MODULES = ("numpy.core.multiarray", "numpy._core.multiarray")  # numpy 1.x, 2.x


def _numpy_scalar() -> Callable[[np.dtype, bytes], Any]:
    """numpy's private scalar constructor, wherever this numpy version keeps it."""
    try:
        from numpy._core.multiarray import scalar  # numpy >= 2
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core.multiarray import scalar
    return scalar


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler whose only globals are checked stand-ins for numpy scalar parts."""

    def __init__(self, file: io.BufferedIOBase, label: str) -> None:
        super().__init__(file, encoding="latin1")  # latin1: Python 2 pickles
        self.label = label

    def find_class(self, module: str, name: str) -> Any:
        allowed = {
            ("numpy", "dtype"): self._number_dtype,
            ("_codecs", "encode"): self._latin1_bytes,
            **{(m, "scalar"): self._number_scalar for m in _SCALAR_MODULES},
        }
        if (module, name) not in allowed:
            self._refuse(f"{module}.{name}")
        return allowed[(module, name)]

    def _refuse(self, what: str) -> None:
        raise UnsafePickleError(
            f"refused to open {self.label}: it asks to run {what}, but a dataset pickle "
            "needs only lists and numbers. The file may be malicious or not a dataset; "
            "delete it and fetch the dataset again."
        )

    def _number_dtype(self, spec: object, align: bool = False, copy: bool = True) -> np.dtype:
        """``numpy.dtype`` for plain int/float types only.

        Always a fresh copy: the pickle's BUILD step then sets state on our object, never
        on numpy's shared canonical dtype.
        """
        if not isinstance(spec, str) or np.dtype(spec).kind not in _NUMBER_KINDS:
            self._refuse(f"numpy.dtype({spec!r})")
        return np.dtype(spec, bool(align), True)

    def _number_scalar(self, dtype: object, data: object = b"") -> int | float:
        """A numpy int/float scalar, returned as a plain Python number."""
        plain = (
            isinstance(dtype, np.dtype)
            and dtype.kind in _NUMBER_KINDS
            and dtype.fields is None
            and dtype.subdtype is None
            and isinstance(data, (bytes, str))
            and len(data) == dtype.itemsize
        )
        if not plain:
            self._refuse(f"numpy scalar of {dtype!r}")
        return _numpy_scalar()(dtype, data).item()

    def _latin1_bytes(self, text: object, encoding: str = "utf-8") -> bytes:
        """``_codecs.encode(text, "latin1")``: how Python 3 protocol-2 pickles store bytes."""
        if not isinstance(text, str) or encoding != "latin1":
            self._refuse(f"_codecs.encode(..., {encoding!r})")
        return text.encode("latin1")


def load_pickle_safely(path: Path, label: str | None = None) -> Any:
    """Unpickle ``path`` admitting only plain containers and numbers.

    Raises UnsafePickleError for a refused global and DataError for a broken file;
    messages name the file as ``label`` (default: the quoted path).
    """
    label = label or f'"{path}"'
    try:
        with open(path, "rb") as file:
            return _RestrictedUnpickler(file, label).load()
    except (UnsafePickleError, MemoryError):
        raise
    except OSError as error:
        raise DataError(f"cannot read {label}: {error.strerror or error}") from error
    except Exception as error:  # any byte string can reach any unpickling failure
        raise DataError(
            f"{label} is not a readable pickle ({type(error).__name__}: {error}); "
            "it may be truncated or damaged: fetch or copy it again."
        ) from error


def read_pickle(
    path: str | Path,
    step_beats: float = 0.5,
    tempo: float = 120.0,
    name: str | None = None,
    label: str | None = None,
) -> Dataset:
    """Load a benchmark pickle into a Dataset of PianoRolls, checking every note.

    ``step_beats`` is the grid the set was sampled on: 1.0 (quarter notes) for JSB,
    0.5 (eighth notes) for MuseData, Nottingham and Piano-midi.de. Error messages name
    the file as ``label`` (default: the quoted path; a download passes its URL).
    """
    path = Path(path)
    label = label or f'"{path}"'
    data = load_pickle_safely(path, label)
    if not isinstance(data, dict):
        raise DataError(
            f"{label} holds a {type(data).__name__}, not a dict of train/valid/test splits"
        )
    missing = [split for split in SPLITS if split not in data]
    if missing:
        raise DataError(f'{label} lacks the split(s) {", ".join(missing)}')
    splits = {
        split: _read_split(data[split], f"{label} {split}", step_beats, tempo)
        for split in SPLITS
    }
    return Dataset(name or path.stem, splits, source=str(path))


def _read_split(
    pieces: object, where: str, step_beats: float, tempo: float
) -> list[PianoRoll]:
    if not isinstance(pieces, (list, tuple)):
        raise DataError(f"{where}: expected a list of pieces, got {type(pieces).__name__}")
    return [
        _piece_roll(piece, f"{where} piece {i}", step_beats, tempo)
        for i, piece in enumerate(pieces)
    ]


def _piece_roll(piece: object, where: str, step_beats: float, tempo: float) -> PianoRoll:
    """One piece as a roll, built with array indexing rather than a per-note loop."""
    if not isinstance(piece, (list, tuple)):
        raise DataError(f"{where}: expected a list of time steps, got {type(piece).__name__}")
    for t, step in enumerate(piece):
        if not isinstance(step, (list, tuple)):
            raise DataError(
                f"{where} step {t}: expected a list of note numbers, got {type(step).__name__}"
            )
    lengths = np.fromiter(map(len, piece), dtype=np.int64, count=len(piece))  # (T,)
    flat = [note for step in piece for note in step]
    notes = _note_numbers(flat, lengths, where)  # (total notes,)
    keys = np.zeros((len(piece), KEY_COUNT), dtype=np.bool_)
    keys[np.repeat(np.arange(len(piece)), lengths), notes - LOWEST_NOTE] = True
    keys.flags.writeable = False  # PianoRoll keeps a read-only array as it is
    return PianoRoll(keys, step_beats, tempo)


def _note_numbers(flat: list[Any], lengths: np.ndarray, where: str) -> np.ndarray:
    """Check that every note is a whole number on the keyboard; return them as int64.

    Notes arrive as plain ints or floats (numpy scalars were turned into those while
    unpickling); bools and anything else are refused rather than guessed at.
    """
    if not set(map(type, flat)) <= {int, float}:
        bad = next(i for i, n in enumerate(flat) if type(n) not in (int, float))
        _fail(where, lengths, bad, flat[bad], "is not a number")
    values = np.array(flat, dtype=np.float64)  # (notes,)
    whole = values == np.round(values)  # NaN is never whole
    if not whole.all():
        bad = int(np.argmin(whole))
        _fail(where, lengths, bad, flat[bad], "is not a whole number")
    inside = (values >= LOWEST_NOTE) & (values <= HIGHEST_NOTE)
    if not inside.all():
        bad = int(np.argmin(inside))
        _fail(
            where, lengths, bad, flat[bad],
            f"is outside the piano range {LOWEST_NOTE}..{HIGHEST_NOTE}",
        )
    return values.astype(np.int64)


def _fail(where: str, lengths: np.ndarray, index: int, note: object, problem: str) -> None:
    """Raise a DataError naming the step that holds the ``index``-th note of a piece."""
    step = int(np.searchsorted(np.cumsum(lengths), index, side="right"))
    raise DataError(f"{where} step {step}: note {note!r} {problem}")
