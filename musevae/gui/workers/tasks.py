"""The work the app runs in its worker thread, as plain generators over the core.

Nothing here touches Qt (so it reads like a script), and torch is imported here, inside
the generators, so it loads in the worker thread after the window is on screen. Each
generator takes ``post``, which reports progress from callback-style core functions
(downloads, folder imports) exactly like a yielded value.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from musevae.gui.generate.step_buffer import Passage

Post = Callable[[Any], None]


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` units (bytes, files); ``total`` None when unknown."""

    what: str
    done: int
    total: int | None


@dataclass(frozen=True)
class Fetched:
    name: str
    path: Path


@dataclass(frozen=True)
class Imported:
    """A MIDI folder read as a dataset; ``report`` lists every file used and skipped."""

    report: Any  # musevae.data.folders.ImportReport


@dataclass(frozen=True)
class DeviceChosen:
    device: str


@dataclass(frozen=True)
class TrainRequest:
    """Everything the Train tab asks for: a fresh run, or ``resume_dir`` to continue one."""

    dataset: str  # registry name, imported name or MIDI folder path (a dataset "ref")
    kind: str = "rnn"
    sizes: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)  # TrainConfig fields
    out_dir: Path | None = None  # None: a new folder in the user's models folder
    resume_dir: Path | None = None
    device: str = "auto"
    data_dir: Path | None = None


@dataclass(frozen=True)
class Catalogue:
    """The model kinds and the settings the Train tab offers, with their defaults."""

    sizes: dict[str, dict[str, int]]  # per kind: its own whole-number sizes
    gpu: str  # what a GPU run would use, "" without one
    bfloat16: bool = False  # whether this CPU trains in bfloat16 natively (train.precision)
    shared: dict[str, Any] = field(default_factory=dict)  # every kind's (ModelConfig's)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # of the shared strings
    rates: dict[str, dict[str, float]] = field(default_factory=dict)  # per kind: e.g. dropout


def warm_up() -> Iterator[Catalogue]:
    """Import torch and the model code (slow: seconds), so the window need not wait."""
    import dataclasses

    import torch

    import musevae.generate  # noqa: F401
    import musevae.train.checkpoint  # noqa: F401
    from musevae.models.config import ModelConfig
    from musevae.models.registry import MODELS

    shared = {f.name: f.default for f in dataclasses.fields(ModelConfig)}  # emission, cell
    sizes = {
        kind: {
            f.name: f.default
            for f in dataclasses.fields(cls.config_type)
            if f.type == "int" and isinstance(f.default, int) and f.name not in shared
        }
        for kind, cls in sorted(MODELS.items())
    }
    rates = {
        kind: {
            f.name: f.default
            for f in dataclasses.fields(cls.config_type)
            if f.name in cls.config_type.RATES
        }
        for kind, cls in sorted(MODELS.items())
    }
    # one core stays free for the GUI thread, so drawing never waits on the CPU pool
    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else ""
    from musevae.train.precision import native_bfloat16

    bfloat16 = native_bfloat16(torch.device("cpu"))
    yield Catalogue(sizes, gpu, bfloat16, shared, ModelConfig.choices(), rates)


def scan_library(user_dir: Path | None = None) -> Iterator[Any]:
    from musevae.train.library import scan

    yield scan(user_dir)


def fetch(name: str, data_dir: Path | None, mirror: str, post: Post) -> Iterator[Fetched]:
    """Download a registry dataset; ``mirror`` (a base URL, may be empty) replaces the
    official server, which helps where it is slow or blocked."""
    from musevae.data.fetch import fetch_dataset
    from musevae.data.registry import get_spec

    spec = get_spec(name)
    url = mirror.rstrip("/") + "/" + quote(spec.filename) if mirror else None
    path = fetch_dataset(
        name, data_dir, progress=lambda done, total: post(Progress("bytes", done, total)), url=url
    )
    yield Fetched(name, path)


def _read_folder(folder: Path, data_dir: Path | None, post: Post) -> Any:
    """Import a MIDI folder, posting per-file progress and then its import report."""
    from musevae.data.folders import dataset_from_folder

    dataset, report = dataset_from_folder(
        folder, progress=lambda done, total: post(Progress("files", done, total)),
        data_dir=data_dir,
    )  # fmt: skip
    post(Imported(report))
    return dataset


