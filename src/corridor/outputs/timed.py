"""The evacuation over time for people and programs: one sentence, and ``evacuation.timed``."""

from __future__ import annotations

import datetime as dt

from typing_extensions import TypedDict

from corridor.analysis.timed import Gate, TimedEvacuation, gate_text

ROAD = "road"


class BottleneckJSON(TypedDict):
    kind: str  # "window", "checkpoint" or "road" (the roads' own capacity)
    id: str | None
    name: str


class GateJSON(TypedDict):
    kind: str
    id: str
    name: str
    hours: str | None
    rate_pph: float | None
    arcs: int


class TimedJSON(TypedDict):
    start: str
    finish: str | None  # null when not everyone is out within the horizon
    hours: float | None
    population: int
    persons_out: int  # by the finish, or by the horizon
    profile: list[list[str | int]]  # [time, persons out by then], hourly
    bottleneck: BottleneckJSON
    gates: list[GateJSON]
    step_s: float
    horizon_s: float
    method: str
    exact: bool  # false: ``finish`` is a feasible evacuation, ``earliest`` the bound below it
    earliest: str | None


def _when(t: dt.datetime) -> str:
    return t.isoformat(timespec="minutes")


def _bottleneck(g: Gate | None) -> BottleneckJSON:
    if g is None:
        return {"kind": ROAD, "id": None, "name": "the roads' capacity"}
    return {"kind": g.kind, "id": g.id, "name": g.name}


def timed_json(t: TimedEvacuation) -> TimedJSON:
    """``evacuation.timed`` of the JSON report (stable field names)."""
    from corridor.model.scenario import hours_text

    return {
        "start": _when(t.start),
        "finish": _when(t.finish) if t.finish is not None else None,
        "hours": round(t.hours, 2) if t.hours is not None else None,
        "population": t.population,
        "persons_out": t.persons_out,
        "profile": [[_when(t.start + dt.timedelta(seconds=s)), out] for s, out in t.profile],
        "bottleneck": _bottleneck(t.bottleneck),
        "gates": [
            {
                "kind": g.kind,
                "id": g.id,
                "name": g.name,
                "hours": hours_text(g.hours) if g.hours is not None else None,
                "rate_pph": g.rate_pph,
                "arcs": g.arcs,
            }
            for g in t.gates
        ],
        "step_s": t.step_s,
        "horizon_s": t.horizon_s,
        "method": t.method,
        "exact": t.exact,
        "earliest": _when(t.earliest) if t.earliest is not None else None,
    }


def span_text(seconds: float) -> str:
    """``"4 days 3 h 40 min"``, ``"20 h 10 min"``, ``"35 min"``.

    Examples
    --------
    >>> span_text(4 * 86400 + 3 * 3600 + 40 * 60)
    '4 days 3 h 40 min'
    """
    m = round(seconds / 60)
    d, m = divmod(m, 1440)
    h, m = divmod(m, 60)
    bits = [f"{d} day{'s' if d != 1 else ''}"] if d else []
    bits += [f"{h} h"] if h else []
    bits += [f"{m} min"] if m or not bits else []
    return " ".join(bits)


def when(t: dt.datetime) -> str:
    """``"9 November 13:40"``."""
    return f"{t.day} {t:%B %H:%M}"


def timed_sentence(t: TimedEvacuation) -> str:
    """One sentence: the gates, who is out by when, and what decides it.

    "with the Salah al-Din window 10:00-14:00 daily and the Wadi Gaza checkpoint at 1,200
    persons/h, 100,000 people are out by 9 November 13:40 (4 days 3 h 40 min); the window
    decides it"
    """
    gates = [gate_text(g) for g in t.gates]
    lead = ""
    if gates:
        joined = gates[0] if len(gates) == 1 else ", ".join(gates[:-1]) + " and " + gates[-1]
        lead = f"with {joined}, "
    if t.finish is not None:
        body = (
            f"{t.population:,} people are out by {when(t.finish)} "
            f"({span_text((t.finish - t.start).total_seconds())} from {when(t.start)})"
        )
        if not t.exact:
            bound = f", and no earlier than {when(t.earliest)}" if t.earliest else ""
            body += f" at the latest{bound}"
    else:
        end = t.start + dt.timedelta(seconds=t.horizon_s)
        body = (
            f"only {t.persons_out:,} of {t.population:,} people are out by {when(end)} "
            f"(the horizon, {span_text(t.horizon_s)} from {when(t.start)})"
        )
    if t.bottleneck is not None:
        g = t.bottleneck
        tail = f"; the {g.name} {g.kind} decides it"
    elif t.gates:
        tail = "; the roads' own capacity decides it"
    else:
        tail = ""
    return lead + body + tail
