"""Moved to :mod:`corridor.text` (kept until corridor 0.2)."""

from corridor.io import forward

__getattr__ = forward("text")
