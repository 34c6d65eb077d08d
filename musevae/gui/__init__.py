"""The desktop app: a thin PySide6 layer over the Qt-free core.

State objects (``*_state.py``) hold what the app knows and announce each change with a
signal; views (``qt_*.py``) draw that state and forward the user's actions; the one
generic worker (``qt_workers.Job``) runs the core's generators off the GUI thread.
Nothing here imports torch at import time: the window shows first, the models load after.
"""
