"""The scan for people and programs: JSON (stable keys), CSV rows, tables, GeoJSON points per
date and the chart of people cut off over time (``corridor scan``).

The JSON is a contract (keys are added, never renamed); docs/scan.md lists every key:

- ``rows[]``: one per date and community: ``date``, ``community`` (id), ``name``,
  ``population`` (null: unknown), ``status`` (open, at-risk, cut-off, off-network), ``reason``
  (the status in words), ``refuge`` (the nearest reachable refuge, or null), ``minutes`` (the
  least travel time to it, without turn costs, or null), ``stretch`` (the at-risk stretch's
  label, or null), ``pocket`` (id, or null), ``cut_off_since`` (date, or null),
  ``cut_off_days`` (days since then, or null), ``nearest_road_m`` (from the community's point to
  the mover's nearest road node);
- ``pockets[]``: ``date``, ``id``, ``communities`` (ids), ``population``, ``since``, ``days``;
- ``changes[]``: ``date``, ``entered``, ``left`` (ids), ``people_cut_off`` (on that date);
- ``dates[]``: ``date``, the count of each status and ``people_cut_off``;
- ``scenario``, ``mover``, ``plan``, ``refuges`` (names), ``hub`` (aid access: the hub searched
  from, with ``refuges`` its name alone and ``refuge``/``minutes`` in each row the hub and the
  time from it; null otherwise).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.analysis.scan import AT_RISK, CUT_OFF, OFF_NETWORK, OPEN, STATUSES, ScanResult
from corridor.outputs.csv_text import spreadsheet_safe

if TYPE_CHECKING:
    from corridor.outputs.impact import Overlay

ROW_KEYS = (
    "date",
    "community",
    "name",
    "population",
    "status",
    "reason",
    "refuge",
    "minutes",
    "stretch",
    "pocket",
    "cut_off_since",
    "cut_off_days",
    "nearest_road_m",
)
"""The keys of a row, in order (the CSV's columns)."""

SHOWN_ROWS = 60
"""Communities the terminal table lists (the cut-off ones first); JSON and CSV have all."""


def _row(scan: ScanResult, di: int, i: int) -> dict[str, Any]:
    c = scan.communities[i]
    day = scan.dates[di]
    code = int(scan.status[di, i])
    pop = int(scan.population[di, i])
    refuge = scan.refuge_names[int(scan.refuge[di, i])] if scan.refuge[di, i] >= 0 else None
    minutes = float(scan.minutes[di, i])
    minutes_out = None if math.isnan(minutes) else round(minutes, 1)
    stretch = scan.stretch_labels[int(scan.stretch[di, i])] if scan.stretch[di, i] >= 0 else None
    pocket = scan.communities[int(scan.pocket[di, i])].id if scan.pocket[di, i] >= 0 else None
    since = scan.dates[int(scan.since[di, i])] if scan.since[di, i] >= 0 else None
    nearest = float(scan.nearest_m[i])
    return {
        "date": day.isoformat(),
        "community": c.id,
        "name": c.name,
        "population": None if pop < 0 else pop,
        "status": STATUSES[code],
        "reason": _reason(
            code,
            refuge,
            minutes_out,
            stretch,
            pocket,
            since,
            day,
            nearest,
            c.radius_m,
            hub=scan.hub,
        ),
        "refuge": refuge,
        "minutes": minutes_out,
        "stretch": stretch,
        "pocket": pocket,
        "cut_off_since": since.isoformat() if since else None,
        "cut_off_days": (day - since).days if since else None,
        "nearest_road_m": round(nearest) if math.isfinite(nearest) else None,
    }


def _reason(
    code: int,
    refuge: str | None,
    minutes: float | None,
    stretch: str | None,
    pocket: str | None,
    since: dt.date | None,
    day: dt.date,
    nearest_m: float,
    radius_m: float,
    *,
    hub: str | None = None,
) -> str:
    if hub is not None and code in (OPEN, AT_RISK, CUT_OFF):
        if code == OPEN:
            return f"reached from {hub} in {_minutes_text(minutes)}"
        if code == AT_RISK:
            return f"reached from {hub} in {_minutes_text(minutes)}, only through {stretch}"
        days = (day - since).days if since else 0
        return f"{hub} cannot reach it; in pocket {pocket} since {since} ({days} days)"
    if code == OPEN:
        return f"reaches {refuge} in {_minutes_text(minutes)}"
    if code == AT_RISK:
        return f"reaches {refuge} in {_minutes_text(minutes)}, only through {stretch}"
    if code == CUT_OFF:
        days = (day - since).days if since else 0
        return f"no refuge reachable; in pocket {pocket} since {since} ({days} days)"
    far = f"{nearest_m / 1000:.1f} km" if math.isfinite(nearest_m) else "no road at all"
    return f"no road of the mover's network within {radius_m:g} m; the nearest is {far} away"


def _minutes_text(minutes: float | None) -> str:
    if minutes is None:
        return "?"
    if minutes < 90:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"


def scan_rows(scan: ScanResult, *, only: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per date and community (``only``: of that date), keys :data:`ROW_KEYS`."""
    return [
        _row(scan, di, i)
        for di, day in enumerate(scan.dates)
        if only is None or day == only
        for i in range(len(scan.communities))
    ]


def scan_json(scan: ScanResult, *, only: dt.date | None = None) -> dict[str, Any]:
    """The scan as the stable JSON (see the module); ``only``: that date's rows, pockets and
    changes (the dates before it still give ``since``)."""
    people = scan.cut_off_people()
    keep = [di for di, d in enumerate(scan.dates) if only is None or d == only]
    counts = [
        {
            "date": scan.dates[di].isoformat(),
            **{s: int((scan.status[di] == code).sum()) for code, s in enumerate(STATUSES)},
            "people_cut_off": int(people[di]),
        }
        for di in keep
    ]
    index = {d: di for di, d in enumerate(scan.dates)}
    return {
        "scenario": scan.scenario,
        "mover": scan.mover,
        "plan": scan.plan,
        "refuges": list(scan.refuge_names),
        "hub": scan.hub,
        "dates": counts,
        "rows": scan_rows(scan, only=only),
        "pockets": [
            {
                "date": p.date.isoformat(),
                "id": p.id,
                "communities": list(p.communities),
                "population": p.population,
                "since": p.since.isoformat(),
                "days": (p.date - p.since).days,
            }
            for p in scan.pockets
            if only is None or p.date == only
        ],
        "changes": [
            {
                "date": c.date.isoformat(),
                "entered": list(c.entered),
                "left": list(c.left),
                "people_cut_off": int(people[index[c.date]]),
            }
            for c in scan.changes
            if only is None or c.date == only
        ],
    }


def scan_csv_rows(scan: ScanResult, *, only: dt.date | None = None) -> list[dict[str, Any]]:
    """The rows for CSV: text cells guarded against spreadsheet formulas."""
    return [
        {k: spreadsheet_safe("" if v is None else v) for k, v in row.items()}
        for row in scan_rows(scan, only=only)
    ]


_ORDER = {CUT_OFF: 0, AT_RISK: 1, OPEN: 2, OFF_NETWORK: 3}
_STYLE = {OPEN: "green", AT_RISK: "yellow", CUT_OFF: "bold red", OFF_NETWORK: "dim"}


def scan_tables(scan: ScanResult, *, only: dt.date | None = None) -> list[Any]:
    """Rich tables: the besieged list over time (one row per date: counts, people cut off,
    who entered and left the cut-off list), then the communities on the last date shown."""
    from rich.table import Table
    from rich.text import Text

    people = scan.cut_off_people()
    changes = {c.date: c for c in scan.changes}
    names = {c.id: c.name for c in scan.communities}
    over = Table(
        title=(
            f"{scan.scenario}: communities of mover {scan.mover} cut off over time"
            if scan.hub is None
            else f"{scan.scenario}: communities mover {scan.mover} cannot reach from {scan.hub}"
        )
        + (f" (plan {scan.plan})" if scan.plan else ""),
        title_justify="left",
    )
    for col in (
        "date",
        "open",
        "at-risk",
        "cut-off",
        "off-network",
        "people cut off",
        "entered",
        "left",
    ):
        over.add_column(col, justify="right" if col not in ("date", "entered", "left") else "left")
    keep = [di for di, d in enumerate(scan.dates) if only is None or d == only]
    for di in keep:
        day = scan.dates[di]
        ch = changes.get(day)
        over.add_row(
            day.isoformat(),
            *(str(int((scan.status[di] == code).sum())) for code in range(4)),
            f"{int(people[di]):,}",
            Text(_names(ch.entered, names) if ch else ""),
            Text(_names(ch.left, names) if ch else ""),
        )
    last = keep[-1] if keep else None
    out: list[Any] = [over]
    if last is None:
        return out
    day = scan.dates[last]
    lst = Table(title=f"On {day}: every community, cut off first", title_justify="left")
    for col in ("community", "population", "status", "why"):
        lst.add_column(col, justify="right" if col == "population" else "left")
    order = sorted(
        range(len(scan.communities)),
        key=lambda i: (_ORDER[int(scan.status[last, i])], -int(scan.population[last, i])),
    )
    for i in order[:SHOWN_ROWS]:
        row = _row(scan, last, i)
        code = int(scan.status[last, i])
        lst.add_row(
            Text(row["name"]),
            "?" if row["population"] is None else f"{row['population']:,}",
            Text(row["status"], style=_STYLE[code]),
            Text(row["reason"]),
        )
    if len(order) > SHOWN_ROWS:
        lst.caption = f"… and {len(order) - SHOWN_ROWS:,} more (--json or --csv lists them all)"
    out.append(lst)
    return out


def _names(ids: tuple[str, ...], names: dict[str, str], limit: int = 6) -> str:
    shown = ", ".join(names.get(i, i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def scan_geojson(scan: ScanResult, di: int) -> dict[str, Any]:
    """The communities of date ``dates[di]`` as GeoJSON points, a row's keys as properties
    (the collection's own ``properties`` name its layer, :func:`layer_name`)."""
    return {
        "type": "FeatureCollection",
        "properties": {"layer": layer_name(scan.dates[di])},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": _row(scan, di, i),
            }
            for i, c in enumerate(scan.communities)
        ],
    }


def layer_name(day: dt.date) -> str:
    """The layer of a date's points: ``--geojson DIR`` writes it to ``DIR/<name>.geojson``."""
    return f"scan-{day.isoformat()}"


MAX_CHART_POCKETS = 8
"""Pockets drawn on their own in the chart; smaller ones are summed as "other pockets"."""


def write_scan_chart(scan: ScanResult, path: Path) -> Path:
    """People cut off over time, stacked by pocket (the largest ones, the rest summed), as a
    step chart (.png or .svg); return the path."""
    from corridor.outputs.charts import _pyplot, check_chart_path, save_figure

    check_chart_path(path)
    plt = _pyplot()
    days = list(scan.dates)
    totals: dict[str, list[int]] = {}
    index = {d: di for di, d in enumerate(days)}
    for p in scan.pockets:
        totals.setdefault(p.id, [0] * len(days))[index[p.date]] += p.population
    ranked = sorted(totals, key=lambda k: -max(totals[k]))
    shown, rest = ranked[:MAX_CHART_POCKETS], ranked[MAX_CHART_POCKETS:]
    series = [totals[k] for k in shown]
    labels = [f"pocket of {next(c.name for c in scan.communities if c.id == k)}" for k in shown]
    if rest:
        series.append([sum(totals[k][i] for k in rest) for i in range(len(days))])
        labels.append(f"{len(rest)} other pockets")
    fig, ax = plt.subplots(figsize=(9, 4.5))
    end = days[-1] + dt.timedelta(days=max(1, round(((days[-1] - days[0]).days or 1) * 0.05)))
    xs = [*days, end]
    if series:
        ys = [[*s, s[-1]] for s in series]
        ax.stackplot(xs, *ys, labels=labels, step="post", alpha=0.85)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_ylabel("people cut off")
    ax.set_xlim(days[0], end)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_title(
        f"{scan.scenario}: people in pockets, mover {scan.mover}"
        + (f", out of reach from {scan.hub}" if scan.hub else "")
        + (f" (plan {scan.plan})" if scan.plan else ""),
        loc="left",
        fontsize=10,
    )
    fig.autofmt_xdate()
    fig.tight_layout()
    save_figure(fig, path)
    return path


#: A status's colour on the map: open bluish green, at-risk orange, cut-off dark red,
#: off-network grey (told apart by hue and by lightness: colour-blind safe).
STATUS_COLOURS = {
    "open": "#009e73",
    "at-risk": "#e69f00",
    "cut-off": "#a50026",
    "off-network": "#8c8c8c",
}


def communities_layer(scan: ScanResult, di: int) -> dict[str, Any]:
    """The map's communities on date ``dates[di]``: :func:`scan_geojson`'s points with their
    status's colour (:data:`STATUS_COLOURS`) and the collection named ``communities``."""
    fc = scan_geojson(scan, di)
    for f in fc["features"]:
        f["properties"]["colour"] = STATUS_COLOURS[f["properties"]["status"]]
    fc["properties"] = {"layer": "communities", "date": scan.dates[di].isoformat()}
    return fc


def communities_overlay(scan: ScanResult, days: list[dt.date]) -> Overlay:
    """The map's "communities by status" layer: one frame per map date in ``days``, each the
    scan's date on or before it (a scan of the same dates gives each its own)."""
    from bisect import bisect_right

    from corridor.outputs.impact import Overlay

    frames = []
    for day in days:
        di = max(0, bisect_right(list(scan.dates), day) - 1)
        frames.append(communities_layer(scan, di))
    return Overlay("communities", tuple(frames))
