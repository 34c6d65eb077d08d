"""musevae: music generation with stochastic recurrent sequence models.

The core (``data``, ``models``, ``train``, ``generate``, ``playback``) never imports Qt,
so it can be used from a script or notebook; ``musevae.gui`` is a thin layer on top.
"""

from __future__ import annotations

__version__ = "0.1.0"
