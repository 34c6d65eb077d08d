"""A guard against PySide6 releasing references to None, True and False it never took.

PySide6 6.12 (the cp310-abi3 wheels) returns ``None`` from every void method and
``True``/``False`` from ``Signal.emit`` without a new reference. On Python 3.12 and
later these objects are immortal (PEP 683), so nothing happens; on 3.10 and 3.11 each
call takes one reference away, and after some ten thousand calls (a few seconds of
painting a piano roll) the interpreter aborts with "deallocating None". The guard does
what Python 3.12 does by design: it gives the three singletons a reference count that
no program can use up (2**40). It changes nothing else, and nothing on Python >= 3.12.
"""

from __future__ import annotations

import ctypes
import sys

SINGLETONS = (None, True, False)
EXTRA_REFERENCES = 1 << 40  # 10^12: at 10^7 lost references a second, three days


def guard_singletons() -> bool:
    """Raise the singletons' reference counts once; True if it was needed here."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for singleton in SINGLETONS:
        if sys.getrefcount(singleton) < EXTRA_REFERENCES:
            # ob_refcnt is the first field of every CPython object
            ctypes.c_ssize_t.from_address(id(singleton)).value += EXTRA_REFERENCES
    return True
