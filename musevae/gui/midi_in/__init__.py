"""MIDI input: the input chooser, live notes on the roll, Continue and call and response."""
