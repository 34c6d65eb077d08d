"""MIDI folder import speed: a cold import (empty cache), then a cached re-import.

Writes ``--files`` varied pieces (1-4 instruments, drums, tempo changes, chords, 16-600
beats) into a temporary folder with its own cache, imports it twice and prints files/s
for each run, the speed-up, and how busy the cold run kept the CPUs: parser processes'
CPU time plus this process's, over wall time. Targets: cached >= 20x faster than cold;
the cold run keeps every worker busy (CPU use near the worker count).

    python benchmarks/import_speed.py [--files 500] [--workers N]

The cache is redirected with XDG_CACHE_HOME, which is where it lives on Linux.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.data

from musevae.data.folders import ImportOptions, ImportReport, dataset_from_folder  # noqa: E402
from tests.data.midi_corpus import write_varied  # noqa: E402


def cpu_seconds() -> float:
    """User + system CPU of this process and of its finished (waited-for) children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_import(folder: Path, options: ImportOptions) -> tuple[ImportReport, float, float]:
    """The report, wall seconds and CPU seconds of one import."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    _, report = dataset_from_folder(folder, options)
    return report, time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    options = ImportOptions(workers=args.workers)
    with tempfile.TemporaryDirectory() as temp:
        os.environ["XDG_CACHE_HOME"] = str(Path(temp, "cache"))
        folder = Path(temp, "midi")
        write_varied(folder, args.files, seed=0)
        megabytes = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        cpus = os.cpu_count()
        print(f"{args.files} files ({megabytes:.1f} MiB), {args.workers} worker(s), {cpus} CPUs")
        cold, cold_wall, cold_cpu = timed_import(folder, options)
        warm, warm_wall, _ = timed_import(folder, options)
    print(cold.summary())
    assert warm.from_cache == args.files and warm.used == cold.used
    print(f"cold import:   {cold_wall:7.2f} s  {args.files / cold_wall:8.1f} files/s")
    print(f"cached import: {warm_wall:7.2f} s  {args.files / warm_wall:8.1f} files/s")
    print(f"speed-up:      {cold_wall / warm_wall:7.1f}x  (target >= 20x)")
    print(
        f"cold CPU use:  {cold_cpu / cold_wall:7.2f} cores busy of {args.workers} "
        f"({cold_cpu:.1f} CPU s over {cold_wall:.1f} s wall)"
    )


if __name__ == "__main__":
    main()
