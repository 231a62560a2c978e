"""Moved to :mod:`corridor.files` (kept until corridor 0.2)."""

from corridor.io import forward

__getattr__ = forward("files")
