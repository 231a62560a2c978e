"""Moved to :mod:`corridor.scenario.yaml_lines` (kept until corridor 0.2)."""

from corridor.io import forward

__getattr__ = forward("yaml_lines")
