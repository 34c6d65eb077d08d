"""Entry point: ``musevae`` alone opens the desktop app; with a sub-command it is the CLI.

The GUI is imported only when it is wanted, so the command line never loads Qt.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        from musevae.gui.app import run

        return run(sys.argv[:1])
    from musevae.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
