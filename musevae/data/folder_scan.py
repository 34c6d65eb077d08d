"""Finding the MIDI files in a folder and reading each once: from the cache, else parsed
in worker processes. No file can stop the scan: each gives a roll or a one-line reason.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

from musevae.data.import_cache import FileResult, load_entry, save_entry
from musevae.data.import_options import ImportOptions
from musevae.data.midi_io import MidiRead, check_size, read_midi_bytes
from musevae.data.pianoroll import PianoRoll
from musevae.errors import MidiFileError

MIDI_SUFFIXES = (".mid", ".midi")
Progress = Callable[[int, int], None]  # (files done, files in all)


def find_midi_files(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Every ``.mid``/``.midi`` file under ``root`` (any case), sorted, and the
    sub-folders that could not be listed, each with the reason."""
    files: list[Path] = []
    unlisted: list[tuple[Path, str]] = []

    def note(error: OSError) -> None:
        unlisted.append((Path(error.filename), f"cannot list this folder ({error.strerror})"))

    for folder, _, names in os.walk(root, onerror=note):
        files += [Path(folder, name) for name in names if name.lower().endswith(MIDI_SUFFIXES)]
    return sorted(files), unlisted


def scan(
    files: list[Path], options: ImportOptions, progress: Progress | None = None
) -> dict[Path, FileResult]:
    """A result for every file; ``progress(done, total)`` is called after each one."""
    results: dict[Path, FileResult] = {}

    def finish(path: Path, result: FileResult) -> None:
        results[path] = result
        if progress is not None:
            progress(len(results), len(files))

    to_parse = []
    for path in files:
        known = _look_up(path, options)
        if known is None:
            to_parse.append(path)
        else:
            finish(path, known)
    _parse_all(to_parse, options, finish)
    return results


def _look_up(path: Path, options: ImportOptions) -> FileResult | None:
    """The result without parsing (too big, unreadable, or cached), else None."""
    try:
        check_size(path.stat().st_size, options.max_file_bytes)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except MidiFileError as error:
        return FileResult("", None, str(error))
    except OSError as error:
        return _unreadable(error)
    return load_entry(digest, options)


def parse_file(path: str, options: ImportOptions) -> FileResult:
    """Read, parse and cache one file; runs in a worker process."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return _unreadable(error)
    digest = hashlib.sha256(data).hexdigest()
    try:
        read = read_midi_bytes(
            data, step_beats=options.step_beats, fold_octaves=options.fold_octaves,
            max_bytes=options.max_file_bytes, max_notes=options.max_notes,
            max_steps=options.max_steps,
        )  # fmt: skip
    except MidiFileError as error:
        result = FileResult(digest, None, str(error))
    else:
        reason = _silence_reason(read)
        roll = None if reason else read.roll
        result = FileResult(digest, roll, reason, read.notes, read.out_of_range)
    save_entry(result, options)
    return result


def _silence_reason(read: MidiRead) -> str:
    """Why a file that parsed gives nothing to learn from ("" when it does)."""
    if read.notes:
        return ""
    if read.out_of_range:
        return (
            f"all {read.out_of_range} of its notes are outside the piano range 21..108 "
            "(folding octaves would keep them)"
        )
    if read.drum_notes:
        return f"it holds only drum notes ({read.drum_notes} on MIDI channel 10)"
    return "it holds no notes"


def _unreadable(error: OSError) -> FileResult:
    return FileResult("", None, f"cannot read it ({error.strerror or error})")


def _parse_all(
    paths: list[Path], options: ImportOptions, finish: Callable[[Path, FileResult], None]
) -> None:
    """Parse in ``options.workers`` processes (one per CPU by default); inline for one.

    Workers are spawned, not forked, so a caller with threads (the GUI) is safe.
    """
    workers = min(options.workers or os.cpu_count() or 1, len(paths))
    if workers <= 1:
        for path in paths:
            finish(path, parse_file(str(path), options))
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = {pool.submit(parse_file, str(path), options): path for path in paths}
        for future in as_completed(futures):
            finish(futures[future], _outcome(future))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _outcome(future: Future[FileResult]) -> FileResult:
    try:
        result = future.result()
    except BrokenProcessPool:
        return FileResult("", None, "the parser process died (out of memory?)")
    except Exception as error:  # a bug must cost one file, never the import
        return FileResult("", None, f"unexpected {type(error).__name__}: {error} (please report)")
    if result.roll is None:
        return result
    # Pickling drops numpy's read-only flag; rebuilding the roll restores it.
    roll = result.roll
    return replace(result, roll=PianoRoll(roll.keys, roll.step_beats, roll.tempo))
