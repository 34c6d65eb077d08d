"""Training, checkpoints and evaluation: one trainer for every model.

``trainer.train`` / ``trainer.resume`` yield events (``events``) instead of printing;
``checkpoint.load_model`` reads what they write; ``evaluate.evaluate`` scores a model
on whole pieces under both averaging conventions.
"""
