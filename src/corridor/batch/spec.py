"""A batch spec (``corridor batch SPEC.yaml``): what to run, as :class:`Task` s.

A spec (YAML) lists what to run::

    scenarios: [mosul-2016, valley.yaml]   # bundled names or files (relative to the spec)
    dates: change                          # every change date; or a list of dates; or
                                           # {from: 2016-10-17, to: 2016-12-31, every_days: 7}
    movers: [isis-fighters]                # default: each scenario's own mover
    plans: [null, corridor]                # null: what happened (default [null])
    samples: 0                             # > 0: add the answers over that many samples
    seed: 0
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corridor.errors import ScenarioError


@dataclass(frozen=True)
class Task:
    """One scenario file, mover and plan, over its dates."""

    scenario: str  # a path
    mover: str | None
    plan: str | None
    dates: tuple[str, ...] | None  # None: every change date
    samples: int
    seed: int

    def key(self) -> str:
        """A name for its Parquet file, from its inputs."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def read_spec(path: Path) -> list[Task]:
    """The tasks a spec file asks for (see the module docstring)."""
    import yaml

    from corridor.bundled import bundled_scenarios

    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        msg = f"{path}: cannot read the batch spec ({exc})"
        raise ScenarioError(msg) from None
    if not isinstance(spec, dict) or not spec.get("scenarios"):
        msg = f"{path}: a batch spec is a mapping with `scenarios: [name or file, ...]`"
        raise ScenarioError(msg)
    bundled = bundled_scenarios()
    files = []
    for name in spec["scenarios"]:
        p = path.parent / str(name)
        if p.is_file():
            files.append(str(p))
        elif str(name) in bundled:
            files.append(str(bundled[str(name)]))
        else:
            msg = f"{path}: scenario {name!r} is neither a file next to the spec nor bundled"
            raise ScenarioError(msg)
    dates = _dates(spec.get("dates", "change"), path)
    movers = spec.get("movers") or [None]
    plans = spec.get("plans") or [None]
    samples, seed = int(spec.get("samples", 0)), int(spec.get("seed", 0))
    return [Task(f, m, p, dates, samples, seed) for f in files for m in movers for p in plans]


def _dates(value: Any, path: Path) -> tuple[str, ...] | None:
    if value in ("change", None):
        return None
    if isinstance(value, list):
        return tuple(dt.date.fromisoformat(str(d)).isoformat() for d in value)
    if isinstance(value, dict) and {"from", "to"} <= set(value):
        a, b = (dt.date.fromisoformat(str(value[k])) for k in ("from", "to"))
        step = dt.timedelta(days=int(value.get("every_days", 1)))
        out = []
        while a <= b:
            out.append(a.isoformat())
            a += step
        return tuple(out)
    msg = f"{path}: dates is `change`, a list of dates, or {{from, to, every_days}}"
    raise ScenarioError(msg)
