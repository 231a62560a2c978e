"""The siege over time as a chart (matplotlib, imported lazily, Agg backend): PNG or SVG.

One figure, three panels sharing a date axis:

1. per exit, a band bluish green where the exit is reachable and vermillion, hatched, where it
   is sealed (Okabe and Ito's colour-blind-safe palette, with the hatch as a second cue);
2. the capacity out of the origin in persons per hour, as a step line;
3. the minimum cut (segments whose closure seals the origin), as a step line;

and every date with an event (or a zone that begins or ends) as a dotted vertical line, numbered
above the bands; the numbered list of what happened is printed below the chart, in full. A
comparison draws two plans on the same figure (the second plan dashed, its bands below the
first's, each band row named on the right). Legends sit outside the panels.

With samples (``timeline --samples N --chart``), two panels more and bands: P(origin open)
and P(reachable) per exit, and the 10–90 % band and median over the samples of capacity, minimum
cut and evacuation hours beside the reported numbers (:func:`sample_series`, the samples' JSON).

What is plotted is exactly :func:`timeline_series` of the reports (the same numbers as their
JSON, :func:`corridor.outputs.json.report_json`); tests compare the two.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.analysis.report import CorridorReport
from corridor.errors import OutputError
from corridor.files import writable, write_atomic_with
from corridor.model.scenario import Scenario
from corridor.outputs.timeline import evidence_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from corridor.analysis.uncertainty import SampleSummary

#: Figure size in inches and resolution: a PNG is 1400 x 900 pixels.
FIGSIZE_IN = (14.0, 9.0)
#: With probability bands (``timeline --samples N --chart``): 1400 x 1200 pixels.
FIGSIZE_SAMPLES_IN = (14.0, 12.0)
DPI = 100
FORMATS = (".png", ".svg")
#: Okabe and Ito (2008): bluish green, vermillion, blue, orange, reddish purple.
OKABE_ITO = {
    "bluish green": "#009E73",
    "vermillion": "#D55E00",
    "blue": "#0072B2",
    "orange": "#E69F00",
    "reddish purple": "#CC79A7",
    "sky blue": "#56B4E9",
}
OPEN_COLOUR, SEALED_COLOUR = OKABE_ITO["bluish green"], OKABE_ITO["vermillion"]
SEALED_HATCH = "////"
PLAN_STYLES = (
    {"color": OKABE_ITO["blue"], "linestyle": "-"},
    {"color": OKABE_ITO["orange"], "linestyle": "--"},
)
#: Where the panels end and the list of events begins, in figure fractions.
PANELS_TOP, PANELS_BOTTOM, LIST_TOP = 0.885, 0.36, 0.27
PANELS_LEFT, PANELS_RIGHT = 0.2, 0.86


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
        ``capacity_pph``, ``min_cut`` (counts), ``status``, ``kinds`` (exit name -> refuge or
        waypoint) and ``events`` (one list of
        ``{date, actor, what, evidence}`` per date; ``evidence``: "(conf 0.7, S12)").
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
        "kinds": {x.name: k for r in reports for x, k in zip(r.exits, r.exit_kinds, strict=True)},
        "events": [
            [
                {
                    "date": e.date.isoformat(),
                    "actor": e.actor or "",
                    "what": e.what or "",
                    "evidence": evidence_text(e.confidence, e.sources),
                }
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


def _zone_changes(scenario: Scenario, days: list[dt.date]) -> list[list[dict[str, str]]]:
    """Per date after the first, the zones that begin or end on it, as events (their changes
    move capacity as events do); the zones held on the first date are the starting state."""
    out: list[list[dict[str, str]]] = []
    for i, day in enumerate(days):
        evs: list[dict[str, str]] = []
        if i == 0:
            out.append(evs)
            continue
        for z in scenario.zone_changes(day):  # zone, actor, side, confidence and source
            ev = {"date": day.isoformat(), "actor": "", "what": z.what()}
            evs.append({**ev, "evidence": evidence_text(z.zone.confidence, z.zone.sources)})
        out.append(evs)
    return out


def chart_events(
    series: dict[str, Any], scenario: Scenario, days: list[dt.date]
) -> list[list[dict[str, str]]]:
    """The events of each date, then the zones that begin or end on it (each once)."""
    zones = _zone_changes(scenario, days)
    return [
        [*evs, *[z for z in zs if z not in evs]]
        for evs, zs in zip(series["events"], zones, strict=False)
    ]


def _event_text(e: dict[str, str]) -> str:
    text = (f"{e['actor']}: " if e["actor"] else "") + (e["what"] or "(no description)")
    return text + e.get("evidence", "")


def _number_levels(xs: list[float], min_gap: float) -> list[int]:
    """A row for each number so that numbers closer than ``min_gap`` never share a row."""
    last: list[float] = []
    levels = []
    for x in xs:
        for k, at in enumerate(last):
            if x - at >= min_gap:
                last[k] = x
                levels.append(k)
                break
        else:
            last.append(x)
            levels.append(len(last) - 1)
    return levels


def _label_events(
    axes: list[Any], days: list[dt.date], events: list[list[dict[str, str]]]
) -> list[tuple[int, dt.date, list[dict[str, str]]]]:
    """A dotted line per event date on every panel, its number above the bands.

    Returns the numbered dates and their events, for the list below the chart.
    """
    import matplotlib.dates as mdates

    ax = axes[0]
    numbered = [(day, evs) for day, evs in zip(days, events, strict=False) if evs]
    xs = [float(mdates.date2num(day)) for day, _ in numbered]
    lo, hi = ax.get_xlim()
    width_px = ax.get_window_extent().width or 1.0
    levels = _number_levels(xs, 18 * (hi - lo) / width_px)  # 18 px: two digits and a gap
    for x in xs:
        for a in axes:
            a.axvline(x, color="#555555", linestyle=":", linewidth=1, zorder=0)
    for i, (x, level) in enumerate(zip(xs, levels, strict=True)):
        ax.annotate(
            str(i + 1),
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3 + 11 * level),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            fontweight="bold",
            color="#222222",
            gid=f"event-number:{i + 1}",
        )
    return [(i + 1, day, evs) for i, (day, evs) in enumerate(numbered)]


def _event_lines(
    numbered: list[tuple[int, dt.date, list[dict[str, str]]]], width: int
) -> list[list[str]]:
    """The lines of each numbered date: number, date, then each event wrapped to ``width``."""
    groups = []
    for n, day, evs in numbered:
        lines: list[str] = []
        for j, e in enumerate(evs):
            head = f"{n:>2}  {day.isoformat()}  " if j == 0 else " " * 16
            wrapped = textwrap.wrap(_event_text(e), width=width) or [""]
            lines.append(head + wrapped[0])
            lines += [" " * 16 + w for w in wrapped[1:]]
        groups.append(lines)
    return groups


def _event_list(fig: Any, numbered: list[tuple[int, dt.date, list[dict[str, str]]]]) -> None:
    """The numbered events below the chart, in full, in two or three columns; a date's events
    stay in one column."""
    if not numbered:
        return
    line_h = 0.0135  # figure fraction per line at 7.5 pt on a 9 in figure
    rows = int((LIST_TOP - 0.01) / line_h)
    ncols, width, size = 2, 72, 7.5
    groups = _event_lines(numbered, width)
    if sum(map(len, groups)) > 2 * rows - 2:
        ncols, width, size = 3, 56, 6.5
        groups = _event_lines(numbered, width)
        rows = int((LIST_TOP - 0.01) / (line_h * size / 7.5))
    columns: list[list[str]] = [[]]
    target = max(-(-sum(map(len, groups)) // ncols), max(map(len, groups)))
    hidden = 0
    for g in groups:
        if columns[-1] and len(columns[-1]) + len(g) > target and len(columns) < ncols:
            columns.append([])
        if len(columns[-1]) + len(g) > rows:
            hidden += 1
            continue
        columns[-1] += g
    if hidden:
        columns[-1][-1:] = ["    … and more: see corridor timeline"]
    col_w = (0.98 - 0.02) / ncols
    fig.text(0.02, LIST_TOP + 0.012, "events", fontsize=9, fontweight="bold", color="#222222")
    for c, chunk in enumerate(columns):
        fig.text(
            0.02 + c * col_w,
            LIST_TOP,
            "\n".join(chunk),
            va="top",
            ha="left",
            fontsize=size,
            family="monospace",
            color="#222222",
            gid=f"event-list:{c}",
        )


def _merge_runs(x: list[float], vals: list[bool]) -> list[tuple[float, float, bool]]:
    """Consecutive dates with the same state as one span: (start, width, state)."""
    runs: list[tuple[float, float, bool]] = []
    for i, v in enumerate(vals):
        if runs and runs[-1][2] == v:
            runs[-1] = (runs[-1][0], x[i + 1] - runs[-1][0], v)
        else:
            runs.append((x[i], x[i + 1] - x[i], v))
    return runs


def _bands(
    ax: Any,
    days: list[dt.date],
    end: dt.date,
    exits: dict[str, list[bool]],
    y0: float,
    height: float,
    *,
    gid: str,
) -> list[float]:
    """One band per exit: a bar per date (no edges: no seam looks like a closure), the
    sealed stretches hatched on top; returns the bands' centres."""
    import matplotlib.dates as mdates

    x = [mdates.date2num(d) for d in [*days, end]]
    ys = []
    for k, (name, vals) in enumerate(exits.items()):
        y = y0 - k
        spans = [(x[i], x[i + 1] - x[i]) for i in range(len(vals))]
        colours = [OPEN_COLOUR if v else SEALED_COLOUR for v in vals]
        coll = ax.broken_barh(
            spans,
            (y - height / 2, height),
            facecolors=colours,
            edgecolors="none",
            linewidth=0,
            antialiased=False,
        )
        coll.set_gid(f"{gid}:{name}")
        sealed = [(a, w) for a, w, v in _merge_runs(x, vals) if not v]
        if sealed:
            hatch = ax.broken_barh(
                sealed,
                (y - height / 2, height),
                facecolors="none",
                edgecolors="white",
                linewidth=0,
                hatch=SEALED_HATCH,
            )
            hatch.set_gid(f"{gid}-sealed:{name}")
        ys.append(y)
    return ys


