"""The answers over samples (``--samples N``) as JSON and as a text table.

The JSON shapes are ``TypedDict``s, like :mod:`corridor.outputs.json`, whose report carries one
as its optional ``samples`` key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from annotated_types import Ge, Le
from typing_extensions import TypedDict

if TYPE_CHECKING:
    from rich.table import Table

    from corridor.analysis.uncertainty import Quantiles, SampleSummary

Probability = Annotated[float, Ge(0), Le(1)]


class QuantilesJSON(TypedDict):
    """10, 50 and 90 % quantiles over the samples (null: never, as a sealed origin's hours)."""

    p10: float | None
    p50: float | None
    p90: float | None


class ExitChanceJSON(TypedDict):
    name: str
    p_reachable: Probability


class StretchChanceJSON(TypedDict):
    """A road stretch (as reports name it), its OSM ways, and the probability that the minimum
    cut holds it."""

    road: str
    osm_ways: list[int]
    probability: Probability


class SamplesJSON(TypedDict):
    """The answers at one date over ``n`` samples drawn with ``seed`` (docs/uncertainty.md)."""

    n: Annotated[int, Ge(1)]
    seed: int | None
    exact: bool
    p_open: Probability
    exits: list[ExitChanceJSON]
    capacity_pph: QuantilesJSON
    min_cut_count: QuantilesJSON
    evacuation_hours: QuantilesJSON
    cut_stretches: list[StretchChanceJSON]


def _p(x: float) -> float:
    return round(x, 6)


def _quantiles(q: Quantiles, nd: int = 2) -> QuantilesJSON:
    def r(x: float | None) -> float | None:
        if x is None:
            return None
        return round(x) if nd == 0 else round(x, nd)

    return {"p10": r(q.p10), "p50": r(q.p50), "p90": r(q.p90)}


def samples_json(summary: SampleSummary) -> SamplesJSON:
    """The answers over samples at one date, JSON-ready (the report's ``samples``).

    Examples
    --------
    >>> import datetime as dt
    >>> from corridor.analysis.uncertainty import sample_at
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled("mosul-2016")
    >>> s = sample_at(sc, networks, dt.date(2016, 10, 17), samples=5, mover="isis-fighters")
    >>> samples_json(s)["n"], samples_json(s)["p_open"]
    (5, 1.0)
    """
    return {
        "n": summary.n,
        "seed": summary.seed,
        "exact": summary.exact,
        "p_open": _p(summary.p_open),
        "exits": [{"name": x.name, "p_reachable": _p(x.p_reachable)} for x in summary.exits],
        "capacity_pph": _quantiles(summary.capacity_pph, 0),
        "min_cut_count": _quantiles(summary.min_cut_count, 0),
        "evacuation_hours": _quantiles(summary.evacuation_hours, 2),
        "cut_stretches": [
            {"road": s.road, "osm_ways": list(s.osm_ways), "probability": _p(s.probability)}
            for s in summary.cut_stretches
        ],
    }


def samples_csv_columns(summary: SampleSummary) -> dict[str, object]:
    """The answers over samples as extra CSV columns of a timeline row."""
    out: dict[str, object] = {"p_open": _p(summary.p_open)}
    for x in summary.exits:
        out[f"p_reachable:{x.name}"] = _p(x.p_reachable)
    for key in ("capacity_pph", "min_cut_count", "evacuation_hours"):
        q = _quantiles(getattr(summary, key), 2 if key == "evacuation_hours" else 0)
        out.update({f"{key}_{k}": "" if v is None else v for k, v in q.items()})
    return out


def _fmt(q: Quantiles, unit: str = "", nd: int = 0) -> str:
    def f(x: float | None) -> str:
        return "never" if x is None else f"{x:,.{nd}f}{unit}"

    return f"{f(q.p50)} ({f(q.p10)} – {f(q.p90)})"


def samples_table(summaries: Sequence[SampleSummary], *, title: str = "") -> Table:
    """One row per date: P(open), P(reachable) per exit, the median (10–90 %) of capacity,
    min cut and hours, and the stretches most often in the minimum cut."""
    from rich.table import Table

    first = summaries[0] if summaries else None
    what = (
        "exact, every subset of the uncertain events"
        if first is not None and first.exact
        else f"{first.n:,} samples, seed {first.seed}"
        if first is not None
        else ""
    )
    table = Table(title=f"{title} | {what}" if title else what, title_justify="left")
    table.add_column("date")
    table.add_column("P(open)", justify="right")
    table.add_column("P(exit reachable)")
    table.add_column("persons/h: median (10–90 %)", justify="right")
    table.add_column("min cut", justify="right")
    table.add_column("evacuation hours", justify="right")
    table.add_column("most often in the min cut")
    for s in summaries:
        cut = "\n".join(f"{c.probability:.0%} {c.road}" for c in s.cut_stretches[:3])
        table.add_row(
            s.date,
            f"{s.p_open:.2f}",
            "\n".join(f"{x.p_reachable:.2f} {x.name}" for x in s.exits),
            _fmt(s.capacity_pph),
            _fmt(s.min_cut_count),
            _fmt(s.evacuation_hours, " h", 1),
            cut or "—",
        )
    return table
