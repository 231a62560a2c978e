"""The map's header line as structured parts: a page reads fields, never prose.

The header of ``corridor map`` and of the workbench (``corridor serve``) says, for one report:
scenario, date, mover, plan, the status with the exits open, the headline, the capacity, the
minimum cut and the evacuation time. :func:`header_parts` gives them as fields (``status``,
``exits_open``, ...) and as labelled texts in order (``parts``); :func:`header_text` joins the
texts with `` · ``. A quick report (:func:`corridor.analysis.session.quick_report`) has no
evacuation part.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from corridor.analysis.report import CorridorReport
from corridor.model.scenario import Scenario

PartKey = Literal[
    "title", "date", "mover", "plan", "status", "headline", "capacity", "min_cut", "evacuation"
]


class HeaderPart(TypedDict):
    """One labelled piece of the header: ``key`` says what it is, ``text`` is shown."""

    key: PartKey
    text: str


class HeaderJSON(TypedDict):
    """The header's fields and its parts, in order."""

    status: Literal["open", "sealed"]
    exits_open: int
    exits_total: int
    capacity_pph: int
    min_cut: int
    population: int
    evacuation_hours: float | None  # None: sealed, or not computed (quick)
    quick: bool
    parts: list[HeaderPart]


def header_parts(
    scenario: Scenario, report: CorridorReport, *, plan: str | None = None
) -> HeaderJSON:
    """The header of ``report`` as fields and labelled parts.

    Examples
    --------
    >>> from corridor.analysis.replay import report_at
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled("mosul-2016")
    >>> h = header_parts(sc, report_at(sc, networks, None))
    >>> h["status"], [p["key"] for p in h["parts"]][3:6]
    ('open', ['status', 'headline', 'capacity'])
    """
    ev = report.evacuation
    n_open = sum(x.reachable for x in report.reach.exits)
    n_exits = len(report.reach.exits)
    parts: list[HeaderPart] = [
        {"key": "title", "text": scenario.title or scenario.name},
        {"key": "date", "text": report.date or "undated"},
        {"key": "mover", "text": f"mover {report.mover}"},
    ]
    if plan:
        parts.append({"key": "plan", "text": f"plan {plan}"})
    parts += [
        {"key": "status", "text": f"{report.status.upper()} ({n_open}/{n_exits} exits open)"},
        {"key": "headline", "text": report.headline},
        {"key": "capacity", "text": f"capacity {report.flow.value_pph:,} persons/h"},
        {"key": "min_cut", "text": f"min cut {report.min_cut.count}"},
    ]
    if not report.quick:
        if ev.hours is None:
            evac = "evacuation: never (sealed)"
        else:
            evac = f"evacuation of {ev.population:,}: {ev.hours:,.1f} h"
        parts.append({"key": "evacuation", "text": evac})
    return {
        "status": report.status,
        "exits_open": int(n_open),
        "exits_total": n_exits,
        "capacity_pph": int(report.flow.value_pph),
        "min_cut": int(report.min_cut.count),
        "population": int(ev.population),
        "evacuation_hours": None if report.quick or ev.hours is None else round(ev.hours, 2),
        "quick": report.quick,
        "parts": parts,
    }


def header_line(header: HeaderJSON) -> str:
    """The header's parts as one line, joined by `` · ``."""
    return " · ".join(p["text"] for p in header["parts"])


def header_text(scenario: Scenario, report: CorridorReport, *, plan: str | None = None) -> str:
    """The header line: scenario, date, mover, plan, status and its headline (exits by kind),
    capacity and evacuation time (:func:`header_parts` as one line)."""
    return header_line(header_parts(scenario, report, plan=plan))