def _band_key(ax: Any) -> None:
    """The bands' legend, outside the panel on the right."""
    ax.legend(
        handles=_key_handles(),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=9,
        frameon=False,
        title="exit",
        title_fontsize=9,
    )


def _step(ax: Any, days: list[dt.date], end: dt.date, values: list[int], **kw: Any) -> Any:
    import matplotlib.dates as mdates

    x = [mdates.date2num(d) for d in [*days, end]]
    (line,) = ax.step(x, [*values, values[-1]], where="post", linewidth=2, **kw)
    return line


def _finish_axes(axes: list[Any], days: list[dt.date], end: dt.date) -> None:
    import matplotlib.dates as mdates
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    loc = mdates.AutoDateLocator(minticks=5, maxticks=14)
    axes[-1].xaxis.set_major_locator(loc)
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    axes[-1].set_xlim(mdates.date2num(days[0]), mdates.date2num(end))
    axes[2].yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True, min_n_ticks=2))
    axes[1].yaxis.set_major_locator(MaxNLocator(nbins=4))
    axes[1].yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    for a in axes[1:]:
        a.grid(True, axis="y", color="#dddddd")
        a.set_ylim(bottom=0)
        a.margins(y=0.15)
        a.set_ylim(bottom=0)


def _new_figure(n_exit_rows: int, *, samples: bool = False) -> tuple[Any, list[Any]]:
    """Three panels (exits, capacity, minimum cut); with ``samples``, five, on a taller
    figure (:data:`FIGSIZE_SAMPLES_IN`): exits, probabilities, capacity, minimum cut and
    evacuation hours."""
    plt = _pyplot()
    ratios = [max(1.2, 0.45 * n_exit_rows), 1.1, 0.9]
    if samples:
        ratios = [ratios[0], 1.3, 1.1, 0.9, 0.9]
    fig, axes = plt.subplots(
        len(ratios),
        1,
        figsize=FIGSIZE_SAMPLES_IN if samples else FIGSIZE_IN,
        dpi=DPI,
        sharex=True,
        gridspec_kw={"height_ratios": ratios},
    )
    fig.subplots_adjust(
        left=PANELS_LEFT, right=PANELS_RIGHT, top=PANELS_TOP, bottom=PANELS_BOTTOM, hspace=0.25
    )
    return fig, list(axes)


