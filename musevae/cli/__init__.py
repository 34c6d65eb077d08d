"""The ``musevae`` command line: one argparse sub-command per module in this package.

Each command module exposes ``register(subparsers)``, which adds its parser and sets
``func`` to a callable taking the parsed arguments and returning an exit code. Command
modules import heavy libraries (torch) inside ``func`` only, so ``--help``
and argument errors answer at once. Numbers go through the shared types of
:mod:`musevae.cli.arg_types`, so every bad value is refused while parsing.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from musevae import __version__
from musevae.errors import MusevaeError

COMMAND_MODULES = (
    "data", "train", "evaluate", "sweep", "publish", "generate", "evaluate_samples", "play", "ports",
    "tune", "harmonize", "regenerate",
)


class Parser(argparse.ArgumentParser):
    """A usage error is one line on stderr and exit code 2, like every other error (the
    stock parser prints the whole usage first, many lines for ``generate``). Sub-command
    parsers are made of the same class."""

    def error(self, message: str) -> NoReturn:
        line = " ".join(message.splitlines())
        self.exit(2, f"{self.prog}: error: {line} (see {self.prog} --help)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        """Python 3.11's argparse drops a value that is exactly "--" (``--lr=--`` gives
        ``[]``, unchecked), so the flag's type never sees it: convert and check it like
        any other value, so it is refused like any other bad value."""
        if action.option_strings and arg_strings == ["--"]:
            value = self._get_value(action, "--")
            self._check_value(action, value)
            return value if action.nargs in (None, argparse.OPTIONAL) else [value]
        return super()._get_values(action, arg_strings)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="musevae",
        description="Music generation with stochastic recurrent models. "
        "Run without a command to open the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"musevae {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"musevae.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except MusevaeError as error:
        print(f"musevae: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("musevae: interrupted", file=sys.stderr)
        return 130
