"""The datasets musevae knows by name, and ``load_dataset`` for names, files and folders.

Each registry entry is a spec: the file it lives in (relative to the data directory),
its time grid, where to download it, and the published sequence and frame counts per
split. A loaded set that does not match its counts is refused, so a truncated or
different version of a benchmark can never quietly produce numbers that look
comparable with the literature.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from musevae import paths
from musevae.data import boulanger, srnn_paper
from musevae.data.dataset import SPLITS, Dataset
from musevae.errors import DataError

SIDECAR_SUFFIX = ".sha256"
_BOULANNI_URL = "http://www-etud.iro.umontreal.ca/~boulanni/"
_READERS: Mapping[str, Callable[..., Dataset]] = {
    ".pickle": boulanger.read_pickle,
    ".npz": srnn_paper.read_npz,
}


@dataclass(frozen=True)
class SplitCounts:
    sequences: int
    frames: int


@dataclass(frozen=True)
class DatasetSpec:
    """A named dataset: its file under the data dir, time grid, source and counts."""

    name: str
    description: str
    filename: str  # relative to the data directory
    step_beats: float
    counts: Mapping[str, SplitCounts]
    url: str | None = None  # None: musevae cannot download it
    version: str = "standard"  # "standard" splits, or "srnn-paper": the SRNN authors' chunks

    def path(self, data_dir: str | os.PathLike[str] | None = None) -> Path:
        return paths.data_dir(data_dir) / self.filename

    def read(self, path: Path, label: str | None = None) -> Dataset:
        """Parse ``path`` in this spec's format (chosen by the spec's file name)."""
        reader = _READERS[Path(self.filename).suffix]
        return reader(path, step_beats=self.step_beats, name=self.name, label=label)


def _counts(*pairs: tuple[int, int]) -> dict[str, SplitCounts]:
    return {split: SplitCounts(*pair) for split, pair in zip(SPLITS, pairs)}


def _standard(
    name: str, filename: str, step_beats: float, what: str, *counts: tuple[int, int]
) -> DatasetSpec:
    grid = "quarter" if step_beats == 1.0 else "eighth"
    return DatasetSpec(
        name,
        f"{what}, {grid}-note steps, standard splits",
        filename,
        step_beats,
        _counts(*counts),
        url=_BOULANNI_URL + quote(filename),
    )


def _srnn(name: str, what: str, train: int, valid: int, test: tuple[int, int]) -> DatasetSpec:
    """Train/valid are counted in 100-step chunks, padding included, as the file has them."""
    return DatasetSpec(
        f"{name}-srnn",
        f"{what}, the SRNN authors' 100-step chunks",
        f"srnn-paper/{name}_raw_batchsize16_seqlen100.npz",
        0.5,
        _counts((train, train * 100), (valid, valid * 100), test),
        version="srnn-paper",
    )


# Published counts (sequences, frames) per split: train, valid, test.
REGISTRY: Mapping[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        _standard("jsb", "JSB Chorales.pickle", 1.0, "Bach chorales",
                  (229, 13807), (76, 4602), (77, 4725)),
        _standard("muse", "MuseData.pickle", 0.5, "MuseData classical scores",
                  (524, 245202), (135, 82755), (124, 64339)),
        _standard("nottingham", "Nottingham.pickle", 0.5, "Nottingham folk tunes",
                  (694, 176561), (173, 45513), (170, 44463)),
        _standard("piano", "Piano-midi.de.pickle", 0.5, "Piano-midi.de classical piano",
                  (87, 75911), (12, 8540), (25, 19036)),
        _srnn("jsb", "Bach chorales", 272, 80, (77, 9396)),
        _srnn("muse", "MuseData", 2480, 784, (124, 67391)),
        _srnn("nottingham", "Nottingham", 1472, 368, (170, 37062)),
        _srnn("piano", "Piano-midi.de", 704, 96, (25, 17328)),
    )
}


def dataset_names() -> list[str]:
    """Registry names in a stable order (the standard sets, then the SRNN versions)."""
    return list(REGISTRY)


def get_spec(name: str) -> DatasetSpec:
    if name not in REGISTRY:
        raise DataError(f"unknown dataset {name!r}; known datasets: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def is_present(name: str, data_dir: str | os.PathLike[str] | None = None) -> bool:
    """Whether a registry dataset's file is in the data directory (nothing is read)."""
    return get_spec(name).path(data_dir).is_file()


