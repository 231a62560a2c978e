"""Moved to :mod:`corridor.network.load` (kept until corridor 0.2)."""

from corridor.io import forward

__getattr__ = forward("network")
