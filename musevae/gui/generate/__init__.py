"""Generating: the Generate panel, the state of the candidates it made, the session that runs generation, and the export and interaction (harmonise, regenerate) actions."""
