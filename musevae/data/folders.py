"""A folder of the user's MIDI files as a dataset, and the named imports musevae remembers.

Each file goes to train, valid or test by its content hash, so the split needs no state,
is the same on every machine, and adding or removing a file never moves another one.
Identical files are used once. A named import is a small JSON record in
``<data dir>/imports/<name>.json`` holding the folder and the options; loading it imports
the folder again through the cache, so files added or changed since are picked up.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from musevae import paths
from musevae.atomic import write_bytes_atomically
from musevae.data.dataset import SPLITS, Dataset
from musevae.data.folder_scan import Progress, find_midi_files, scan
from musevae.data.import_cache import FileResult
from musevae.data.import_options import ImportOptions
from musevae.data.pianoroll import PianoRoll
from musevae.errors import DataError

__all__ = [
    "ImportOptions", "ImportReport", "NoUsableFilesError", "dataset_from_folder",
    "dataset_name", "import_name", "imported_names", "load_imported", "register_import", "split_of",
]  # fmt: skip

IMPORTS_DIR = "imports"
RECORD_FORMAT = 1


@dataclass(frozen=True)
class ImportReport:
    """What an import used and skipped; paths are relative to ``folder``."""

    folder: str
    used: tuple[tuple[str, str], ...]  # (path, split)
    skipped: tuple[tuple[str, str], ...]  # (path, reason)
    notes: int  # notes on the rolls
    out_of_range: int  # notes outside 21..108 in used files: dropped, or folded
    fold_octaves: bool
    steps: int  # frames in all splits
    from_cache: int  # files whose result came from the cache rather than the parser

    def summary(self) -> str:
        found = len(self.used) + len(self.skipped)
        parts = [f"imported {len(self.used)} of {found} MIDI files from {self.folder}"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        parts.append(f"{self.steps:,} steps, {self.notes:,} notes")
        if self.out_of_range:
            fate = "folded into range" if self.fold_octaves else "dropped"
            parts.append(f"{self.out_of_range:,} notes outside 21..108 {fate}")
        parts.append(f"{self.from_cache} read from the cache")
        return "; ".join(parts)


class NoUsableFilesError(DataError):
    """The folder gave no roll; ``report`` says what was found and why each was skipped."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


def split_of(digest: str, options: ImportOptions) -> str:
    """The split of a file with this SHA-256: its first 64 bits as a fraction of 2**64."""
    position = int(digest[:16], 16) / 2**64
    if position < options.train_fraction:
        return "train"
    return "valid" if position < options.train_fraction + options.valid_fraction else "test"


