"""The scenarios that ship with corridor (``mosul-2016``), found inside the installed package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from corridor.errors import UnknownIdError

DEFAULT_SCENARIO = "mosul-2016"


def bundled_dir() -> Path:
    """The folder of the bundled scenarios, one subfolder each with its ``scenario.yaml``."""
    return Path(str(resources.files("corridor") / "data" / "scenarios"))


def bundled_scenarios() -> dict[str, Path]:
    """Every bundled scenario: its name and the path of its ``scenario.yaml``, by name.

    Examples
    --------
    >>> "mosul-2016" in bundled_scenarios()
    True
    """
    root = bundled_dir()
    return {p.parent.name: p for p in sorted(root.glob("*/scenario.yaml")) if p.is_file()}


def bundled_scenario(name: str = DEFAULT_SCENARIO) -> Path:
    """The path of a bundled scenario's ``scenario.yaml``.

    Parameters
    ----------
    name
        A bundled scenario's name (see :func:`bundled_scenarios`).

    Examples
    --------
    >>> bundled_scenario().name
    'scenario.yaml'
    """
    found = bundled_scenarios()
    if name not in found:
        msg = f"{name!r} is not a bundled scenario; bundled: {', '.join(found) or 'none'}"
        raise UnknownIdError(msg)
    return found[name]
