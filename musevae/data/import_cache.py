"""The per-user cache of parsed MIDI files, so re-importing an unchanged folder is quick.

An entry is keyed by the file's SHA-256 and the options that change how it parses, and
holds either the roll (bits packed eight keys to a byte) or the reason the file was
skipped. It is an ``.npz`` read with ``allow_pickle=False``: a cache folder is a place
anyone could have written to, so loading from it must never run code. Entries are
written atomically; one that is damaged or not what it claims is treated as missing,
so the file is parsed again and the entry rewritten.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from musevae import paths
from musevae.atomic import write_bytes_atomically
from musevae.data.import_options import ImportOptions
from musevae.data.pianoroll import KEY_COUNT, PianoRoll

CACHE_FORMAT = 2  # bump when the parser changes what a file reads as (2: long files read)
_FIELDS = {"keys", "tempo", "step_beats", "notes", "out_of_range", "reason"}


@dataclass(frozen=True)
class FileResult:
    """What importing one file gave: its content hash and a roll, or why it was skipped."""

    digest: str  # SHA-256 of the file's bytes ("" when they could not be read)
    roll: PianoRoll | None
    reason: str = ""  # why the file was skipped; "" when it gave a roll
    notes: int = 0
    out_of_range: int = 0
    from_cache: bool = False


def entry_path(digest: str, options: ImportOptions) -> Path:
    key = json.dumps([CACHE_FORMAT, *options.parse_fields()]).encode()
    suffix = hashlib.sha256(key).hexdigest()[:16]
    return paths.cache_dir() / "midi" / digest[:2] / f"{digest}-{suffix}.npz"


def load_entry(digest: str, options: ImportOptions) -> FileResult | None:
    """The cached result for this content and these options, or None if absent or bad."""
    try:
        with np.load(entry_path(digest, options), allow_pickle=False) as entry:
            if set(entry.files) != _FIELDS:
                return None
            fields = {name: entry[name] for name in _FIELDS}
        return _result(digest, fields, options)
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return None


def _result(
    digest: str, fields: dict[str, np.ndarray], options: ImportOptions
) -> FileResult | None:
    packed, reason = fields["keys"], str(fields["reason"])
    if packed.dtype != np.uint8 or packed.ndim != 2 or packed.shape[1] != (KEY_COUNT + 7) // 8:
        return None
    if float(fields["step_beats"]) != options.step_beats or bool(reason) == (len(packed) > 0):
        return None
    roll = None
    if not reason:
        keys = np.unpackbits(packed, axis=1, count=KEY_COUNT).astype(np.bool_)
        roll = PianoRoll(keys, float(fields["step_beats"]), float(fields["tempo"]))
    notes, out_of_range = int(fields["notes"]), int(fields["out_of_range"])
    return FileResult(digest, roll, reason, notes, out_of_range, from_cache=True)


def save_entry(result: FileResult, options: ImportOptions) -> None:
    """Store ``result``; a cache that cannot be written only makes the next import slower."""
    keys = result.roll.keys if result.roll is not None else np.zeros((0, KEY_COUNT), np.bool_)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        keys=np.packbits(keys, axis=1),
        tempo=np.float64(result.roll.tempo if result.roll is not None else 0.0),
        step_beats=np.float64(options.step_beats),
        notes=np.int64(result.notes),
        out_of_range=np.int64(result.out_of_range),
        reason=np.str_(result.reason),
    )
    try:
        write_bytes_atomically(entry_path(result.digest, options), buffer.getvalue())
    except OSError:
        pass