def _exit_label(name: str, kind: str | None = None) -> str:
    """ "to Tal Afar (waypoint)": a waypoint says so; a refuge, the default, does not."""
    label = f"to {name}" + (" (waypoint)" if kind == "waypoint" else "")
    return "\n".join(textwrap.wrap(label, width=28))


def _plan_name(scenario: Scenario, plan: str | None) -> str:
    if plan is None:
        return "what happened"
    p = scenario.plans.get(plan)
    return f"{plan} ({p.title})" if p is not None and p.title and p.title != plan else plan


def _title(fig: Any, text: str) -> None:
    fig.suptitle(
        "\n".join(textwrap.wrap(text, width=110)),
        x=0.02,
        y=0.985,
        ha="left",
        va="top",
        fontsize=13,
        fontweight="bold",
    )


def timeline_figure(
    scenario: Scenario,
    reports: list[CorridorReport],
    *,
    plan: str | None = None,
    samples: Sequence[SampleSummary] | None = None,
) -> Figure:
    """The timeline chart as a matplotlib figure (see the module's docstring).

    With ``samples`` (one summary over samples per report, in order), the probability bands
    too: a panel of P(origin open) and P(reachable) per exit, and the 10–90 % bands and
    medians of capacity, minimum cut and evacuation hours (:func:`sample_series`).
    """
    if not reports:
        msg = "no report to chart"
        raise ValueError(msg)
    series = timeline_series(reports)
    days, end = _dates(series, scenario)
    fig, panels = _new_figure(len(series["exits"]), samples=samples is not None)
    # exits, capacity, minimum cut (then, with samples: probabilities and hours)
    axes = panels if samples is None else [panels[0], panels[2], panels[3], panels[1], panels[4]]
    ys = _bands(axes[0], days, end, series["exits"], 0, 0.7, gid="exit")
    kinds = series.get("kinds", {})
    axes[0].set_yticks(ys, [_exit_label(n, kinds.get(n)) for n in series["exits"]], fontsize=9)
    axes[0].set_ylim(-len(ys) + 0.4, 0.6)
    _band_key(axes[0])
    line = _step(axes[1], days, end, series["capacity_pph"], color=OKABE_ITO["blue"])
    line.set_gid("capacity_pph")
    axes[1].set_ylabel("capacity\n(persons/hour)")
    line = _step(axes[2], days, end, series["min_cut"], color=OKABE_ITO["reddish purple"])
    line.set_gid("min_cut")
    axes[2].set_ylabel("minimum cut\n(segments)")
    if samples is not None:
        _probability_bands(axes, days, end, reports, samples)
    _finish_axes(axes, days, end)
    if samples is not None:
        _finish_probability_axis(axes[3])
    numbered = _label_events(axes, days, chart_events(series, scenario, days))
    _event_list(fig, numbered)
    title = f"{scenario.title or scenario.name}: mover {reports[0].mover}"
    if plan:
        title += f", plan {_plan_name(scenario, plan)}"
    if samples:
        s0 = samples[0]
        title += (
            ", every subset of the uncertain events"
            if s0.exact
            else f", {s0.n:,} samples (seed {s0.seed})"
        )
    _title(fig, title)
    return fig


