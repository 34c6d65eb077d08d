"""Entry point: ``musevae`` alone opens the desktop app; with a sub-command it is the CLI.

The GUI is imported only when it is wanted, so the command line never loads Qt.
``musevae --self-test`` opens the app, waits for the models to load and quits (0 when
all is well): a smoke test for installs and bundles. Both first check that Qt can open a
window here and, when it cannot, say why (exit code 2) instead of letting Qt abort.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

SELF_TEST = "--self-test"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args == [SELF_TEST]:
        problem = window_problem()
        if problem is not None:
            print(problem, file=sys.stderr)
            return 2
        from musevae.gui.shell.app import run, self_test

        return self_test(sys.argv[:1]) if args else run(sys.argv[:1])
    from musevae.cli import main as cli_main

    return cli_main(args)


def window_problem() -> str | None:
    """Why the app's window cannot open here (None when it can), asked before Qt starts:
    Qt itself would abort with a message that names no missing library."""
    try:
        from musevae.gui.shell.platform_check import library_message, missing_from_import_error
        from musevae.gui.shell.platform_check import platform_problem

        problem = platform_problem()
        if problem is None:
            import PySide6.QtWidgets  # noqa: F401  (QtGui's own libraries: EGL, fontconfig)
    except ImportError as error:
        missing = missing_from_import_error(error)
        if not missing:
            return f"musevae cannot open its window: Qt does not import ({error})"
        return library_message("Qt", missing)
    return problem


if __name__ == "__main__":
    sys.exit(main())
