"""Entry point: ``musevae`` alone opens the desktop app; with a sub-command it is the CLI.

The GUI is imported only when it is wanted, so the command line never loads Qt.
``musevae --self-test`` opens the app, waits for the models to load and quits (0 when
all is well): a smoke test for installs and bundles.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

SELF_TEST = "--self-test"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args == [SELF_TEST]:
        from musevae.gui.app import run, self_test

        return self_test(sys.argv[:1]) if args else run(sys.argv[:1])
    from musevae.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