# ---------------------------------------------------------------------------------------------
# probability bands (timeline --samples N --chart)


def sample_series(summaries: Sequence[SampleSummary]) -> dict[str, Any]:
    """The numbers the probability bands plot, read from each summary's JSON
    (:func:`corridor.outputs.samples.samples_json`): ``dates``, ``p_open``, ``p_reachable``
    (exit name -> list), and ``capacity_pph``, ``min_cut_count``, ``evacuation_hours`` (each
    ``{p10, p50, p90}`` -> list; None where a quantile is a sealed origin's "never")."""
    from corridor.outputs.samples import samples_json

    data = [samples_json(s) for s in summaries]
    exits: dict[str, list[float]] = {}
    for d in data:
        for x in d["exits"]:
            exits.setdefault(x["name"], [])
    for d in data:
        p = {x["name"]: x["p_reachable"] for x in d["exits"]}
        for name, vals in exits.items():
            vals.append(p.get(name, 0.0))
    keys = ("capacity_pph", "min_cut_count", "evacuation_hours")
    return {
        "dates": [s.date for s in summaries],
        "p_open": [d["p_open"] for d in data],
        "p_reachable": exits,
        **{k: {q: [d[k][q] for d in data] for q in ("p10", "p50", "p90")} for k in keys},  # type: ignore[literal-required]
    }


