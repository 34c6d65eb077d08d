"""``musevae play``: play a MIDI file, or a model live (endlessly if asked), over MIDI.

Ctrl-C (or SIGTERM) stops playback and silences every note before the program exits.
With no MIDI output at all, the music is rendered to a WAV file with the built-in sound
(FluidSynth when installed) and handed to the system's audio player, so there is always
something to hear.
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musevae.cli import arg_types, model_ref
from musevae.cli.generate import STEP_BEATS
from musevae.playback.ports import quiet_native_stderr
from musevae.errors import MusevaeError
from musevae.playback.ports import API_NAMES, VIRTUAL_PORT_NAME

if TYPE_CHECKING:
    import numpy as np

    from musevae.data.pianoroll import PianoRoll
    from musevae.playback.ports import RtMidiOutput

MIDI_SUFFIXES = (".mid", ".midi")
COUNT_IN_SECONDS = 2.0  # time to connect a synth to a new virtual port before the music
Sampling = tuple[Any, float, dict[str, Any]]  # model, step length in beats, sample() options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "play",
        help="play a MIDI file or a model over MIDI (or through the speakers)",
        description="Play FILE.mid, or music sampled live from MODEL (a library name, a "
        "checkpoint path, or a data set's name for its default model), on a MIDI output. "
        "Without --port or --virtual the first real output is used; with none at all the "
        "music is rendered to WAV and played by the "
        "system's audio player (FluidSynth renders it when installed, with a General MIDI "
        "SoundFont: Debian's fluidsynth and fluid-soundfont-gm packages, or $MUSEVAE_SOUNDFONT; "
        "else a built-in synth does). Ctrl-C stops and silences every note.",
    )
    parser.add_argument("source", metavar="FILE.mid|MODEL",
                        help="a MIDI file, or a model: " + model_ref.HELP)  # fmt: skip
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--port", metavar="NAME|INDEX", help="output port (see `musevae ports`)")
    where.add_argument("--virtual", action="store_true", help='open a virtual port "musevae"')
    add = parser.add_argument
    add("--api", choices=API_NAMES, help="MIDI API (default: $RTMIDI_API, else any)")
    add("--bpm", type=arg_types.BPM, help="tempo (default: the file's, or 120)")
    add("--step", choices=tuple(STEP_BEATS), help="step length (default: 16th for files, "
        "the model's data for models)")  # fmt: skip
    add("--loop", action="store_true", help="repeat the file until Ctrl-C")
    add("--channel", type=arg_types.CHANNEL, default=1, help="MIDI channel 1..16 (default 1)")
    add("--program", type=arg_types.PROGRAM, default=0, help="General MIDI program (0 = piano)")
    add("--velocity", type=arg_types.VELOCITY, default=80, help="note velocity 1..127 (default 80)")
    add("--count-in", type=arg_types.SECONDS, metavar="SECONDS", help="with --virtual: "
        f"seconds to wait for a synth to connect before playing (default {COUNT_IN_SECONDS:g}; "
        "0 starts at once)")  # fmt: skip
    add("--wav", type=Path, help="where to write the WAV when there is no MIDI output")
    add = parser.add_argument_group("playing a model").add_argument
    add("--endless", action="store_true", help="sample and play until Ctrl-C")
    add("--steps", type=arg_types.STEPS, default=256,
        help="steps to play without --endless (default 256)")  # fmt: skip
    add("--temperature", type=arg_types.TEMPERATURE, default=1.0,
        help="below 1 safer, above 1 wilder (at most 10)")  # fmt: skip
    add("--seed", type=arg_types.SEED, help="random seed (printed when not given)")
    add("--device", default="auto", help="auto, cpu, cuda or mps")
    add("--prime-from-port", metavar="NAME|INDEX", help="record a phrase from this input first")
    add("--prime-steps", type=arg_types.STEPS, default=32, help="steps to record (default 32)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    is_file = Path(args.source).suffix.lower() in MIDI_SUFFIXES
    _check(args, is_file)
    # A bad file or model fails before any port opens.
    roll = _file_roll(args) if is_file else None
    sampling = None if is_file else _sampling(args)
    output = _open_output(args)
    try:
        if output is None:
            print("no MIDI output found (see `musevae ports`); rendering the music to audio")
            return _play_audio(args, roll if roll is not None else _model_roll(args, sampling))
        if args.virtual:
            _count_in(COUNT_IN_SECONDS if args.count_in is None else args.count_in)
        print(f"playing on {output.description} (Ctrl-C to stop)")
        if roll is not None:
            return _perform(args, output, roll, None)
        return _perform(args, output, _model_stream(args, sampling), sampling[1])
    finally:
        if output is not None:
            output.close()


def _check(args: argparse.Namespace, is_file: bool) -> None:
    problems = {
        "--count-in waits for a synth to connect to the virtual port; it needs --virtual": (
            args.count_in is not None and not args.virtual
        ),
        "--endless and --prime-from-port play a model, not a file": is_file
        and (args.endless or args.prime_from_port is not None),
        "--loop repeats a file; a model plays --endless instead": args.loop and not is_file,
    }
    for message, wrong in problems.items():
        if wrong:
            raise MusevaeError(message)


def _count_in(seconds: float) -> None:
    """Give a synth time to connect: the port is new, and whatever is sent before a
    connection is lost (rtmidi cannot tell when one is made)."""
    if seconds > 0:
        print(f'waiting {seconds:g} s for a synth to connect to the virtual port '
              f'"{VIRTUAL_PORT_NAME}" (--count-in 0 starts at once)', flush=True)  # fmt: skip
        time.sleep(seconds)


def _open_output(args: argparse.Namespace) -> RtMidiOutput | None:
    """The output asked for, else the first real one (not a "Midi Through"), else None."""
    from musevae.playback.ports import MidiPortError, list_ports, open_output

    with quiet_native_stderr():
        if args.virtual or args.port is not None:
            return open_output(args.port, virtual=args.virtual, api=args.api)
        try:
            ports, _ = list_ports(args.api)
        except MidiPortError:  # no python-rtmidi, or an API it lacks: play audio instead
            return None
        usable = [p for p in ports if p.direction == "output" and "through" not in p.name.lower()]
        return open_output(usable[0].index, api=usable[0].api) if usable else None


def _file_roll(args: argparse.Namespace) -> PianoRoll:
    from musevae.data.midi_io import read_midi
    from musevae.data.pianoroll import PianoRoll

    roll = read_midi(args.source, step_beats=STEP_BEATS[args.step or "16th"]).roll
    return roll if args.bpm is None else PianoRoll(roll.keys, roll.step_beats, args.bpm)


def _sampling(args: argparse.Namespace) -> Sampling:
    """The model, its step length, and the sampler's keyword arguments (seed printed)."""
    from musevae.generate import Controls
    from musevae.generate.sampler import resolve_seed
    from musevae.train.library import step_beats_of

    controls = Controls(temperature=args.temperature)  # its range is --temperature's
    model, card = model_ref.load(args.source, args.device)
    step_beats = STEP_BEATS[args.step] if args.step else step_beats_of(card)
    prime = _record_prime(args, step_beats) if args.prime_from_port is not None else None
    seed = resolve_seed(args.seed)
    print(f"seed {seed}")
    return model, step_beats, {"controls": controls, "seed": seed, "prime": prime}


