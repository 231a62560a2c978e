"""Moved to :mod:`corridor.scenario.load` (kept until corridor 0.2)."""

from corridor.io import forward

__getattr__ = forward("scenario")
