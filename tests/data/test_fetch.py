"""fetch_dataset against a real HTTP server on 127.0.0.1 serving files from a temp dir."""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import os
import pickle
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from musevae.data.fetch import fetch_dataset
from musevae.data.registry import DatasetSpec, SplitCounts, load_dataset, load_spec
from musevae.errors import DataError, UnsafePickleError

TINY = {"train": [[[60], [62]]], "valid": [[[64]]], "test": [[[65], [], [67, 71]]]}
TINY_SPEC = DatasetSpec(
    "tiny", "a test set", "tiny.pickle", 1.0,
    {"train": SplitCounts(1, 2), "valid": SplitCounts(1, 1), "test": SplitCounts(1, 3)},
)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the folder; ``/cut/NAME`` promises NAME's full length but sends half."""

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        if not self.path.startswith("/cut/"):
            return super().do_GET()
        body = (Path(self.directory) / self.path[len("/cut/"):]).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """(folder the server serves, its base URL)."""
    root = tmp_path / "served"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: Handler(*a, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return tmp_path / "data"


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_fetches_the_real_jsb_verifies_and_records_a_checksum(
    data_dir: Path, served: tuple[Path, str], target: Path
) -> None:
    root, base = served
    shutil.copyfile(data_dir / "JSB Chorales.pickle", root / "JSB Chorales.pickle")
    original = (root / "JSB Chorales.pickle").read_bytes()
    calls: list[tuple[int, int | None]] = []

    path = fetch_dataset(
        "jsb", target, progress=lambda *c: calls.append(c), url=base + "JSB%20Chorales.pickle"
    )

    assert path == target / "JSB Chorales.pickle"
    assert path.read_bytes() == original
    sha = hashlib.sha256(original).hexdigest()
    assert (target / "JSB Chorales.pickle.sha256").read_text() == f"{sha}  JSB Chorales.pickle\n"
    assert names(target) == ["JSB Chorales.pickle", "JSB Chorales.pickle.sha256"]  # no temp
    assert calls[0] == (0, len(original)) and calls[-1] == (len(original), len(original))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert load_dataset("jsb", target).stats("test").frames == 4725


def test_a_custom_spec_is_fetched_from_its_own_url(served, target: Path) -> None:
    root, base = served
    (root / "tiny.pickle").write_bytes(pickle.dumps(TINY))
    spec = dataclasses.replace(TINY_SPEC, url=base + "tiny.pickle")
    assert fetch_dataset(spec, target) == target / "tiny.pickle"
    assert load_spec(spec, target).splits["test"][0].to_notes() == [[65], [], [67, 71]]


@pytest.mark.parametrize(
    "served_name, content, url_path, error, message",
    [
        (None, None, "absent.pickle", DataError, "HTTP 404"),
        ("tiny.pickle", pickle.dumps(TINY), "cut/tiny.pickle", DataError, "could not download"),
        ("list.pickle", pickle.dumps([1, 2]), "list.pickle", DataError,
         "holds a list, not a dict"),
        ("evil.pickle", pickle.dumps({"train": [os.system]}), "evil.pickle",
         UnsafePickleError, "asks to run posix.system"),
        ("tiny.pickle", pickle.dumps(TINY), "tiny.pickle", DataError,
         "train has 1 sequences / 2 frames (expected 229 / 13807)"),
    ],
    ids=["404", "truncated", "not-a-dataset", "unsafe", "wrong-counts"],
)
def test_a_failed_fetch_keeps_the_existing_good_file(
    data_dir: Path, served, target: Path, served_name, content, url_path, error, message
) -> None:
    root, base = served
    if served_name:
        (root / served_name).write_bytes(content)
    target.mkdir()
    good = target / "JSB Chorales.pickle"
    shutil.copyfile(data_dir / "JSB Chorales.pickle", good)
    (target / "JSB Chorales.pickle.sha256").write_text("recorded earlier\n")
    before = good.read_bytes()

    with pytest.raises(error) as caught:
        fetch_dataset("jsb", target, url=base + url_path)

    assert message in str(caught.value)
    assert base + url_path in str(caught.value)
    assert good.read_bytes() == before
    assert (target / "JSB Chorales.pickle.sha256").read_text() == "recorded earlier\n"
    assert names(target) == ["JSB Chorales.pickle", "JSB Chorales.pickle.sha256"]  # no temp


def test_a_refused_connection_names_the_url(target: Path) -> None:
    with pytest.raises(DataError, match=r"could not download http://127.0.0.1:1/x\.pickle: "):
        fetch_dataset("jsb", target, url="http://127.0.0.1:1/x.pickle")  # port 1: closed
    assert names(target) == []


def test_the_srnn_sets_cannot_be_fetched(target: Path) -> None:
    with pytest.raises(DataError, match="cannot be downloaded by musevae"):
        fetch_dataset("jsb-srnn", target)


def test_corruption_after_a_fetch_is_caught_on_load(served, target: Path) -> None:
    root, base = served
    (root / "tiny.pickle").write_bytes(pickle.dumps(TINY))
    path = fetch_dataset(TINY_SPEC, target, url=base + "tiny.pickle")
    assert load_spec(TINY_SPEC, target).stats("train").frames == 2

    path.write_bytes(pickle.dumps(TINY | {"valid": [[[66]]]}))  # same counts, other notes
    with pytest.raises(DataError, match="tiny.pickle.sha256 recorded"):
        load_spec(TINY_SPEC, target)