def _extend(values: list[float | None]) -> list[float]:
    """Step values with the last repeated (up to the end date); None (never) as NaN: a gap."""
    out = [float("nan") if v is None else float(v) for v in values]
    return [*out, out[-1]]


def _quantile_band(
    ax: Any, days: list[dt.date], end: dt.date, q: dict[str, list[Any]], *, colour: str, gid: str
) -> None:
    """The 10–90 % band (filled) and the median (dashed) of one number over the samples; where
    the 90 % quantile is "never" (None), the band runs to the panel's top."""
    import matplotlib.dates as mdates
    import numpy as np

    x = [mdates.date2num(d) for d in [*days, end]]
    lo, hi = np.array(_extend(q["p10"])), np.array(_extend(q["p90"]))
    # a 90 % quantile that is "never" (a sealed origin's hours): the band runs to the top
    mid = np.array(_extend(q["p50"]))
    drawn = [ax.dataLim.y1] if np.isfinite(ax.dataLim.y1) else []
    finite = np.concatenate([v[np.isfinite(v)] for v in (lo, hi, mid, np.array(drawn))])
    hi[np.isfinite(lo) & ~np.isfinite(hi)] = 1.25 * finite.max() if len(finite) else 1.0
    band = ax.fill_between(
        x,
        lo,
        hi,
        step="post",
        color=colour,
        alpha=0.22,
        linewidth=0,
        label="10–90 % of samples",
    )
    band.set_gid(f"{gid}-band")
    (line,) = ax.step(
        x,
        mid,
        where="post",
        color=colour,
        linestyle="--",
        linewidth=1.4,
        label="median of samples",
    )
    line.set_gid(f"{gid}-p50")


