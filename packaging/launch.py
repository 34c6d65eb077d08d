"""The frozen app's entry script (PyInstaller runs this, not ``python -m musevae``)."""

from __future__ import annotations

import multiprocessing
import sys

from musevae.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # folder imports parse MIDI files in spawned workers
    sys.exit(main())
