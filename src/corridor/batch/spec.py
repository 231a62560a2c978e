"""A batch spec (``corridor batch SPEC.yaml``): what to run, as :class:`Task` s, checked whole
before anything runs.

A spec (YAML) lists what to run::

    scenarios:                             # bundled names or files (relative to the spec)
      - valley.yaml
      - {scenario: mosul-2016, movers: [isis-fighters, civilians], plans: [null, corridor]}
    dates: change                          # every change date; or a list of dates; or
                                           # {from: 2016-10-17, to: 2016-12-31, every_days: 7}
    movers: [isis-fighters]                # default: each scenario's own mover
    plans: [null, corridor]                # null: what happened (default [null])
    samples: 0                             # > 0: add the answers over that many samples
    seed: 0
    scan: false                            # true: every community's status (corridor scan)
                                           # instead of the one origin's answers

``movers``, ``plans``, ``dates`` and ``scan`` given with a scenario replace the spec's for that
scenario. A scan task writes one row per community and date (the rows of ``corridor scan
--csv``, with the scenario, mover and plan) into ``scan/`` under the output directory; it takes
no samples.
:func:`read_spec` checks everything before a task runs: each scenario exists and loads, each
mover and plan exists in each scenario it applies to, each date exists and lies within the
scenario's window, ``every_days`` is at least 1, at most :data:`MAX_DATES` dates,
``samples`` a whole number from 0 to :data:`MAX_SAMPLES`, no two scenarios share a name. Every
problem is one line ``spec.yaml:LINE: where: what; how to fix`` in one :class:`ScenarioError`.

A task is one (scenario file, mover, plan). Scenario paths are resolved (``spec.yaml``,
``./spec.yaml`` and an absolute path give the same tasks), movers are the scenario's own ids
(the default mover named or not is one mover), and a (scenario, mover, plan) asked for twice is
one task. Each task carries :func:`corridor.scenario.inputs.inputs_digest` of its scenario: the
content of the scenario file and every file it reads, and corridor's version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corridor.errors import Problem, ScenarioError
from corridor.text import shown

#: The most dates one scenario of a spec may ask for (27 years, day by day).
MAX_DATES = 10_000
#: The most samples a spec may ask for (as ``--samples`` on the command line; 1,000 take about
#: 26 s per mover and plan on the bundled mosul-2016).
MAX_SAMPLES = 100_000
#: The largest seed (numpy's seeds are non-negative integers; 2**63 - 1 keeps them in int64).
MAX_SEED = 2**63 - 1

_KEYS = ("scenarios", "dates", "movers", "plans", "samples", "seed", "scan")
_SCENARIO_KEYS = ("scenario", "movers", "plans", "dates", "scan")


@dataclass(frozen=True)
class Task:
    """One scenario file, mover and plan, over its dates.

    ``inputs`` is the digest of the scenario's files and corridor's version
    (:func:`corridor.scenario.inputs.inputs_digest`; empty: not computed yet).
    """

    scenario: str  # a resolved path
    mover: str | None
    plan: str | None
    dates: tuple[str, ...] | None  # None: every change date
    samples: int
    seed: int
    inputs: str = ""
    scan: bool = False  # every community's status instead of the origin's answers

    def key(self) -> str:
        """The name of its Parquet file: from the scenario file, mover and plan only, so that a
        rerun after an edit replaces the old rows instead of adding a second set.

        >>> Task("/a/x.yaml", "car", None, None, 0, 0).key() == Task(
        ...     "/a/x.yaml", "car", None, ("2020-01-01",), 10, 1, "ab"
        ... ).key()
        True
        """
        parts: list[Any] = [self.scenario, self.mover, self.plan]
        if self.scan:
            parts.append("scan")
        text = json.dumps(parts)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def identity(self) -> str:
        """Everything its rows depend on (paths, mover, plan, dates, samples, seed, the inputs'
        digest), as JSON: a file written for another identity is stale."""
        return json.dumps(asdict(self), sort_keys=True)


def read_spec(path: Path) -> list[Task]:
    """The tasks a spec file asks for (see the module docstring), every problem refused at once.

    Raises
    ------
    ScenarioError
        The spec cannot be read or asks for something that does not exist or cannot be run; its
        ``problems`` hold one line each.
    """
    from corridor.scenario.yaml_lines import read_yaml_file

    try:
        spec, lines = read_yaml_file(path)
    except OSError as exc:
        msg = f"{path}: cannot read the batch spec ({exc.strerror or exc})"
        raise ScenarioError(msg) from None
    except Exception as exc:  # yaml.YAMLError, YamlRefused: a message with its line
        problems = getattr(exc, "problems", None)
        if problems:
            shown = [p.format(path) for p in problems]
            raise ScenarioError(shown[0], shown) from None
        raise ScenarioError(_yaml_error(path, exc)) from None
    checker = _Checker(path, lines)
    tasks = checker.tasks(spec)
    if checker.problems:
        # in the file's order; a problem of a key the scenarios share is said once
        unique = {p.format(path): p for p in sorted(checker.problems, key=lambda p: p.line)}
        shown = list(unique)
        raise ScenarioError("\n".join(shown), shown, list(unique.values()))
    return tasks


def _yaml_error(path: Path, exc: Exception) -> str:
    """``spec.yaml:LINE: not valid YAML (what)`` on one line, for a parser's or reader's error."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        line = mark.line + 1
    else:  # a reader's error (a control character) gives its position in the text
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
            line = text[: int(getattr(exc, "position", 0) or 0)].count("\n") + 1
        except OSError:
            line = 1
    what = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    return f"{path}:{line}: not valid YAML ({' '.join(str(what).split())[:200]})"


