"""Downloading a benchmark set so that a failed or bad download never costs a good file.

The file is streamed to a temporary name beside its destination, read back with the same
checks the loader applies (structure and published split counts), and only then moved
into place with ``os.replace``, which is atomic on one filesystem. A ``<file>.sha256``
sidecar records what was fetched, so later loads can tell corruption from a new version.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from musevae.data.registry import (
    SIDECAR_SUFFIX,
    DatasetSpec,
    check_counts,
    get_spec,
    sidecar_path,
)
from musevae.errors import DataError

Progress = Callable[[int, int | None], None]  # (bytes done, bytes in all or None)
TIMEOUT_S = 60.0  # per socket operation, not for the whole download
_BLOCK = 1 << 16


def fetch_dataset(
    name: str | DatasetSpec,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    url: str | None = None,
) -> Path:
    """Download a registry dataset (or any spec) into the data dir; return its path.

    ``url`` replaces the spec's address (a mirror). Raises DataError, leaving whatever
    was at the destination untouched, if the download fails or is not the dataset.
    """
    spec = name if isinstance(name, DatasetSpec) else get_spec(name)
    source = url or spec.url
    target = spec.path(data_dir)
    if source is None:
        raise DataError(
            f"{spec.name!r} cannot be downloaded by musevae; copy "
            f'"{target.name}" from the SRNN authors\' code into {target.parent}'
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
    except OSError as error:
        raise DataError(
            f"cannot write to {target.parent} ({error.strerror or error}); choose another "
            "folder with --data-dir or MUSEVAE_DATA"
        ) from error
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            digest = _download(source, out, progress)
        _verify(spec, temp, source)
        _install(temp, target, digest)
    finally:
        temp.unlink(missing_ok=True)
    return target


def _download(url: str, out: BinaryIO, progress: Progress | None) -> str:
    """Stream ``url`` into ``out``; return the SHA-256 of what arrived."""
    digest = hashlib.sha256()
    done = 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if progress:
                progress(0, total)
            while block := response.read(_BLOCK):
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress:
                    progress(done, total)
    except urllib.error.HTTPError as error:
        raise DataError(f"could not download {url}: HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise DataError(f"could not download {url}: {error.reason}") from error
    except (http.client.HTTPException, OSError, ValueError) as error:
        reason = f"{type(error).__name__}: {error}"
        raise DataError(f"could not download {url}: {reason}") from error
    if total is not None and done != total:
        raise DataError(
            f"could not download {url}: the connection ended after {done} of {total} bytes"
        )
    return digest.hexdigest()


def _verify(spec: DatasetSpec, temp: Path, url: str) -> None:
    """Read the download exactly as the loader would, counts included."""
    try:
        check_counts(spec.read(temp, label=url), spec, url)
    except DataError as error:
        raise type(error)(f"the download was not installed: {error}") from error


def _install(temp: Path, target: Path, digest: str) -> None:
    """Move the verified file into place, then its sidecar.

    The old sidecar goes first, so no moment pairs the new file with a stale checksum.
    """
    sidecar = sidecar_path(target)
    sidecar_temp = temp.with_name(temp.name + SIDECAR_SUFFIX)
    try:
        sidecar_temp.write_text(f"{digest}  {target.name}\n", encoding="utf-8")
        sidecar.unlink(missing_ok=True)
        os.replace(temp, target)
        os.replace(sidecar_temp, sidecar)
    except OSError as error:
        raise DataError(f"could not save {target}: {error.strerror or error}") from error
    finally:
        sidecar_temp.unlink(missing_ok=True)
