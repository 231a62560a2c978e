"""The analysis routes: the served scenarios, reports, the map's view, quick what-ifs and the
mover's roads (docs/serve.md, "Reading"). Thin: a route asks the workbench
(:mod:`corridor.serve.sessions`) for the prepared situation and returns what
:mod:`corridor.outputs` makes of it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from corridor.errors import ScenarioError
from corridor.model.areas import Area
from corridor.model.situation import Closure
from corridor.model.timeline import change_dates, first_date
from corridor.serve.deps import Bench, Read, name_of
from corridor.serve.schemas import ERRORS, CircleArea, JSONBody, WhatIf
from corridor.serve.sessions import Workbench

router = APIRouter()

RoadsCache = dict[tuple[str, str | None], tuple[dict[str, Any], Any, bytes]]
"""Per (scenario, mover): the roads layer, each feature's bounds and the layer's JSON."""


# ---------------------------------------------------------------------- reads


@router.get("/api/scenarios", dependencies=[Read], responses=ERRORS)
def scenarios_list(bench: Bench) -> JSONBody:
    """The served scenarios: movers, plans, the dates where something changes, version."""
    out = []
    for name in bench.sources:
        v = bench.current(name)
        sc = v.scenario
        dates = [d.isoformat() for d in change_dates(sc)]
        movers = list(sc.movers) or [sc.mover]
        out.append(
            {
                "name": sc.name,
                "title": sc.title or sc.name,
                "description": sc.description,
                "movers": movers,
                "mover_names": {m: sc.mover_profile(m).name for m in movers},
                "default_mover": sc.mover,
                "plans": [{"name": k, "title": p.title or k} for k, p in sc.plans.items()],
                "default_plan": None,
                "dates": dates,
                "plan_dates": {k: [d.isoformat() for d in change_dates(sc, k)] for k in sc.plans},
                "first": first_date(sc).isoformat(),
                "last": (sc.end.isoformat() if sc.end else dates[-1] if dates else None),
                "center": list(sc.origin.representative),
                "version": v.version,
                "skipped": v.skipped,
            }
        )
    return JSONBody(out)


@router.get("/api/progress", dependencies=[Read], responses=ERRORS)
def progress(bench: Bench) -> JSONBody:
    """What the server is loading, preparing or analysing now (a large extract's first
    load takes seconds): ``{"preparing": [{"scenario", "mover", "date", "plan", "stage",
    "seconds"}]}``, for a page to show while it waits."""
    return JSONBody({"preparing": bench.in_progress()})


@router.get("/api/report", dependencies=[Read], responses=ERRORS)
def report_get(
    bench: Bench,
    scenario: Annotated[str | None, Query(max_length=200)] = None,
    date: dt.date | None = None,
    mover: Annotated[str | None, Query(max_length=200)] = None,
    plan: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONBody:
    """The report of ``corridor analyze --json`` for these arguments (with the scenario's
    recorded events)."""
    from corridor.outputs.json import report_json

    situated, _ = bench.situated(name_of(bench, scenario), date, mover, plan)
    return JSONBody(report_json(situated.report(), situated.network))


@router.post("/api/report", dependencies=[Read], responses=ERRORS)
def report_post(bench: Bench, body: WhatIf) -> JSONBody:
    """The report after the what-if closures (``corridor analyze --close-way ...
    --json``); a way or area that closes no road is a warning in ``warnings``."""
    from corridor.outputs.json import report_json

    situated, _ = bench.situated(name_of(bench, body.scenario), body.date, body.mover, body.plan)
    return JSONBody(report_json(situated.report(closures_of(body)), situated.network))


@router.post("/api/view", dependencies=[Read], responses=ERRORS)
def view(bench: Bench, body: WhatIf) -> JSONBody:
    """The report after the what-ifs, the map's layers for it and the map's header."""
    return _answer(bench, body, quick=False)


@router.post("/api/whatif", dependencies=[Read], responses=ERRORS)
def what_if(bench: Bench, body: WhatIf) -> JSONBody:
    """The quick what-if, from the situation's flows (``ClosureSession``): status, exits,
    the fastest route to each exit, the minimum cuts, the capacity and the critical
    segments, in the report's shapes (no alternative routes, no evacuation: ``quick`` is
    true), with the layers that change (``closed``, ``routes``, ``critical``, ``cut``,
    ``closures``) and the header without the evacuation time."""
    return _answer(bench, body, quick=True)


def _answer(bench: Workbench, body: WhatIf, *, quick: bool) -> JSONBody:
    """The view (the full report) or the quick what-if of ``body``, with its layers."""
    from corridor.outputs.answers import view_json, whatif_json

    situated, version = bench.situated(
        name_of(bench, body.scenario), body.date, body.mover, body.plan
    )
    closures = closures_of(body)
    report = situated.quick(closures) if quick else situated.report(closures)
    return JSONBody(
        (whatif_json if quick else view_json)(
            version.scenario,
            situated.state,
            report,
            situated.network,
            plan=body.plan,
            layers=body.layers,
            version=version.version,
            more={"communities": lambda: situated.communities(closures)},
        )
    )


@router.get("/api/roads", dependencies=[Read], responses=ERRORS)
def roads(
    bench: Bench,
    request: Request,
    scenario: Annotated[str | None, Query(max_length=200)] = None,
    mover: Annotated[str | None, Query(max_length=200)] = None,
    bbox: Annotated[
        str | None,
        Query(
            max_length=200,
            description="west,south,east,north: only the roads that reach into this box",
        ),
    ] = None,
) -> Response:
    """The mover's roads, one feature per OSM way (``way``, ``name``, ``ref``, ``highway``)."""
    import numpy as np

    from corridor.outputs.layers import roads_layer

    box = _bbox(bbox)
    roads_cache: RoadsCache = request.app.state.roads_cache
    name = name_of(bench, scenario)
    key = (name, mover)
    if key not in roads_cache:
        layer = roads_layer(bench.network(name, mover))
        for f in layer["features"]:
            f["properties"]["way"] = f["properties"]["osm_way"]
        bounds = np.array(
            [shapely.bounds(shapely.geometry.shape(f["geometry"])) for f in layer["features"]]
        ).reshape(-1, 4)
        roads_cache[key] = (layer, bounds, bytes(JSONBody(layer).body))
    layer, bounds, whole = roads_cache[key]
    if box is None:
        return Response(whole, media_type="application/json")
    w, s, e, n = box
    inside = (bounds[:, 0] <= e) & (bounds[:, 2] >= w) & (bounds[:, 1] <= n) & (bounds[:, 3] >= s)
    picked = [f for f, keep in zip(layer["features"], inside.tolist(), strict=True) if keep]
    return JSONBody({**layer, "features": picked})


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``west,south,east,north`` as numbers (None when not given)."""
    if text is None:
        return None
    try:
        w, s, e, n = (float(x) for x in text.split(","))
    except ValueError:
        msg = (
            f"bbox {text!r}: write it as WEST,SOUTH,EAST,NORTH in degrees, e.g. 24.9,60.1,25.0,60.2"
        )
        raise ScenarioError(msg) from None
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        msg = f"bbox {text!r}: need -180 <= WEST <= EAST <= 180 and -90 <= SOUTH <= NORTH <= 90"
        raise ScenarioError(msg)
    return w, s, e, n


def closures_of(body: WhatIf) -> list[Closure]:
    """The what-if closures of a request, as ``corridor analyze --close-way`` and
    ``--close-point`` make them (one per way, one per area)."""
    out = [Closure(ways=(w,), label=f"way {w}") for w in body.close_ways]
    for i, a in enumerate(body.close_areas):
        if isinstance(a, CircleArea):
            label = f"{a.radius_m:.0f} m around [{a.lon}, {a.lat}]"
            area = Area(label, point=(a.lon, a.lat), radius_m=a.radius_m)
        else:
            ring = [(p[0], p[1]) for p in a.polygon]
            poly = shapely.Polygon(ring)
            bad = [p for p in ring if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90)]
            if bad or not poly.is_valid or poly.area == 0:
                why = (
                    shapely.is_valid_reason(poly)
                    if not bad
                    else f"[{bad[0][0]}, {bad[0][1]}] is off the Earth"
                )
                msg = (
                    f"close_areas[{i}].polygon: not a valid polygon ({why}); give a ring of "
                    "[lon, lat] points that does not cross itself"
                )
                raise ScenarioError(msg)
            label = f"polygon of {len(ring)} points around {_centre(poly)}"
            area = Area(label, polygon=poly)
        out.append(Closure(area=area, label=label))
    return out


def _centre(poly: shapely.Polygon) -> str:
    c = poly.centroid
    return f"[{c.x:.5f}, {c.y:.5f}]"
