"""Moved to :mod:`corridor.network.nx` (kept until corridor 0.2)."""

from corridor.io import forward

__getattr__ = forward("nx")
