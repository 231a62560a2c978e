"""Moved to :mod:`corridor.ingest.review` (kept until corridor 0.2)."""

from corridor.io import forward

__getattr__ = forward("review")