def _model_stream(args: argparse.Namespace, sampling: Sampling) -> Iterable[np.ndarray]:
    from musevae.generate import sample
    from musevae.playback.endless import sampled_frames

    model, _, options = sampling
    steps = None if args.endless else args.steps
    return sampled_frames(sample(model, steps, 1, **options))


def _record_prime(args: argparse.Namespace, step_beats: float) -> PianoRoll:
    from musevae.playback.ports import open_input
    from musevae.playback.record import record_phrase

    with quiet_native_stderr():
        source = open_input(args.prime_from_port, api=args.api)
    try:
        print(f"recording {args.prime_steps} steps from {source.name}: play a phrase "
              "(Ctrl-C to give up)")  # fmt: skip
        bpm = args.bpm or 120.0
        prime = record_phrase(source, args.prime_steps, bpm=bpm, step_beats=step_beats)
    finally:
        source.close()
    print(f"recorded {len(prime.note_runs())} notes")
    return prime


def _perform(
    args: argparse.Namespace,
    output: RtMidiOutput,
    music: PianoRoll | Iterable[np.ndarray],
    step_beats: float | None,
) -> int:
    """Play until the end, an error, or Ctrl-C / SIGTERM (then silence and return 130)."""
    from musevae.playback.player import Player, StopReason

    player = Player(
        output, bpm=args.bpm or 120.0, channel=args.channel - 1,
        program=args.program, velocity=args.velocity,
    )  # fmt: skip
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        player.play(music, loop=args.loop, bpm=args.bpm, step_beats=step_beats)
        while not player.wait(0.25):
            pass
    except KeyboardInterrupt:
        player.stop()
        print("stopped; every note is off")
        return 130
    finally:
        player.close()
        signal.signal(signal.SIGTERM, previous)
    if player.stop_reason is StopReason.ERROR:
        raise MusevaeError(f"playback stopped: {player.error}")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _play_audio(args: argparse.Namespace, roll: PianoRoll) -> int:
    """No MIDI output: render to WAV and play it through the speakers if possible."""
    from musevae.playback.render import render_wav
    from musevae.playback.wav import play_wav

    path = args.wav or Path(tempfile.gettempdir()) / f"musevae-{Path(args.source).stem}.wav"
    rendered = render_wav(roll, path, program=args.program)
    print(f"wrote {path} ({rendered.engine}, {roll.duration_seconds:.1f} s)")
    played, how = play_wav(Path(path))
    if played:
        print(f"played it with {how}")
    else:
        print(f"could not play it: {how}; open {path} in any audio player")
    return 0


def _model_roll(args: argparse.Namespace, sampling: Sampling) -> PianoRoll:
    """A finite piece to render when there is no MIDI output (endless needs one)."""
    from musevae.generate import generate

    if args.endless:
        print(f"endless play needs a MIDI output; generating {args.steps} steps instead")
    model, step_beats, options = sampling
    tempo = args.bpm or 120.0
    return generate(model, args.steps, 1, step_beats=step_beats, tempo=tempo, **options).rolls[0]