def _probability_bands(
    axes: list[Any],
    days: list[dt.date],
    end: dt.date,
    reports: list[CorridorReport],
    summaries: Sequence[SampleSummary],
) -> None:
    """Probabilities on ``axes[3]``, the quantile bands on capacity (``axes[1]``), minimum cut
    (``axes[2]``) and evacuation hours (``axes[4]``, beside the reported hours)."""
    if len(summaries) != len(reports):
        msg = f"{len(summaries)} summaries over samples for {len(reports)} reports"
        raise ValueError(msg)
    ss = sample_series(summaries)
    _quantile_band(
        axes[1], days, end, ss["capacity_pph"], colour=OKABE_ITO["blue"], gid="capacity_pph"
    )
    _quantile_band(
        axes[2], days, end, ss["min_cut_count"], colour=OKABE_ITO["reddish purple"], gid="min_cut"
    )
    hours: list[float | None] = [r.evacuation.hours for r in reports]
    import matplotlib.dates as mdates

    x = [mdates.date2num(d) for d in [*days, end]]
    (line,) = axes[4].step(
        x, _extend(hours), where="post", linewidth=2, color=OKABE_ITO["orange"], label="as reported"
    )
    line.set_gid("evacuation_hours")
    _quantile_band(
        axes[4],
        days,
        end,
        ss["evacuation_hours"],
        colour=OKABE_ITO["orange"],
        gid="evacuation_hours",
    )
    axes[4].set_ylabel("evacuation\n(hours)")
    (line,) = axes[3].step(
        x,
        _extend(ss["p_open"]),
        where="post",
        color="#222222",
        linewidth=2.6,
        label="origin open",
    )
    line.set_gid("p_open")
    palette = [
        OKABE_ITO[k]
        for k in ("bluish green", "vermillion", "sky blue", "orange", "reddish purple", "blue")
    ]
    styles = ("-", "--", "-.", ":")
    for k, (name, vals) in enumerate(ss["p_reachable"].items()):
        (line,) = axes[3].step(
            x,
            _extend(vals),
            where="post",
            color=palette[k % len(palette)],
            linestyle=styles[k % len(styles)],
            linewidth=1.6,
            label="\n".join(textwrap.wrap(f"{name} reachable", width=26)),
        )
        line.set_gid(f"p_reachable:{name}")
    axes[3].set_ylabel("probability\n(of samples)")
    # one key for the three panels of numbers (each in its own colour), one for probabilities
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    grey = "#555555"
    axes[1].legend(
        handles=[
            Line2D([], [], color=grey, linewidth=2, label="as reported"),
            Line2D([], [], color=grey, linewidth=1.4, linestyle="--", label="median of samples"),
            Patch(facecolor=grey, alpha=0.22, label="10–90 % of samples"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
    )
    axes[3].legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.08),
        fontsize=7.5,
        frameon=False,
        labelspacing=0.3,
        title="probability",
        title_fontsize=8,
    )


def _finish_probability_axis(ax: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.set_ylim(-0.04, 1.04)
    ax.set_yticks([0, 0.5, 1])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))


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
    yt, yl, yr, yrl = [], [], [], []
    for k, name in enumerate(exit_names):
        rows = []
        for j, (s, ds, label) in enumerate(((sa, days, names[0]), (sb, days_b, names[1]))):
            if name not in s["exits"]:
                continue
            y = -2 * k - 0.8 * j
            _bands(axes[0], ds, end, {name: s["exits"][name]}, y, 0.6, gid=f"exit[{j}]")
            rows.append(y)
            yr.append(y)
            yrl.append(label)
        if rows:
            yt.append(sum(rows) / len(rows))
            yl.append(_exit_label(name))
    axes[0].set_yticks(yt, yl, fontsize=9)
    axes[0].set_ylim(min(yr) - 0.6, 0.6)
    right = axes[0].twinx()
    right.set_ylim(axes[0].get_ylim())
    right.set_yticks(yr, yrl, fontsize=8.5)
    right.tick_params(axis="y", length=0)
    for sp in right.spines.values():
        sp.set_visible(False)
    for j, (s, ds) in enumerate(((sa, days), (sb, days_b))):
        style = PLAN_STYLES[j]
        line = _step(axes[1], ds, end, s["capacity_pph"], label=names[j], **style)
        line.set_gid(f"capacity_pph[{j}]")
        line = _step(axes[2], ds, end, s["min_cut"], label=names[j], **style)
        line.set_gid(f"min_cut[{j}]")
    axes[1].set_ylabel("capacity\n(persons/hour)")
    axes[2].set_ylabel("minimum cut\n(segments)")
    axes[1].legend(
        loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False, title="plan"
    )
    _finish_axes(axes, days, end)
    fig.legend(
        handles=_key_handles(),
        loc="lower left",
        bbox_to_anchor=(PANELS_RIGHT + 0.01, PANELS_BOTTOM),
        fontsize=9,
        frameon=False,
        title="exit",
        title_fontsize=9,
    )
    merged = [
        [*a, *[e for e in b if e not in a]]
        for a, b in zip(sa["events"], sb["events"], strict=False)
    ]
    ds = days[: len(merged)]
    numbered = _label_events(axes, ds, chart_events({"events": merged}, scenario, ds))
    _event_list(fig, numbered)
    _title(
        fig,
        f"{scenario.title or scenario.name}: {_plan_name(scenario, plans[0])} against "
        f"{_plan_name(scenario, plans[1])} (mover {reports_a[0].mover})",
    )
    return fig


