"""``musevae ports``: the MIDI outputs and inputs this machine has, with their API."""

from __future__ import annotations

import argparse

from musevae.playback.ports import API_NAMES, quiet_native_stderr


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

