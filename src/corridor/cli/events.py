"""``corridor import acled``, ``corridor events review`` and ``corridor events accept``: from
reports to reviewed, sourced scenario events."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corridor.cli.common import (
    JsonOpt,
    MoverOpt,
    VerboseOpt,
    console,
    err_console,
    handle_errors,
    parse_date,
    resolve_scenario,
    scenario_networks,
)

if TYPE_CHECKING:
    from corridor.analysis.report import CorridorReport
    from corridor.io.review import Candidate
    from corridor.model.scenario import Scenario

import_app = typer.Typer(
    help="Turn outside data into candidate events to review.", no_args_is_help=True
)
group = typer.Typer(
    help="Review candidate events and accept them into a scenario.", no_args_is_help=True
)

ScenarioOpt = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        "-s",
        help="A scenario YAML file, or the name of a bundled scenario. Default: mosul-2016.",
        show_default=False,
    ),
]

ReviewArg = Annotated[
    Path, typer.Argument(help="A review file (written by corridor import acled -o ...).")
]


@import_app.command("acled")
@handle_errors
def import_acled(
    file: Annotated[Path, typer.Argument(help="An ACLED export (CSV).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The review file to write (YAML; - prints it).")
    ],
    scenario: ScenarioOpt = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="First date kept (default: the scenario's start).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last date kept (default: the scenario's end).")
    ] = None,
    radius_km: Annotated[
        float | None,
        typer.Option(
            "--radius-km",
            min=0,
            help="Keep rows within this distance of a scenario place (default: rows inside the "
            "scenario network's bounds).",
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Candidate events from an ACLED export, for the rows in the scenario's area and window."""
    from corridor.cli.common import check_outputs, write_text_output
    from corridor.io.acled import acled_review, read_acled
    from corridor.io.scenario import load_scenario

    sc = load_scenario(resolve_scenario(scenario))
    start, end = parse_date(from_, "--from"), parse_date(to, "--to")
    check_outputs(sc, {"-o": output})
    rows = read_acled(file)
    bounds = None
    if radius_km is None:
        bounds = scenario_networks(sc)(sc.mover_profile().base).bounds
    review = acled_review(
        rows,
        sc,
        bounds=bounds,
        start=start,
        end=end,
        radius_km=radius_km,
        origin=f"ACLED export {file.name}",
    )
    write_text_output(output, review.to_yaml())
    kinds: dict[str, int] = {}
    for c in review.candidates:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    dups = sum(1 for c in review.candidates if c.duplicate_of)
    said = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
    unmatched = ", ".join(review.unmatched_actors) or "none"
    err_console().print(
        f"{len(rows)} rows read, {len(review.candidates)} in the scenario's area and window "
        f"({said}; {dups} duplicate{'s' if dups != 1 else ''}); actors matching no scenario "
        f"actor: {unmatched}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


extract_app = typer.Typer()


@extract_app.command("extract")
@handle_errors
def extract(
    file: Annotated[Path, typer.Argument(help="A news article as plain text (UTF-8).")],
    published: Annotated[
        str, typer.Option("--published", help="The article's publication date (YYYY-MM-DD).")
    ],
    scenario: ScenarioOpt = None,
    url: Annotated[str, typer.Option("--url", help="The article's URL.")] = "",
    outlet: Annotated[str, typer.Option("--outlet", help="Who published it.")] = "",
    json_: JsonOpt = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the candidates as a review file."),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Candidate events in a news article: sentences reporting (or announcing) a road cut,
    closed or reopened, ground taken, people displaced, with the scenario's names resolved."""
    import json

    from corridor.cli.common import check_outputs, write_text_output
    from corridor.errors import InputFileError
    from corridor.io.files import safe_stem
    from corridor.io.news import NewsSource, extract, news_review
    from corridor.io.scenario import load_scenario

    sc = load_scenario(resolve_scenario(scenario))
    day = parse_date(published, "--published")
    assert day is not None
    if output is not None:
        check_outputs(sc, {"-o": output})
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{file}: no such article; check the path"
        raise InputFileError(msg) from None
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{file}: cannot read it as UTF-8 text ({exc})"
        raise InputFileError(msg) from None
    network = scenario_networks(sc)(sc.mover_profile().base)
    source = NewsSource(published=day, outlet=outlet, url=url)
    cands = extract(text, sc, source, network=network, prefix=f"news-{safe_stem(file.stem)}")
    if output is not None:
        write_text_output(output, news_review(cands, sc, f"article {file.name}").to_yaml())
    if json_:
        keys = ["kind", "date", "date_uncertainty_days", "actor", "target", "quote"]
        keys += ["confidence", "source", "rule", "unresolved"]
        rows = []
        for c in cands:
            d = c.to_dict()
            row = {k: d[k] for k in keys}
            row["date"] = c.date.isoformat()
            row["source"] = {k: str(v) for k, v in c.source.items()}
            row["id"], row["offsets"] = c.id, c.extra.get("offsets")
            rows.append(row)
        print(json.dumps({"candidates": rows}, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{len(cands)} candidates in {file.name} ({outlet or 'news'}, {day})")
    for col in ("id", "kind", "date", "actor", "target", "conf.", "rule"):
        table.add_column(col)
    table.add_column("quote; unresolved", ratio=1)
    for c in cands:
        date = c.date.isoformat() + (
            f" ±{c.date_uncertainty_days}d" if c.date_uncertainty_days else ""
        )
        target = ", ".join(f"{k}: {v}" for k, v in c.target.items()) or "?"
        note = f'"{c.quote}"' + ("; " + "; ".join(c.unresolved) if c.unresolved else "")
        conf = f"{c.confidence:.2f}"
        table.add_row(c.id, c.kind, date, c.actor or "?", target, conf, c.rule, note)
    console().print(table)


def _impact(
    sc: Scenario, networks: Any, c: Candidate, mover: str | None
) -> tuple[CorridorReport, CorridorReport] | None:
    """The reports at the candidate's date without it and with it (None if it cannot apply)."""
    import dataclasses

    import shapely

    from corridor.analysis.replay import report_at
    from corridor.model.areas import Area
    from corridor.model.scenario import Event
    from corridor.model.situation import Closure

    if c.problem():
        return None
    day = c.date
    if (sc.start and day < sc.start) or (sc.end and day > sc.end):
        return None
    before = report_at(sc, networks, day, mover=mover)
    t = c.target
    if c.kind == "close":
        if "point" in t and "radius_m" in t:
            area = Area(c.id, point=tuple(t["point"]), radius_m=float(t["radius_m"]))
        elif t.get("place") in sc.places:
            area = sc.places[t["place"]].area
        elif "polygon" in t:
            area = Area(c.id, polygon=shapely.Polygon(t["polygon"]))
        else:
            return None
        closure = Closure(area=area, label=f"candidate {c.id}")
        return before, report_at(sc, networks, day, mover=mover, what_if=[closure])
    if c.kind == "zone":
        if t.get("place") in sc.places:
            geom = sc.places[t["place"]].area.geometry()
        elif "polygon" in t:
            geom = shapely.Polygon(t["polygon"])
        else:
            return None
        event = Event(
            id=c.id, date=day, kind="zone", actor=c.actor, zone=geom, confidence=c.confidence
        )
    else:
        event = Event(id=c.id, date=day, kind="population", place=t["place"], value=c.value)
    with_it = dataclasses.replace(sc, events=(*sc.events, event))
    return before, report_at(with_it, networks, day, mover=mover)


def _summary(r: CorridorReport) -> dict[str, Any]:
    reach = r.reach
    return {
        "status": reach.status,
        "exits_reachable": sum(1 for e in reach.exits if e.reachable),
        "exits": len(reach.exits),
        "capacity_pph": int(r.flow.value_pph),
    }


@group.command("review")
@handle_errors
def review(
    file: ReviewArg,
    scenario: ScenarioOpt = None,
    mover: MoverOpt = None,
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """The candidates, each with its quote and what it would change at its date: status, exits
    reachable and capacity without it and with it."""
    import json

    from rich.table import Table

    from corridor.io.review import read_review
    from corridor.io.scenario import load_scenario

    rv = read_review(file)
    sc = load_scenario(resolve_scenario(scenario or rv.scenario or None))
    sc.mover_profile(mover)
    networks = scenario_networks(sc)
    rows: list[dict[str, Any]] = []
    for c in rv.candidates:
        pair = _impact(sc, networks, c, mover)
        row: dict[str, Any] = {
            "id": c.id,
            "accept": c.accept,
            "kind": c.kind,
            "date": c.date.isoformat(),
            "date_uncertainty_days": c.date_uncertainty_days,
            "actor": c.actor,
            "confidence": c.confidence,
            "quote": c.quote,
            "source": {k: str(v) for k, v in c.source.items()},
            "not_applied": c.problem() or None,
            "unresolved": c.unresolved,
        }
        if pair is not None:
            row["without"], row["with"] = _summary(pair[0]), _summary(pair[1])
        rows.append(row)
    if json_:
        print(json.dumps({"candidates": rows}, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} candidates from {rv.origin or file.name} for {sc.name}")
    for col in ("id", "kind", "date", "actor", "conf.", "status", "exits", "capacity p/h"):
        table.add_column(col, no_wrap=col in ("id", "date"))
    table.add_column("quote and source", ratio=1)
    for r in rows:
        date = r["date"] + (
            f" ±{r['date_uncertainty_days']}d" if r["date_uncertainty_days"] else ""
        )
        if "with" in r:
            a, b = r["without"], r["with"]
            status = f"{a['status']} → {b['status']}"
            exits = f"{a['exits_reachable']}/{a['exits']} → {b['exits_reachable']}/{b['exits']}"
            cap = f"{a['capacity_pph']:,} → {b['capacity_pph']:,}"
        else:
            status, exits, cap = f"not applied: {r['not_applied'] or 'outside the window'}", "", ""
        src = r["source"].get("outlet", "")
        quote = (r["quote"][:300] + "…") if len(r["quote"]) > 300 else r["quote"]
        mark = "✓ " if r["accept"] else ""
        table.add_row(
            mark + r["id"],
            r["kind"],
            date,
            r["actor"] or "?",
            f"{r['confidence']:.2f}",
            status,
            exits,
            cap,
            f'"{quote}" — {src}' if quote else src,
        )
    console().print(table)
    if rv.unmatched_actors:
        console().print(
            "actors matching no scenario actor: " + ", ".join(rv.unmatched_actors),
            markup=False,
            highlight=False,
        )


@group.command("accept")
@handle_errors
def accept(
    file: ReviewArg,
    scenario: Annotated[
        Path,
        typer.Option("--scenario", "-s", help="The scenario file to write the events into."),
    ],
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Accept these candidate ids (repeat --only, or separate ids with commas; "
            "default: those marked accept: true).",
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Write the accepted candidates into the scenario as events, with their sources; the file
    keeps its comments and layout, is checked before it is replaced, and the old one is kept as
    NAME.bak."""
    from corridor.io.accept import accept_candidates
    from corridor.io.review import ReviewError, read_review
    from corridor.io.scenario import load_scenario

    rv = read_review(file)
    sc = load_scenario(scenario)
    by_id = {c.id: c for c in rv.candidates}
    only = [i.strip() for item in only or () for i in item.split(",") if i.strip()]
    if only:
        unknown = [i for i in only if i not in by_id]
        if unknown:
            msg = f"--only {unknown[0]}: no such candidate in {file}"
            raise ReviewError(msg)
        chosen = [by_id[i] for i in dict.fromkeys(only)]
    else:
        chosen = [c for c in rv.candidates if c.accept]
    if not chosen:
        msg = f"{file}: no candidate is accepted; set `accept: true` on some, or give --only ID"
        raise ReviewError(msg)
    done = accept_candidates(chosen, sc, scenario)
    for a in done:
        err_console().print(
            f"{a.candidate} → event {a.event} (source {a.source})", markup=False, highlight=False
        )
    err_console().print(
        f"{len(done)} event{'s' if len(done) != 1 else ''} written to {scenario} "
        f"(the old file is {scenario.name}.bak)",
        markup=False,
        highlight=False,
    )