def _key_handles() -> list[Any]:
    from matplotlib.patches import Patch

    return [
        Patch(facecolor=OPEN_COLOUR, label="reachable (open)"),
        Patch(facecolor=SEALED_COLOUR, hatch=SEALED_HATCH, edgecolor="white", label="sealed"),
    ]


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
    samples: Sequence[SampleSummary] | None = None,
) -> Path:
    """Write the timeline chart of ``reports`` (with ``samples``: and its probability bands)
    to ``path`` (.png or .svg); return the path."""
    check_chart_path(path)
    save_figure(timeline_figure(scenario, reports, plan=plan, samples=samples), path)
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


# ---------------------------------------------------------------------------------------------
# the evacuation over time (analyze --at DATE --chart)


def gate_spans(
    scenario: Scenario, report: CorridorReport
) -> list[tuple[str, list[tuple[dt.datetime, dt.datetime]]]]:
    """Each gate of ``report``'s evacuation over time (its windows and checkpoints), with the
    spans it lets people in between the start and the end of the chart: a window's daily hours
    on the days of [date, until], a checkpoint's hours on the days it exists. One label per
    gate ("window R6 09:00-14:00"), in the report's order.

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> from corridor.analysis.replay import report_at
    >>> sc, nets = bundled("khazir-2017")
    >>> r = report_at(sc, nets, None)
    >>> [(label, len(spans) > 3) for label, spans in gate_spans(sc, r)]
    [('window R6 09:00-14:00', True), ('checkpoint Khazir 08:00-18:00, 1,200 persons/h', True)]
    """
    from corridor.model.scenario import hours_text

    t = report.timed
    if t is None:
        return []
    end = t.start + dt.timedelta(seconds=_chart_seconds(t))
    days = [t.start.date() + dt.timedelta(days=d) for d in range((end - t.start).days + 2)]
    from corridor.model.timeline import timeline_events

    windows = {e.id: e for e in timeline_events(scenario, report.plan) if e.kind == "window"}
    posts = {c.id: c for c in scenario.checkpoints}
    out = []
    for g in t.gates:
        spans: list[tuple[dt.datetime, dt.datetime]] = []
        for day in days:
            if g.kind == "window" and g.id in windows:
                minutes = windows[g.id].window_minutes(day)
            elif g.kind == "checkpoint" and g.id in posts:
                minutes = posts[g.id].open_minutes(day)
            else:
                minutes = ()
            midnight = dt.datetime.combine(day, dt.time())
            for a, b in minutes:
                pieces = [(a, b)] if b > a else [(a, 1440), (0, b)]
                for p, q in pieces:
                    lo = midnight + dt.timedelta(minutes=p)
                    hi = midnight + dt.timedelta(minutes=q)
                    if hi > t.start and lo < end:
                        spans.append((max(lo, t.start), min(hi, end)))
        label = f"{g.kind} {g.name}"
        if g.hours is not None:
            label += f" {hours_text(g.hours)}"
        if g.rate_pph is not None:
            label += f", {g.rate_pph:,.0f} persons/h"
        out.append((label, spans))
    return out


