"""Live MIDI playback and built-in sound, with no Qt and no MIDI library needed to import.

- :class:`Player` plays a roll or an endless stream of steps on a :class:`MidiOutput`
  and silences every note however playback ends;
- :mod:`.ports` opens real ports through python-rtmidi (imported only when used);
- :mod:`.render` turns a roll into a WAV file (FluidSynth if installed, else
  :mod:`.synth`); :mod:`.record` records a phrase from a keyboard to prime a model,
  after a count-in of :mod:`.metronome` clicks if wanted.
"""

from __future__ import annotations

from musevae.playback.endless import LookAhead, sampled_frames
from musevae.playback.output import MidiOutput, MidiPortError, RecordingOutput
from musevae.playback.player import Player, StopReason

__all__ = [
    "LookAhead",
    "MidiOutput",
    "MidiPortError",
    "Player",
    "RecordingOutput",
    "StopReason",
    "sampled_frames",
]