def load_spec(spec: DatasetSpec, data_dir: str | os.PathLike[str] | None = None) -> Dataset:
    """Load a registry dataset, checking its sidecar checksum and its published counts."""
    path = spec.path(data_dir)
    if not path.is_file():
        raise DataError(_missing_message(spec, path.parent))
    verify_sidecar(path)
    dataset = spec.read(path)
    check_counts(dataset, spec, f'"{path}"')
    return dataset


def load_dataset(name_or_path: str, data_dir: str | os.PathLike[str] | None = None) -> Dataset:
    """Load a dataset by registry name, ``.pickle``/``.npz`` path, MIDI folder, or the name
    of a folder imported earlier.

    Tried in that order, so a registry name wins over a folder of the same name in the
    working directory (write ``./jsb`` for the folder).
    """
    if name_or_path in REGISTRY:
        return load_spec(REGISTRY[name_or_path], data_dir)
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        from musevae.data import folders  # lazy: MIDI import pulls in pretty_midi

        return folders.dataset_from_folder(path, data_dir=data_dir)[0]
    if path.is_file():
        return _load_file(path)
    from musevae.data import folders

    imported = folders.imported_names(data_dir)
    if name_or_path in imported:
        return folders.load_imported(name_or_path, data_dir)
    raise DataError(
        f"no dataset, file or folder called {name_or_path!r}. Known datasets: "
        f"{', '.join([*REGISTRY, *imported])}; or give a .pickle/.npz file or a MIDI folder."
    )


def _load_file(path: Path) -> Dataset:
    """A dataset file given by path; a registry file name keeps that set's time grid."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(
            f'"{path}" is neither a benchmark .pickle nor an SRNN .npz file; '
            "for MIDI files give the folder that holds them"
        )
    verify_sidecar(path)
    known = [s for s in REGISTRY.values() if Path(s.filename).name == path.name]
    step_beats = known[0].step_beats if known else 0.5
    return reader(path, step_beats=step_beats)


def check_counts(dataset: Dataset, spec: DatasetSpec, where: str) -> None:
    """Refuse a dataset whose split sizes differ from the spec's published counts."""
    wrong = []
    for split, expected in spec.counts.items():
        stats = dataset.stats(split)
        found = SplitCounts(stats.sequences, stats.frames)
        if found != expected:
            wrong.append(
                f"{split} has {found.sequences} sequences / {found.frames} frames "
                f"(expected {expected.sequences} / {expected.frames})"
            )
    if wrong:
        raise DataError(
            f"{where} is not the published {spec.name} dataset: {'; '.join(wrong)}. "
            "It may be truncated or a different version; replace it with the original."
        )


def _missing_message(spec: DatasetSpec, folder: Path) -> str:
    name = Path(spec.filename).name
    get = (
        f"run `musevae data fetch {spec.name}`, or copy \"{name}\" into {folder}"
        if spec.url
        else f"copy \"{name}\" (from the SRNN authors' code) into {folder}"
    )
    return (
        f"dataset {spec.name!r} is not here: {folder / name} does not exist. To get it, "
        f"{get}; or point {paths.DATA_ENV} or --data-dir at a folder that already holds it."
    )


# --- checksum sidecars ----------------------------------------------------------------
def sidecar_path(path: Path) -> Path:
    """``<file>.sha256``, written by ``musevae data fetch`` next to what it downloaded."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sidecar(path: Path) -> None:
    """If ``path`` has a sidecar, refuse the file when its SHA-256 no longer matches."""
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return
    recorded = sidecar.read_text(encoding="utf-8").split()
    actual = file_sha256(path)
    if not recorded or recorded[0].lower() != actual:
        raise DataError(
            f'"{path}" is corrupt: its SHA-256 is {actual}, but {sidecar.name} recorded '
            f"{recorded[0] if recorded else 'nothing'} when it was downloaded. Delete both "
            "files and fetch the dataset again."
        )