class _Checker:
    """Reads a spec's data into tasks, collecting every problem with its line."""

    def __init__(self, path: Path, lines: Any) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, loc: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.problems.append(Problem(loc, message, hint, self.lines.line(loc)))

    # ------------------------------------------------------------------------------ the spec
    def tasks(self, spec: Any) -> list[Task]:
        if not isinstance(spec, dict) or not spec.get("scenarios"):
            self.problem(
                (),
                "a batch spec is a mapping with `scenarios: [name or file, ...]`",
                "see docs/batch.md",
            )
            return []
        for key in spec:
            if key not in _KEYS:
                self.problem(
                    (str(key),), f"unknown key {shown(str(key))}", f"keys: {', '.join(_KEYS)}"
                )
        samples = self.whole(spec, "samples", 0, MAX_SAMPLES)
        seed = self.whole(spec, "seed", 0, MAX_SEED)
        entries = spec["scenarios"]
        if not isinstance(entries, list):
            self.problem(("scenarios",), "scenarios is a list of names or files")
            return []
        tasks: dict[tuple[str, str | None, str | None, bool], Task] = {}
        names: dict[str, tuple[int, str]] = {}
        for i, entry in enumerate(entries):
            for task in self.scenario_tasks(spec, i, entry, samples, seed, names):
                tasks.setdefault((task.scenario, task.mover, task.plan, task.scan), task)
        return list(tasks.values())

    def whole(self, spec: dict[str, Any], key: str, low: int, high: int) -> int:
        value = spec.get(key, 0)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                (key,), f"{shown(value)} is not a whole number", f"write {low} to {high:,}"
            )
            return 0
        if not low <= value <= high:
            self.problem(
                (key,), f"{value:,} is outside {low} to {high:,}", f"write {low} to {high:,}"
            )
            return 0
        return value

    # ------------------------------------------------------------------------- one scenario
    def scenario_tasks(
        self,
        spec: dict[str, Any],
        i: int,
        entry: Any,
        samples: int,
        seed: int,
        names: dict[str, tuple[int, str]],
    ) -> list[Task]:
        from corridor.scenario.inputs import inputs_digest

        loc: tuple[str | int, ...] = ("scenarios", i)
        own: dict[str, Any] = {}
        if isinstance(entry, dict):
            for key in entry:
                if key not in _SCENARIO_KEYS:
                    self.problem(
                        (*loc, str(key)),
                        f"unknown key {shown(str(key))}",
                        f"keys: {', '.join(_SCENARIO_KEYS)}",
                    )
            own = entry
            name = entry.get("scenario")
            if not isinstance(name, str) or not name:
                self.problem(
                    loc, "a scenario given as a mapping names it: `{scenario: NAME or FILE, ...}`"
                )
                return []
        elif isinstance(entry, str) and entry:
            name = entry
        else:
            self.problem(loc, f"{shown(entry)} is not a scenario name or file")
            return []
        file = self.scenario_file(loc, name)
        if file is None:
            return []
        from corridor.scenario.load import load_scenario

        try:
            sc = load_scenario(file)
        except ScenarioError as exc:
            first = exc.problems[0] if exc.problems else str(exc)
            more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
            self.problem(
                loc,
                f"scenario {shown(name)} does not load: {first}{more}",
                "run `corridor scenario validate` on it",
            )
            return []
        except Exception as exc:  # a CorridorError or OSError of the scenario's own files
            self.problem(loc, f"scenario {shown(name)} does not load: {exc}")
            return []
        if sc.name in names and names[sc.name][1] != str(file):
            j, other = names[sc.name]
            self.problem(
                loc,
                f"scenarios[{j}] ({other}) and this one are both named {sc.name!r}: their rows "
                "would mix",
                "give one of them another `name:`",
            )
        names.setdefault(sc.name, (i, str(file)))

        movers_loc, movers = self.listed(own, spec, "movers", loc)
        plans_loc, plans = self.listed(own, spec, "plans", loc)
        dates_loc = (*loc, "dates") if "dates" in own else ("dates",)
        dates = self.dates(
            own["dates"] if "dates" in own else spec.get("dates", "change"), dates_loc
        )
        resolved: list[str] = []
        for j, mover in enumerate(movers or [None]):
            if mover is not None and not isinstance(mover, str):
                self.problem((*movers_loc, j), f"mover {shown(mover)} is not a mover id")
                continue
            try:
                resolved.append(sc.mover_profile(mover).id)
            except Exception:
                known = ", ".join(sc.movers) or "none"
                self.problem(
                    (*movers_loc, j),
                    f"mover {shown(mover)} does not exist in scenario {sc.name!r}",
                    f"its movers: {known} (or a base mover: car, foot, walkers, offroad, all)",
                )
        wanted_plans: list[str | None] = []
        for j, plan in enumerate(plans or [None]):
            if plan is not None and (not isinstance(plan, str) or plan not in sc.plans):
                known = ", ".join(sc.plans) or "none"
                self.problem(
                    (*plans_loc, j),
                    f"plan {shown(plan)} does not exist in scenario {sc.name!r}",
                    f"its plans: {known}; null is what happened"
                    + ("; give this scenario its own `plans:`" if plans_loc[0] == "plans" else ""),
                )
                continue
            wanted_plans.append(plan)
        if dates:
            self.in_window(sc, dates, dates_loc)
        scan_loc = (*loc, "scan") if "scan" in own else ("scan",)
        scan = own["scan"] if "scan" in own else spec.get("scan", False)
        if not isinstance(scan, bool):
            self.problem(scan_loc, f"scan is true or false, not {shown(scan)}")
            scan = False
        if scan and samples:
            self.problem(
                scan_loc,
                f"a scan takes no samples (samples: {samples})",
                "give this scenario its own entry without scan, or samples: 0",
            )
        digest = inputs_digest(sc)
        return [
            Task(str(file), m, p, dates, 0 if scan else samples, seed, digest, scan)
            for m in dict.fromkeys(resolved)
            for p in dict.fromkeys(wanted_plans)
        ]

    def scenario_file(self, loc: tuple[str | int, ...], name: str) -> Path | None:
        from corridor.bundled import bundled_scenarios
        from corridor.files import is_file

        p = self.path.parent / name
        if is_file(p / "scenario.yaml"):
            p = p / "scenario.yaml"
        if is_file(p):
            return p.expanduser().resolve()
        bundled = bundled_scenarios()
        if name in bundled:
            return bundled[name].resolve()
        self.problem(
            loc,
            f"scenario {shown(name)} is neither a file next to the spec nor bundled",
            f"bundled: {', '.join(bundled) or 'none'}",
        )
        return None

    def listed(
        self, own: dict[str, Any], spec: dict[str, Any], key: str, loc: tuple[str | int, ...]
    ) -> tuple[tuple[str | int, ...], list[Any]]:
        """The scenario's own list under ``key``, else the spec's, with where it was written."""
        where: tuple[str | int, ...] = (*loc, key) if key in own else (key,)
        value = own[key] if key in own else spec.get(key)
        if value is None:
            return where, []
        if not isinstance(value, list):
            value = [value]
        return where, value

    # -------------------------------------------------------------------------------- dates
    def dates(self, value: Any, loc: tuple[str | int, ...]) -> tuple[str, ...] | None:
        if value in ("change", None):
            return None
        if isinstance(value, list):
            if len(value) > MAX_DATES:
                self.problem(
                    loc, f"{len(value):,} dates, more than {MAX_DATES:,}", "split the spec"
                )
                return None
            out = []
            for j, d in enumerate(value):
                day = self.day(d, (*loc, j))
                if day is not None:
                    out.append(day)
            return tuple(sorted(set(out), key=out.index)) or None
        if isinstance(value, dict) and {"from", "to"} <= set(value):
            for key in value:
                if key not in ("from", "to", "every_days"):
                    self.problem(
                        (*loc, str(key)),
                        f"unknown key {shown(str(key))}",
                        "keys: from, to, every_days",
                    )
            a, b = self.day(value["from"], (*loc, "from")), self.day(value["to"], (*loc, "to"))
            step = value.get("every_days", 1)
            if isinstance(step, bool) or not isinstance(step, int) or step < 1:
                self.problem(
                    (*loc, "every_days"),
                    f"{shown(step)} is not a whole number of days of at least 1",
                    "write 1 for every day, 7 for every week",
                )
                return None
            if a is None or b is None:
                return None
            first, last = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
            if last < first:
                self.problem(loc, f"to {b} is before from {a}", "swap them")
                return None
            count = (last - first).days // step + 1
            if count > MAX_DATES:
                self.problem(
                    loc,
                    f"{count:,} dates from {a} to {b} every {step} days, more than {MAX_DATES:,}",
                    "take a longer step or a shorter range",
                )
                return None
            return tuple((first + dt.timedelta(days=k * step)).isoformat() for k in range(count))
        self.problem(loc, "dates is `change`, a list of dates, or {from, to, every_days}")
        return None

    def day(self, value: Any, loc: tuple[str | int, ...]) -> str | None:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            self.problem(
                loc, f"{shown(value)} is not a date", "write it as YYYY-MM-DD, a day that exists"
            )
            return None

    def in_window(self, sc: Any, dates: tuple[str, ...], loc: tuple[str | int, ...]) -> None:
        start, end = sc.start, sc.end
        outside = [
            d
            for d in dates
            if (start and dt.date.fromisoformat(d) < start)
            or (end and dt.date.fromisoformat(d) > end)
        ]
        if outside:
            which = (
                f"{len(outside):,} of the dates (the first {outside[0]}) lie"
                if len(outside) > 1
                else f"the date {outside[0]} lies"
            )
            self.problem(
                loc,
                f"{which} outside the window of scenario {sc.name!r} ({start or '…'} to "
                f"{end or '…'})",
                "give this scenario its own `dates:`, within its window",
            )
