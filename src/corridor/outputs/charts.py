"""The siege over time as a chart (matplotlib, imported lazily, Agg backend): PNG or SVG.

One figure, three panels sharing a date axis:

1. per exit, a band green where the exit is reachable and red where it is sealed;
2. the capacity out of the origin in persons per hour, as a step line;
3. the minimum cut (segments whose closure seals the origin), as a step line;

and every event as a dotted vertical line, labelled on top. A comparison draws two plans on the
same figure (the second plan dashed, its bands below the first's).

What is plotted is exactly :func:`timeline_series` of the reports (the same numbers as their
JSON, :func:`corridor.outputs.json.report_json`); tests compare the two.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.analysis.report import CorridorReport
from corridor.errors import OutputError
from corridor.io.files import writable, write_atomic_with
from corridor.model.scenario import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Figure size in inches and resolution: a PNG is 1400 x 900 pixels.
FIGSIZE_IN = (14.0, 9.0)
DPI = 100
FORMATS = (".png", ".svg")
OPEN_COLOUR, SEALED_COLOUR = "#1a9850", "#d73027"
PLAN_STYLES = ({"color": "#2166ac", "linestyle": "-"}, {"color": "#b35806", "linestyle": "--"})


def check_chart_path(path: Path) -> Path:
    """Check that ``path`` is a .png or .svg in a writable directory (before any work).

    Raises
    ------
    OutputError
        With one line saying what is wrong and how to fix it.
    """
    if path.suffix.lower() not in FORMATS:
        msg = f"{path}: a chart is written as .png or .svg; change the file name's ending"
        raise OutputError(msg)
    return writable(path)


def timeline_series(reports: list[CorridorReport]) -> dict[str, Any]:
    """The numbers a timeline chart plots, read from each report.

    Returns
    -------
    dict
        ``dates`` (ISO strings), ``exits`` (name -> list of reachable booleans),
        ``capacity_pph``, ``min_cut`` (counts), ``status`` and ``events`` (one list of
        ``{date, actor, what}`` per date).
    """
    exits: dict[str, list[bool]] = {}
    for r in reports:
        for x in r.reach.exits:
            exits.setdefault(x.name, [])
    for r in reports:
        reach = {x.name: x.reachable for x in r.reach.exits}
        for name, vals in exits.items():
            vals.append(bool(reach.get(name, False)))
    return {
        "dates": [r.date for r in reports],
        "exits": exits,
        "capacity_pph": [int(r.flow.value_pph) for r in reports],
        "min_cut": [int(r.min_cut.count) for r in reports],
        "status": [r.status for r in reports],
        "events": [
            [
                {"date": e.date.isoformat(), "actor": e.actor or "", "what": e.what or ""}
                for e in r.events
            ]
            for r in reports
        ],
    }


def _dates(series: dict[str, Any], scenario: Scenario) -> tuple[list[dt.date], dt.date]:
    days = [dt.date.fromisoformat(d) if d else dt.date.today() for d in series["dates"]]
    end = scenario.end if scenario.end and days and scenario.end > days[-1] else None
    if end is None:
        span = (days[-1] - days[0]).days if len(days) > 1 else 0
        end = days[-1] + dt.timedelta(days=max(1, round(span * 0.08)))
    return days, end


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - a dependency
        msg = "charts need matplotlib: pip install matplotlib"
        raise ImportError(msg) from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _label_events(ax: Any, days: list[dt.date], events: list[list[dict[str, str]]]) -> None:
    """A dotted line per event date on every panel; a label on top, merging crowded dates."""
    import matplotlib.dates as mdates

    lo, hi = ax.get_xlim()
    min_gap = 0.025 * (hi - lo)  # closer labels would overlap: fold them into the previous one
    labels: list[list[Any]] = []  # [x, text, extra events]
    for day, evs in zip(days, events, strict=True):
        if not evs:
            continue
        x = mdates.date2num(day)
        for a in ax.figure.axes:
            a.axvline(x, color="#555555", linestyle=":", linewidth=1, zorder=0)
        if labels and x - labels[-1][0] < min_gap:
            labels[-1][2] += len(evs)
            continue
        first = evs[0]
        text = (f"{first['actor']}: " if first["actor"] else "") + first["what"]
        if len(text) > 34:
            text = text[:33] + "…"
        labels.append([x, text, len(evs) - 1])
    for x, text, extra in labels:
        ax.annotate(
            text + (f" (+{extra})" if extra else ""),
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, 4),
            textcoords="offset points",
            rotation=35,
            ha="left",
            va="bottom",
            fontsize=7.5,
            color="#333333",
        )


def _bands(
    ax: Any,
    days: list[dt.date],
    end: dt.date,
    exits: dict[str, list[bool]],
    y0: float,
    height: float,
    *,
    gid: str,
) -> list[tuple[float, str]]:
    import matplotlib.dates as mdates

    x = [mdates.date2num(d) for d in [*days, end]]
    ticks = []
    for k, (name, vals) in enumerate(exits.items()):
        y = y0 - k
        spans = [(x[i], x[i + 1] - x[i]) for i in range(len(vals))]
        colours = [OPEN_COLOUR if v else SEALED_COLOUR for v in vals]
        coll = ax.broken_barh(
            spans, (y - height / 2, height), facecolors=colours, edgecolor="white"
        )
        coll.set_gid(f"{gid}:{name}")
        ticks.append((y, name if len(name) <= 30 else name[:29] + "…"))
    return ticks


def _band_key(fig: Any) -> None:
    fig.text(
        0.02,
        0.015,
        "exit bands: green = reachable (open), red = sealed; dotted lines: events",
        fontsize=9,
        color="#444444",
    )


def _step(ax: Any, days: list[dt.date], end: dt.date, values: list[int], **kw: Any) -> Any:
    import matplotlib.dates as mdates

    x = [mdates.date2num(d) for d in [*days, end]]
    (line,) = ax.step(x, [*values, values[-1]], where="post", linewidth=2, **kw)
    return line


def _finish_axes(axes: list[Any], days: list[dt.date], end: dt.date) -> None:
    import matplotlib.dates as mdates
    from matplotlib.ticker import MaxNLocator

    loc = mdates.AutoDateLocator(minticks=5, maxticks=14)
    axes[-1].xaxis.set_major_locator(loc)
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    axes[-1].set_xlim(mdates.date2num(days[0]), mdates.date2num(end))
    axes[-1].set_xlabel("date")
    axes[2].yaxis.set_major_locator(MaxNLocator(integer=True))
    for a in axes[1:]:
        a.grid(True, axis="y", color="#dddddd")
        a.set_ylim(bottom=0)


def _new_figure(n_exit_rows: int) -> tuple[Any, list[Any]]:
    plt = _pyplot()
    fig, axes = plt.subplots(
        3,
        1,
        figsize=FIGSIZE_IN,
        dpi=DPI,
        sharex=True,
        gridspec_kw={"height_ratios": [max(1.2, 0.45 * n_exit_rows), 1.4, 1.0]},
    )
    fig.subplots_adjust(left=0.2, right=0.92, top=0.76, bottom=0.08, hspace=0.12)
    return fig, list(axes)


def timeline_figure(
    scenario: Scenario, reports: list[CorridorReport], *, plan: str | None = None
) -> Figure:
    """The timeline chart as a matplotlib figure (see the module's docstring)."""
    if not reports:
        msg = "no report to chart"
        raise ValueError(msg)
    series = timeline_series(reports)
    days, end = _dates(series, scenario)
    fig, axes = _new_figure(len(series["exits"]))
    ticks = _bands(axes[0], days, end, series["exits"], 0, 0.7, gid="exit")
    axes[0].set_yticks([t[0] for t in ticks], [f"to {t[1]}" for t in ticks])
    axes[0].set_ylim(-len(ticks) + 0.4, 0.6)
    _band_key(fig)
    line = _step(axes[1], days, end, series["capacity_pph"], color="#2166ac")
    line.set_gid("capacity_pph")
    axes[1].set_ylabel("capacity\n(persons/hour)")
    line = _step(axes[2], days, end, series["min_cut"], color="#a50026")
    line.set_gid("min_cut")
    axes[2].set_ylabel("minimum cut\n(segments)")
    _finish_axes(axes, days, end)
    _label_events(axes[0], days, series["events"])
    title = f"{scenario.title or scenario.name}: mover {reports[0].mover}"
    if plan:
        title += f", plan {plan}"
    fig.suptitle(title, x=0.02, y=0.985, ha="left", fontsize=14, fontweight="bold")
    return fig


def compare_figure(
    scenario: Scenario,
    reports_a: list[CorridorReport],
    reports_b: list[CorridorReport],
    plans: list[str | None],
) -> Figure:
    """Two replays (two plans, or a plan and what happened) on one figure.

    ``reports_a`` and ``reports_b`` share their dates (as ``corridor compare`` replays them);
    ``plans`` names the two (None: what happened).
    """
    if not reports_a or not reports_b:
        msg = "no report to chart"
        raise ValueError(msg)
    names = [p or "what happened" for p in plans]
    sa, sb = timeline_series(reports_a), timeline_series(reports_b)
    days, end = _dates(sa, scenario)
    days_b, _ = _dates(sb, scenario)
    exit_names = list(dict.fromkeys([*sa["exits"], *sb["exits"]]))
    fig, axes = _new_figure(2 * len(exit_names))
    yt, yl = [], []
    for k, name in enumerate(exit_names):
        for j, (s, ds, label) in enumerate(((sa, days, names[0]), (sb, days_b, names[1]))):
            if name not in s["exits"]:
                continue
            y = -2 * k - 0.8 * j
            _bands(axes[0], ds, end, {name: s["exits"][name]}, y, 0.6, gid=f"exit[{j}]")
            yt.append(y)
            short = name if len(name) <= 24 else name[:23] + "…"
            yl.append(f"to {short}: {label}")
    axes[0].set_yticks(yt, yl, fontsize=8.5)
    axes[0].set_ylim(min(yt) - 0.6, 0.6)
    _band_key(fig)
    for j, (s, ds) in enumerate(((sa, days), (sb, days_b))):
        style = PLAN_STYLES[j]
        line = _step(axes[1], ds, end, s["capacity_pph"], label=names[j], **style)
        line.set_gid(f"capacity_pph[{j}]")
        line = _step(axes[2], ds, end, s["min_cut"], label=names[j], **style)
        line.set_gid(f"min_cut[{j}]")
    axes[1].set_ylabel("capacity\n(persons/hour)")
    axes[2].set_ylabel("minimum cut\n(segments)")
    axes[1].legend(loc="upper right", fontsize=9)
    _finish_axes(axes, days, end)
    merged = [
        [*a, *[e for e in b if e not in a]]
        for a, b in zip(sa["events"], sb["events"], strict=False)
    ]
    _label_events(axes[0], days[: len(merged)], merged)
    fig.suptitle(
        f"{scenario.title or scenario.name}: {names[0]} against {names[1]} "
        f"(mover {reports_a[0].mover})",
        x=0.02,
        y=0.985,
        ha="left",
        fontsize=14,
        fontweight="bold",
    )
    return fig


def save_figure(fig: Figure, path: Path) -> None:
    """Save as PNG or SVG (by the file name) through a temporary file and a rename."""
    check_chart_path(path)
    fmt = path.suffix.lower().lstrip(".")
    meta = {"Software": None} if fmt == "png" else {"Date": None}
    try:
        write_atomic_with(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=DPI, metadata=meta))
    finally:
        _pyplot().close(fig)


def write_timeline_chart(
    scenario: Scenario,
    reports: list[CorridorReport],
    path: Path,
    *,
    plan: str | None = None,
) -> Path:
    """Write the timeline chart of ``reports`` to ``path`` (.png or .svg); return the path."""
    check_chart_path(path)
    save_figure(timeline_figure(scenario, reports, plan=plan), path)
    return path


def write_compare_chart(
    scenario: Scenario,
    reports_a: list[CorridorReport],
    reports_b: list[CorridorReport],
    plans: list[str | None],
    path: Path,
) -> Path:
    """Write the comparison chart of two replays to ``path`` (.png or .svg); return the path."""
    check_chart_path(path)
    save_figure(compare_figure(scenario, reports_a, reports_b, plans), path)
    return path
