"""The report for a person at a terminal (rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from corridor.analysis.report import CorridorReport
from corridor.analysis.results import InputWarning
from corridor.analysis.stretches import Stretch
from corridor.model.network import RoadNetwork


def fmt_duration(seconds: float | None) -> str:
    """ "1 h 05 min", "12 min", "40 s"; "-" for unknown."""
    if seconds is None:
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    m = s // 60
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    if h < 48:
        return f"{h} h {m:02d} min"
    d, h = divmod(h, 24)
    return f"{d} d {h} h"


def fmt_length(metres: float | None) -> str:
    """A length for a reader: metres under 1 km, else km to 0.1 (never "0.0 km").

    >>> fmt_length(10.6), fmt_length(999.6), fmt_length(1234.0), fmt_length(None)
    ('11 m', '1.0 km', '1.2 km', '-')
    """
    if metres is None:
        return "-"
    if round(metres) < 1000:
        return f"{metres:,.0f} m"
    return f"{metres / 1000:,.1f} km"


fmt_km = fmt_length
"""The former name of :func:`fmt_length`."""


def fmt_hours(hours: float | None) -> str:
    if hours is None:
        return "never (sealed)"
    return fmt_duration(hours * 3600)


def report_renderable(report: CorridorReport, network: RoadNetwork) -> Group:
    """The report as rich tables (``network``: the one the report was computed on)."""
    net = network
    origin = report.origin
    status_style = "bold green" if report.status == "open" else "bold red"
    head = Text.assemble(
        (f"{report.scenario or 'scenario'}", "bold"),
        f"  {report.date or ''}  mover: {report.mover}  ",
        ("OPEN" if report.status == "open" else "SEALED", status_style),
        f"  origin: {origin.name} ({len(origin.nodes)} nodes)",
    )
    parts: list = [Panel(head, expand=False)]
    parts.append(Text(report.headline[:1].upper() + report.headline[1:] + ".", style=status_style))
    if report.what_if:
        parts.append(
            Text(
                "What if, on top of the situation: closed " + "; ".join(report.what_if),
                style="bold yellow",
            )
        )

    ex = Table(title="Exits", title_justify="left")
    ex.add_column("exit")
    ex.add_column("kind")
    ex.add_column("reachable")
    ex.add_column("fastest", justify="right")
    ex.add_column("distance", justify="right")
    for x, kind in zip(report.reach.exits, report.exit_kinds, strict=True):
        ex.add_row(
            x.name,
            kind,
            Text("yes", "green") if x.reachable else Text("no", "red"),
            fmt_duration(x.travel_time_s),
            fmt_length(x.distance_m),
        )
    parts.append(ex)

    if report.routes:
        rt = Table(title="Routes (fastest first, then alternatives)", title_justify="left")
        rt.add_column("exit")
        rt.add_column("#", justify="right")
        rt.add_column("time", justify="right")
        rt.add_column("length", justify="right")
        rt.add_column("shared", justify="right")
        rt.add_column("gate (leaves the origin)")
        rt.add_column("roads")
        for r in report.routes:
            rt.add_row(
                r.exit,
                str(r.rank),
                fmt_duration(r.travel_time_s),
                fmt_length(r.distance_m),
                "-" if r.rank == 0 else fmt_length(r.shared_m),
                net.road_label(r.gate),
                " → ".join(r.roads[:8]) + (" …" if len(r.roads) > 8 else ""),
            )
        parts.append(rt)

    cut = report.min_cut
    if report.status == "open":
        ct = Table(
            title=Text(f"Minimum cut: closing these {cut.count} segment(s) seals {origin.name}"),
            title_justify="left",
        )
        ct.add_column("road")
        ct.add_column("OSM way", justify="right")
        ct.add_column("lon, lat")
        ct.add_column("persons/h", justify="right")
        ct.add_column("critical")
        critical = set(int(e) for e in report.critical)
        for e in cut.edges:
            e = int(e)
            ct.add_row(
                net.road_label(e),
                str(int(net.way_id[e])),
                f"{net.edge_mid_lon[e]:.5f}, {net.edge_mid_lat[e]:.5f}",
                f"{int(net.capacity_pph[e]):,}",
                Text("alone", "bold red") if e in critical else "",
            )
        parts.append(ct)
        critical_ids = {id(x) for x in report.critical_stretches}
        if report.cut_stretches and not all(id(x) in critical_ids for x in report.cut_stretches):
            parts.append(stretches_table(report.cut_stretches, "Minimum cut, as road stretches"))
        if len(report.critical) and report.critical_stretches:
            parts.append(
                stretches_table(
                    report.critical_stretches,
                    f"Critical stretches ({len(report.critical_stretches)}, "
                    f"{len(report.critical)} segments): closing any one segment alone seals "
                    f"{origin.name}" + (" (the minimum cut lies on them)" if cut.count else ""),
                    style="red",
                )
            )
        elif len(report.critical):
            names = sorted({net.road_label(int(e)) for e in report.critical})
            parts.append(
                Text(
                    f"Critical segments ({len(report.critical)}): a closure of any one alone "
                    f"seals the origin: {', '.join(names)}",
                    style="red",
                )
            )
        else:
            parts.append(Text("No single segment seals it alone."))
    if report.pocket is not None:
        parts.append(pocket_text(report))
    summary = Table.grid(padding=(0, 2))
    summary.add_row("Capacity (max flow)", f"{report.flow.value_pph:,} persons/h")
    summary.add_row(
        "Capacity-weighted cut",
        f"{report.capacity_cut.count} segment(s), {report.capacity_cut.capacity_pph:,} persons/h",
    )
    ev = report.evacuation
    summary.add_row(
        f"Evacuation of {ev.population:,}",
        fmt_hours(ev.hours)
        + (
            f" (outflow {ev.flow_pph:,} persons/h over {ev.paths_used} path(s))" if ev.hours else ""
        ),
    )
    if report.timed is not None:
        from corridor.outputs.timed import timed_sentence

        summary.add_row("Evacuation over time", timed_sentence(report.timed))
    closed = report.closed
    summary.add_row("Closed edges", f"{len(closed.edges):,} of {report.network.edges:,}")
    parts.append(summary)
    counts = closed.counts()
    if counts:
        why = Table(title="Why roads are closed (rule: edges)", title_justify="left", box=None)
        why.add_column("rule")
        why.add_column("edges", justify="right")
        for reason, k in sorted(counts, key=lambda x: -x[1])[:8]:
            why.add_row(reason, f"{k:,}")
        if len(counts) > 8:
            why.add_row(f"... and {len(counts) - 8} more rules (see --json: closed.reasons)", "")
        parts.append(why)
    if report.warnings:
        parts.append(warnings_renderable(report.warnings))
    return Group(*parts)


def stretches_table(stretches: Sequence[Stretch], title: str, *, style: str = "") -> Table:
    """Named road stretches, one row each: road, from, to, length, segments, OSM ways."""
    t = Table(title=Text(title, style=style), title_justify="left")
    t.add_column("road")
    t.add_column("from")
    t.add_column("to")
    t.add_column("length", justify="right")
    t.add_column("segments", justify="right")
    t.add_column("OSM ways")
    for s in stretches:
        ways = ", ".join(str(w) for w in s.osm_ways[:4]) + (" …" if len(s.osm_ways) > 4 else "")
        t.add_row(
            Text(s.road),
            Text(s.from_name),
            Text(s.to_name),
            fmt_length(s.length_m),
            str(s.segments),
            ways,
        )
    return t


def pocket_text(report: CorridorReport) -> Text:
    """The pocket in a few lines: area, places inside (with populations), exits inside."""
    p = report.pocket
    assert p is not None
    text = Text(
        f"Pocket: {p.area_km2:,.0f} km² that {report.origin.name} still reaches", style="bold"
    )
    if p.places:
        names = [
            x.name + (f" ({x.population:,})" if x.population is not None else "") for x in p.places
        ]
        shown = names[:12] + ([f"… and {len(names) - 12} more"] if len(names) > 12 else [])
        text.append(f"\n  places inside: {', '.join(shown)}")
        if p.population:
            text.append(f"; {p.population:,} people where known")
    exits = [f"{x.name} ({x.kind})" for x in p.exits]
    text.append(f"\n  exits inside: {', '.join(exits) if exits else 'none'}")
    return text


def print_report(
    report: CorridorReport, network: RoadNetwork, console: Console | None = None
) -> None:
    """Print the report's tables (``network``: the one the report was computed on)."""
    (console or Console()).print(report_renderable(report, network))


def warnings_renderable(warnings: Sequence[InputWarning]) -> Text:
    """The warnings, one line each: inputs that bind to nothing (the answer may look right and
    be wrong)."""
    text = Text(f"Warnings ({len(warnings)}): inputs that bind to nothing", style="bold yellow")
    for w in warnings:
        text.append(f"\n! {w.message} [{w.code}: {w.id}]", style="yellow")
    return text
