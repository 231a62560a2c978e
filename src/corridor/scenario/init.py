"""Draft a scenario file from an extract's own data (``corridor scenario init``).

The places come from the extract's OSM place nodes (and, for exits, the points where main roads
leave the extract: :func:`corridor.network.roads.road_exits`), each with a radius set from its
kind and widened until it holds a road of the mover's network, so the draft passes
``corridor scenario check`` whenever the named places bind. The text is YAML written line by
line, with comments saying what is left to fill in; names are untrusted tags, written as JSON
strings (valid YAML).

Examples
--------
>>> o = DraftPlace("Town", 0.0, 0.0, 300.0, "town", population=1200, osm_id=7)
>>> x = DraftPlace("Camp", 0.02, 0.0, 150.0, "road-exit", note="where N1 leaves the extract")
>>> text = draft_text(network_file="x.osm.pbf", name="x", mover="car", origin=o, exits=[x],
...                   others=[], source_title="x.osm.pbf", source_date="2024-05-01")
>>> print(text.splitlines()[6])
origin: town
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from corridor.errors import AreaError, UnknownIdError
from corridor.model.areas import Area, haversine_m
from corridor.model.network import RoadNetwork

KIND_RADIUS_M: dict[str, float] = {
    "city": 2000.0,
    "town": 800.0,
    "suburb": 400.0,
    "village": 400.0,
    "hamlet": 200.0,
    "border_control": 150.0,
}
"""The radius a drafted place gets from its OSM ``place`` kind (metres), before widening."""

MAX_WIDEN_M = 3000.0
"""A place is widened to reach the nearest road at most to this radius; beyond, it is refused
(it lies too far from every road of the mover: wrong extract, or a place off the map's roads)."""

MAX_OTHER_PLACES = 200
"""At most this many other settlements (nearest the origin first) are written into the draft."""


@dataclass(frozen=True)
class DraftPlace:
    """A place to write: from an OSM node, or where a road leaves the extract (``road-exit``)."""

    name: str
    lon: float
    lat: float
    radius_m: float
    kind: str
    population: int | None = None
    osm_id: int | None = None
    note: str = ""
    aliases: tuple[str, ...] = ()


def place_id(name: str, taken: set[str]) -> str:
    """An id for ``name``: ASCII, lower case, words joined by ``-``, unique among ``taken``.

    >>> place_id("Sant Julià de Lòria", set()), place_id("CG-1 (south edge)", {"cg-1-south-edge"})
    ('sant-julia-de-loria', 'cg-1-south-edge-2')
    """
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60] or "place"
    pid, k = base, 2
    while pid in taken:
        pid, k = f"{base}-{k}", k + 1
    taken.add(pid)
    return pid


def find_place(name: str, candidates: Sequence[DraftPlace], role: str) -> DraftPlace:
    """The candidate called ``name`` (its name or an alias, case aside; the most populous, then
    the first, when several share it).

    Raises
    ------
    UnknownIdError
        No candidate has that name: the message gives the nearest spellings (difflib).
    """
    want = name.strip().casefold()
    hits = [
        c for c in candidates if want in {c.name.casefold(), *(a.casefold() for a in c.aliases)}
    ]
    if hits:
        return max(hits, key=lambda c: (c.population or 0, -candidates.index(c)))
    names = list(dict.fromkeys(c.name for c in candidates))
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
    if not close:
        folded = {n.casefold(): n for n in names}
        close = [folded[c] for c in difflib.get_close_matches(want, list(folded), n=5, cutoff=0.5)]
    hint = f"nearest spellings: {', '.join(close)}" if close else "no name comes close"
    msg = (
        f"{role} {name!r}: no place of that name in the extract ({hint}); "
        "`corridor network roads EXTRACT` and the exits listed by `corridor scenario init "
        "EXTRACT --list` show what is there"
    )
    raise UnknownIdError(msg)


def fit_to_roads(place: DraftPlace, network: RoadNetwork) -> DraftPlace:
    """The place with its radius widened, when needed, to hold a road of ``network``.

    Raises
    ------
    AreaError
        When the nearest road lies beyond :data:`MAX_WIDEN_M`.
    """
    area = Area(place.name, point=(place.lon, place.lat), radius_m=place.radius_m)
    if network.n_edges and area.edge_mask(network).any() and area.node_mask(network).any():
        return place
    d = haversine_m(network.lon, network.lat, place.lon, place.lat) if network.n_nodes else None
    nearest = float(np.min(d)) if d is not None and len(d) else float("inf")
    if nearest + 30.0 > MAX_WIDEN_M:
        msg = (
            f"{place.name!r} lies {nearest:,.0f} m from the nearest road of the "
            f"{network.mover.value} network (more than {MAX_WIDEN_M:,.0f} m): choose another "
            "place, or another mover"
        )
        raise AreaError(msg)
    return replace(place, radius_m=float(np.ceil(nearest + 30.0)))


