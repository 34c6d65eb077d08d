"""Sampling music from a trained model, step by step, with per-step uncertainty."""

from __future__ import annotations

from musevae.generate.musical import Controls
from musevae.generate.sampler import GeneratedStep, Generation, collect, generate, sample

__all__ = ["Controls", "GeneratedStep", "Generation", "collect", "generate", "sample"]
