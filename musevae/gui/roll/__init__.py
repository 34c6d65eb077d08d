"""The piano roll: keys, time axis, notes, uncertainty lanes, the keyboard, drawing on the roll and dragging a clip out of it."""
