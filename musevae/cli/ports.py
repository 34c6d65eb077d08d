"""``musevae ports``: the MIDI outputs and inputs this machine has, with their API."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator

from musevae.playback.ports import API_NAMES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ports",
        help="list MIDI outputs and inputs",
        description="List the MIDI outputs (for `musevae play --port`) and inputs (for "
        "--prime-from-port) of every MIDI API, or of --api only (default: $RTMIDI_API, "
        "else all).",
    )
    parser.add_argument("--api", choices=API_NAMES, help="only this MIDI API")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from musevae.playback.ports import list_ports

    with quiet_native_stderr():
        ports, problems = list_ports(args.api)
    for direction in ("output", "input"):
        found = [port for port in ports if port.direction == direction]
        print(f"MIDI {direction}s:" + ("" if found else " none"))
        for port in found:
            print(f"  {port.api:<9} {port.index:>3}  {port.name}")
    for _api, reason in problems:
        print(f"note: {reason}")
    return 0


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Hide what ALSA and JACK print straight to the C-level stderr while they are
    probed ("Cannot connect to server socket" ...): the reason comes back as an error."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded, some test runners)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
