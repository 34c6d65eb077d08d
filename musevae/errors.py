"""User-facing errors.

Anything a person can cause (a missing dataset, a bad MIDI file, a corrupt checkpoint)
raises a :class:`MusevaeError` subclass whose message says what happened and what to do.
The CLI prints it without a traceback; the GUI shows it in a dialog and carries on.
"""

from __future__ import annotations


class MusevaeError(Exception):
    """Base class: the message is written for the user, not the developer."""


class DataError(MusevaeError):
    """A dataset is missing, malformed, or does not match its expected shape."""


class UnsafePickleError(DataError):
    """A pickle asked to build something other than plain containers and numbers."""


class MidiFileError(MusevaeError):
    """A MIDI file cannot be read, or reads as something that is not music."""


class CheckpointError(MusevaeError):
    """A checkpoint is corrupt, truncated, foreign, or does not match its model card."""
