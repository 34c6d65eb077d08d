"""Entry point: ``musevae`` with a sub-command runs the CLI; the desktop app comes later."""

from __future__ import annotations

import sys

from musevae.cli import main as cli_main


def main() -> int:
    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