def _chart_seconds(t: Any) -> float:
    """How long the chart runs: to the finish and a sixth more (at least a day), or to the
    horizon when not everyone is out."""
    if t.finish is None:
        return float(t.horizon_s)
    took = (t.finish - t.start).total_seconds()
    return float(min(t.horizon_s, max(86400.0, took * 7 / 6)))


def timed_figure(scenario: Scenario, report: CorridorReport) -> Figure:
    """People out over time (``report.timed``'s hourly profile) as a step line against the
    population, the finish marked, and under it one row per window and checkpoint with its open
    hours shaded."""
    t = report.timed
    if t is None:
        msg = "no evacuation over time to chart"
        raise ValueError(msg)
    plt = _pyplot()
    spans = gate_spans(scenario, report)
    rows = max(1, len(spans))
    fig, (ax, gates) = plt.subplots(
        2,
        1,
        figsize=(FIGSIZE_IN[0], 6.0 + 0.4 * rows),
        sharex=True,
        gridspec_kw={"height_ratios": [4, max(0.6, 0.45 * rows)]},
    )
    end = t.start + dt.timedelta(seconds=_chart_seconds(t))
    xs = [t.start] + [t.start + dt.timedelta(seconds=s) for s, _ in t.profile]
    ys = [0] + [n for _, n in t.profile]
    line = ax.step(xs, ys, where="post", color=OKABE_ITO["blue"], linewidth=2)[0]
    line.set_gid("persons_out")
    ax.axhline(t.population, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1)
    ax.annotate(
        f"population {t.population:,}",
        (t.start, t.population),
        xytext=(4, 4),
        textcoords="offset points",
        fontsize=9,
        color=OKABE_ITO["vermillion"],
    )
    if t.finish is not None:
        ax.axvline(t.finish, color="0.3", linewidth=1)
        ax.annotate(
            f"last out {t.finish:%d %b %H:%M}" + ("" if t.exact else " (feasible, not proved)"),
            (t.finish, 0),
            xytext=(-4, 4),
            textcoords="offset points",
            ha="right",
            fontsize=9,
        )
    ax.set_ylabel("persons out")
    ax.set_ylim(0, t.population * 1.08)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="y", color="0.9")
    from matplotlib.dates import date2num

    for i, (_label, pieces) in enumerate(spans):
        bars = [(date2num(lo), date2num(hi) - date2num(lo)) for lo, hi in pieces]
        gates.broken_barh(
            bars, (-i - 0.35, 0.7), facecolors=OKABE_ITO["bluish green"], gid=f"gate-{i}"
        )
    gates.set_yticks([-i for i in range(len(spans))], [s[0] for s in spans], fontsize=9)
    gates.set_ylim(-rows + 0.4, 0.6)
    gates.set_xlim(t.start, end)
    fig.autofmt_xdate()
    widest = max([len(label) for label, _ in spans] or [10])
    fig.subplots_adjust(left=min(0.4, 0.03 + 0.0045 * widest), right=0.98, bottom=0.14, top=0.88)
    bottleneck = t.bottleneck.name if t.bottleneck is not None else "the roads' capacity"
    title = (
        f"{scenario.title or scenario.name}: the evacuation over time from "
        f"{t.start:%d %b %Y %H:%M}, mover {report.mover}; {bottleneck} decides it"
    )
    _title(fig, title)
    return fig


def write_timed_chart(scenario: Scenario, report: CorridorReport, path: Path) -> Path:
    """Write :func:`timed_figure` to ``path`` (.png or .svg); return the path."""
    check_chart_path(path)
    save_figure(timed_figure(scenario, report), path)
    return path