def separate(
    origin: DraftPlace, exit_: DraftPlace, network: RoadNetwork
) -> tuple[DraftPlace, DraftPlace]:
    """Origin and exit shrunk, when their circles overlap, so that they share no road node (each
    still holding a road); refused when the two are too close for that."""
    gap = float(haversine_m(exit_.lon, exit_.lat, origin.lon, origin.lat))
    if gap >= origin.radius_m + exit_.radius_m:
        return origin, exit_
    scale = 0.9 * gap / (origin.radius_m + exit_.radius_m)
    o = replace(origin, radius_m=max(30.0, float(np.floor(origin.radius_m * scale))))
    x = replace(exit_, radius_m=max(30.0, float(np.floor(exit_.radius_m * scale))))
    try:
        return fit_to_roads(o, network), fit_to_roads(x, network)
    except AreaError:
        msg = (
            f"exit {exit_.name!r} lies {gap:,.0f} m from the origin {origin.name!r}: too close to "
            "tell apart on the roads; choose an exit farther away"
        )
        raise AreaError(msg) from None


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _place_line(pid: str, p: DraftPlace) -> str:
    parts = [
        f"id: {pid}",
        f"name: {_q(p.name)}",
        f"point: [{p.lon:.7f}, {p.lat:.7f}]",
        f"radius_m: {p.radius_m:g}",
    ]
    if p.population is not None:
        parts.append(f"population: {p.population}")
    parts.append("source: OSM")
    if p.osm_id is None:
        what = p.note
    else:
        tag = "barrier=border_control" if p.kind == "border_control" else f"place={p.kind}"
        what = f"OSM node {p.osm_id} ({tag})" + (f"; {p.note}" if p.note else "")
    parts.append(f"notes: {_q(what)}")
    return "  - {" + ", ".join(parts) + "}"


def draft_text(
    *,
    network_file: str,
    name: str,
    mover: str,
    origin: DraftPlace,
    exits: Sequence[DraftPlace],
    others: Sequence[DraftPlace],
    source_title: str,
    source_date: str,
) -> str:
    """The scenario file's text: origin, exits and other places, the OSM source, comments."""
    taken: set[str] = set()
    oid = place_id(origin.name, taken)
    xids = [place_id(x.name, taken) for x in exits]
    rest = [(place_id(p.name, taken), p) for p in others[:MAX_OTHER_PLACES]]
    when = f", data of {source_date}" if source_date else ""
    lines = [
        f"# Drafted by `corridor scenario init` from {network_file} (OpenStreetMap{when}).",
        "# Fill in: the title and description, the population to move, the sides, actors and",
        "# zones, and the events (each with its source); check each place's radius (set from its",
        "# OSM kind, widened to reach a road). Then: corridor scenario check THIS-FILE",
        "corridor: 1",
        f"name: {_q(name)}",
        f"origin: {oid}",
        f"exits: [{', '.join(xids)}]",
        f"network: {{osm: {_q(network_file)}}}",
        f"mover: {mover}",
        f"title: {_q(f'{origin.name}: the ways out (draft)')}",
    ]
    if origin.population is not None:
        lines.append(
            f"population: {oid}                # its OSM population tag ({origin.population:,}); "
            "or a number"
        )
    else:
        lines.append("# population: 10000           # fill in: the people to move out (no OSM tag)")
    date = f", date: {source_date}" if source_date else ""
    lines += [
        "",
        "sources:",
        f'  OSM: {{outlet: "OpenStreetMap contributors (ODbL)", title: {_q(source_title)}{date}, '
        'url: "https://www.openstreetmap.org/copyright"}',
        "  # add one entry per report your events cite: {outlet, title, date, url}",
        "",
        "places:",
        "  # the origin and the exits",
        _place_line(oid, origin),
        *(_place_line(x, p) for x, p in zip(xids, exits, strict=True)),
    ]
    if rest:
        lines.append(
            "  # the extract's other settlements (OSM place nodes), for `between` in targets"
        )
        lines += [_place_line(pid, p) for pid, p in rest]
    lines += [
        "",
        "# sides: [{id: ..., name: ...}]       who fights for whom",
        "# actors: [{id: ..., name: ..., side: ...}]",
        "# zones: [{actor: ..., from: YYYY-MM-DD, polygon: [[lon, lat], ...]}]",
        "events: []",
        "# events: a closure by road ref (or name) between two places of the list above, e.g.",
        f"#  - {{id: closed-1, date: YYYY-MM-DD, kind: close, target: {{ref: REF, between: "
        f"[{oid}, {rest[0][0] if rest else xids[0]}]}}, confidence: 0.8, source: OSM}}",
        "# `corridor network roads EXTRACT --ref REF` shows a road's ways and pieces.",
    ]
    return "\n".join(lines) + "\n"