def dataset_from_folder(
    folder: str | os.PathLike[str],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> tuple[Dataset, ImportReport]:
    """Import every MIDI file under ``folder``.

    Without ``options``, a folder imported earlier under a name (in ``data_dir``'s
    records) is read with the options it was imported with, and keeps that name;
    otherwise the defaults apply. ``progress(done, total)`` is called after each file.
    Raises DataError if the folder is missing, NoUsableFilesError if no file is usable.
    """
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise DataError(f'"{root}" is not a folder; give the folder that holds your MIDI files')
    recorded = _recorded(root, data_dir) if options is None else None
    name, options = recorded or (_default_name(root), options or ImportOptions())
    files, unlisted = find_midi_files(root)
    results = scan(files, options, progress)
    splits, report = _assemble(root, files, unlisted, results, options)
    if not files:
        message = f'"{root}" holds no .mid or .midi file, in sub-folders neither'
        raise NoUsableFilesError(message, report)
    if not report.used:
        message = f'"{root}" has no usable MIDI file: all {len(files)} were skipped'
        raise NoUsableFilesError(message, report)
    return Dataset(name, splits, source=str(root)), report


def _assemble(
    root: Path,
    files: list[Path],
    unlisted: list[tuple[Path, str]],
    results: dict[Path, FileResult],
    options: ImportOptions,
) -> tuple[dict[str, list[PianoRoll]], ImportReport]:
    """Deal the rolls into splits (each content once) and account for every file."""
    splits: dict[str, list[PianoRoll]] = {split: [] for split in SPLITS}
    used: list[tuple[str, str]] = []
    skipped = [(_relative(path, root), reason) for path, reason in unlisted]
    first_with: dict[str, str] = {}  # digest -> the file that used it
    notes = out_of_range = from_cache = 0
    for path in files:
        result, relative = results[path], _relative(path, root)
        from_cache += result.from_cache
        if result.roll is None:
            skipped.append((relative, result.reason))
        elif result.digest in first_with:
            skipped.append((relative, f"same content as {first_with[result.digest]}"))
        else:
            first_with[result.digest] = relative
            split = split_of(result.digest, options)
            splits[split].append(result.roll)
            used.append((relative, split))
            notes += result.notes
            out_of_range += result.out_of_range
    steps = sum(len(roll) for rolls in splits.values() for roll in rolls)
    report = ImportReport(
        str(root), tuple(used), tuple(skipped), notes, out_of_range,
        options.fold_octaves, steps, from_cache,
    )  # fmt: skip
    return splits, report


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _default_name(root: Path) -> str:
    try:
        return dataset_name(root.resolve().name)
    except DataError:
        return "midi-folder"


# --- named imports ------------------------------------------------------------------------
def dataset_name(text: str) -> str:
    """A name that is safe as a file name: letters, digits, ``.``, ``_``, ``-``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")[:64]
    if not name:
        raise DataError(f"cannot make a dataset name from {text!r}; give one with --name")
    return name


def _is_name(text: str) -> bool:
    try:
        return dataset_name(text) == text
    except DataError:
        return False


def import_name(folder: str | os.PathLike[str], name: str | None = None) -> str:
    """The name an import of ``folder`` is saved under: ``name`` or the folder's, made
    safe, and never a built-in dataset's name (which would hide the import)."""
    from musevae.data.registry import REGISTRY

    name = dataset_name(name if name is not None else Path(folder).expanduser().resolve().name)
    if name in REGISTRY:
        raise DataError(f"{name!r} is a built-in dataset's name; choose another with --name")
    return name


def register_import(
    folder: str | os.PathLike[str],
    options: ImportOptions,
    name: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> str:
    """Remember ``folder`` under ``name`` (default: the folder's name); return the name."""
    name = import_name(folder, name)
    root = Path(folder).expanduser().resolve()
    record = {"format": RECORD_FORMAT, "folder": str(root), "options": options.record()}
    text = json.dumps(record, indent=2) + "\n"
    write_bytes_atomically(_record_path(name, data_dir), text.encode("utf-8"))
    return name


def imported_names(data_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Names of the folders imported into ``data_dir``, sorted."""
    folder = paths.data_dir(data_dir) / IMPORTS_DIR
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.json") if _is_name(p.stem))


def load_imported(
    name: str, data_dir: str | os.PathLike[str] | None = None, progress: Progress | None = None
) -> Dataset:
    """The dataset imported as ``name``, re-read from its folder (fast: cached)."""
    names = imported_names(data_dir)
    if name not in names:
        known = ", ".join(names) or "none yet"
        raise DataError(
            f"no imported dataset called {name!r} (imported: {known}); "
            "import a folder with `musevae data import FOLDER --name NAME`"
        )
    root, options = _read_record(_record_path(name, data_dir))
    if not root.is_dir():
        raise DataError(
            f"dataset {name!r} was imported from {root}, which no longer exists; import it "
            f"again from where it is now with `musevae data import FOLDER --name {name}`"
        )
    dataset, _ = dataset_from_folder(root, options, progress)
    return replace(dataset, name=name)


def _record_path(name: str, data_dir: str | os.PathLike[str] | None) -> Path:
    return paths.data_dir(data_dir) / IMPORTS_DIR / f"{name}.json"


def _read_record(path: Path) -> tuple[Path, ImportOptions]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return Path(record["folder"]), ImportOptions(**record["options"])
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise DataError(
            f"the import record {path} is damaged ({error}); delete it and import the "
            "folder again with `musevae data import FOLDER`"
        ) from error


def _recorded(
    root: Path, data_dir: str | os.PathLike[str] | None
) -> tuple[str, ImportOptions] | None:
    """The name and options ``root`` was imported with, if it was (damaged records aside)."""
    target = root.resolve()
    for name in imported_names(data_dir):
        try:
            folder, options = _read_record(_record_path(name, data_dir))
        except DataError:
            continue
        if folder == target:
            return name, options
    return None