def _load_dataset(ref: str, data_dir: Path | None, post: Post) -> Any:
    """A dataset by ref (a name, a file, or a MIDI folder, which reports progress)."""
    from musevae.data.registry import load_dataset

    folder = Path(ref).expanduser()
    return _read_folder(folder, data_dir, post) if folder.is_dir() else load_dataset(ref, data_dir)


def import_folder(folder: Path, data_dir: Path | None, post: Post) -> Iterator[Any]:
    """Read a MIDI folder only for what it gives: the report arrives through ``post``."""
    _read_folder(folder, data_dir, post)
    yield from ()


def train(request: TrainRequest, post: Post) -> Iterator[Any]:
    """Events of a fresh or resumed run (musevae.train.events), after the data loads."""
    from musevae.cli.train import dataset_ref, default_out
    from musevae.train import trainer
    from musevae.train.device import resolve_device
    from musevae.train.recipes import recipe_config

    device = resolve_device(request.device)
    yield DeviceChosen(str(device))
    if request.resume_dir is not None:
        from musevae.train.resume import saved_dataset

        dataset = _load_dataset(saved_dataset(request.resume_dir)["ref"], request.data_dir, post)
        epochs = request.config.get("epochs")
        yield from trainer.resume(request.resume_dir, dataset, epochs=epochs, device=device)
        return
    dataset = _load_dataset(request.dataset, request.data_dir, post)
    out = request.out_dir or default_out(dataset, request.kind)
    config = recipe_config("auto", [dataset_ref(request.dataset)], **request.config)
    yield from trainer.train(
        request.kind, request.sizes, dataset, config, out, device=device,
        dataset_ref=dataset_ref(request.dataset),
    )  # fmt: skip


@dataclass(frozen=True)
class GenerateRequest:
    """What the Generate tab asks for; ``controls`` are musevae.generate.Controls fields."""

    card: Path
    steps: int
    model: str = ""  # its name in the Library, shown with the piece it makes
    n: int = 1
    controls: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    prime: Path | None = None
    step_beats: float = 0.5
    device: str = "auto"


@dataclass(frozen=True)
class Sampling:
    """Sampling begins: the run's seed (reported back when it was random) and prime."""

    request: GenerateRequest
    seed: int
    prime: Any  # PianoRoll | None


class ModelCache:
    """The last model loaded, so generating again does not read the checkpoint again.

    Only worker threads touch it, one job at a time.
    """

    def __init__(self) -> None:
        self._key: tuple[str, float, str] | None = None
        self._model: Any = None

    def get(self, card: Path, device: str) -> Any:
        from musevae.train.checkpoint import load_model
        from musevae.train.device import resolve_device

        key = (str(card), os.path.getmtime(card), device)
        if key != self._key:
            self._model, self._key = None, None
            self._model = load_model(card, resolve_device(device))[0]
            self._key = key
        return self._model


def generate(request: GenerateRequest, cache: ModelCache) -> Iterator[Any]:
    """``Sampling``, then each GeneratedStep as it is sampled."""
    from musevae.data.midi_io import read_midi
    from musevae.generate import Controls, sample
    from musevae.generate.sampler import resolve_seed

    controls = Controls(**request.controls)
    prime = read_midi(request.prime, step_beats=request.step_beats).roll if request.prime else None
    model = cache.get(request.card, request.device)
    seed = resolve_seed(request.seed)
    yield Sampling(request, seed, prime)
    yield from sample(model, request.steps, request.n, controls=controls, seed=seed, prime=prime)


def harmonize(request: GenerateRequest, melody: Any, cache: ModelCache) -> Iterator[Any]:
    """``Sampling``, then each GeneratedStep of ``request.n`` harmonisations of
    ``melody`` (a PianoRoll, or a MIDI file read at the request's step length): its top
    line conditioned on inside every frame (musevae.generate.harmonize), one step per
    melody step, streamed like generate's so the candidates fill in as they are drawn."""
    from musevae.data.midi_io import read_midi
    from musevae.generate import Controls, sample
    from musevae.generate.harmonize import melody_given
    from musevae.generate.sampler import resolve_seed

    if isinstance(melody, Path):
        melody = read_midi(melody, step_beats=request.step_beats).roll
    model = cache.get(request.card, request.device)
    seed = resolve_seed(request.seed)
    request = replace(request, steps=len(melody), prime=None)
    yield Sampling(request, seed, None)
    yield from sample(model, len(melody), request.n, controls=Controls(**request.controls),
                      seed=seed, given=melody_given(melody))  # fmt: skip


