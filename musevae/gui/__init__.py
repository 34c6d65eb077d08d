"""The desktop app: a thin PySide6 layer over the Qt-free core.

One sub-package per part of the window: ``shell`` (the window, settings, dialogs),
``workers`` (the one worker pattern), ``roll`` (the piano roll and its lanes),
``generate``, ``library``, ``train``, ``tune``, ``playback`` and ``midi_in``. In each,
``state`` / ``session`` modules hold what the app knows and announce each change with a
signal, and ``panel`` / view modules draw it and forward the user's actions; the one
generic worker (``workers.job.Job``) runs the core's generators off the GUI thread.
Nothing here imports torch at import time: the window shows first, the models load after.
"""
