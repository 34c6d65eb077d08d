"""The one worker pattern: ``job.Job`` runs a core generator off the GUI thread; ``tasks`` holds the core calls it runs (imported lazily, so torch loads after the window shows)."""