@dataclass(frozen=True)
class Regenerated:
    """A regenerated passage for the buffer, and how many of the proposals counted."""

    passage: Passage
    effective_sample_size: float
    proposals: int


def regenerate(
    request: GenerateRequest, piece: Any, start: int, stop: int, candidate: int,
    cache: ModelCache,
) -> Iterator[Regenerated]:  # fmt: skip
    """Steps ``[start, stop)`` of ``piece`` (candidate ``candidate``'s roll) resampled so
    they join both sides (musevae.generate.regenerate), as a Passage with its lanes."""
    from musevae.generate import Controls
    from musevae.generate.regenerate import regenerate as resample

    model = cache.get(request.card, request.device)
    result = resample(model, piece, start, stop, controls=Controls(**request.controls),
                      seed=request.seed)  # fmt: skip
    drawn, k = result.proposals, result.chosen[0]
    lanes = {"entropy": drawn.entropy[k]}
    if drawn.latent_spread is not None:
        lanes["latent_spread"] = drawn.latent_spread[k]
    passage = Passage(candidate, start, drawn.rolls[k].keys, drawn.probs[k], lanes)
    yield Regenerated(passage, result.effective_sample_size, len(drawn.rolls))


@dataclass(frozen=True)
class Listening:
    """Call and response has its model loaded and hears the keyboard from now on."""


@dataclass(frozen=True)
class Answered:
    """One round of call and response (a musevae.playback.midi_in.Exchange)."""

    exchange: Any


def answer(
    request: GenerateRequest, listener: Any, player: Any, bpm: float, silence: float,
    stop: threading.Event, cache: ModelCache, post: Post,
) -> Iterator[Answered]:  # fmt: skip
    """Call and response (musevae.playback.midi_in.call_and_response) with the request's
    model and controls: each phrase is answered with as many steps continuing it, posted
    as ``Sampling`` and its GeneratedSteps (so the answer fills the roll with its lanes)
    before it plays through ``player``; then ``Answered``. Until ``stop`` is set."""
    import numpy as np

    from musevae.data.pianoroll import PianoRoll
    from musevae.generate import Controls, sample
    from musevae.generate.sampler import resolve_seed
    from musevae.playback.midi_in import call_and_response

    model = cache.get(request.card, request.device)
    controls, rounds = Controls(**request.controls), itertools.count()
    post(Listening())  # loading may take seconds: what is played before it is not heard

    def respond(call: PianoRoll) -> PianoRoll:
        round_ = next(rounds)
        seed = resolve_seed(None if request.seed is None else request.seed + round_)
        post(Sampling(replace(request, steps=len(call), n=1, prime=None), seed, call))
        frames = []
        for step in sample(model, len(call), 1, controls=controls, seed=seed, prime=call):
            post(step)
            frames.append(step.notes[0])
        return PianoRoll(np.stack(frames), request.step_beats, bpm)

    for exchange in call_and_response(listener, player, respond, bpm=bpm,
                                      step_beats=request.step_beats, silence=silence,
                                      stop=stop):  # fmt: skip
        yield Answered(exchange)


@dataclass(frozen=True)
class TuneRequest:
    """What the Tune tab asks for: a copy of ``card`` tuned toward the weighted rules
    (musevae.tune.config.TuneConfig fields in ``config``), into a new folder of
    ``models_dir`` (None: the user's models folder); or ``resume_dir``, a run to continue
    (to ``config["updates"]`` updates in all, if given)."""

    card: Path | None
    config: dict[str, Any] = field(default_factory=dict)
    models_dir: Path | None = None
    device: str = "auto"
    resume_dir: Path | None = None


def tune(request: TuneRequest) -> Iterator[Any]:
    """``DeviceChosen``, then the tuner's events (musevae.tune.events)."""
    from musevae.cli.tune import default_out
    from musevae.train.device import resolve_device
    from musevae.tune import tuner
    from musevae.tune.config import TuneConfig

    device = resolve_device(request.device)
    yield DeviceChosen(str(device))
    if request.resume_dir is not None:
        updates = request.config.get("updates")
        yield from tuner.resume(request.resume_dir, updates=updates, device=device)
        return
    if request.card is None:
        raise ValueError("a fresh tuning run needs a base model card")
    config = TuneConfig.from_dict(request.config)
    out = default_out(request.card, request.models_dir)
    yield from tuner.tune(request.card, out, config, device=device)
