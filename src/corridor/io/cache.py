"""Moved to :mod:`corridor.network.cache` (kept until corridor 0.2)."""

from corridor.io import forward

__getattr__ = forward("cache")
