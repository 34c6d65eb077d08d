"""Hearing the music: output ports, the built-in sound, the player thread and the transport bar."""
