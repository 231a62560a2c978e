"""Communities for ``corridor scan`` from OSM place nodes or from a user's CSV or GeoJSON list.

A list is untrusted input (a census table, an OCHA list): it is read within
:data:`MAX_BYTES` and :data:`MAX_ROWS`, names are clipped to :data:`MAX_NAME` characters, and
the first bad row stops the read with one line that says which row, what is wrong and how to
fix it.

- CSV: a header with ``name``, ``lon`` and ``lat`` (also ``lng``/``longitude``,
  ``latitude``), optionally ``population``, ``id`` and ``radius_m``, in any order and any case.
- GeoJSON: a FeatureCollection of Point features whose properties hold ``name`` and
  optionally ``population``, ``id`` and ``radius_m``.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "towns.csv"
>>> _ = p.write_text("name,lon,lat,population\\nTal Afar,42.4433,36.3742,200000\\n")
>>> [(c.id, c.name, c.population) for c in read_communities(p)]
[('row-2', 'Tal Afar', 200000)]
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.errors import CommunitiesError, InputFileError
from corridor.files import is_file, path_exists
from corridor.model.communities import Community, radius_for
from corridor.model.network import RoadNetwork
from corridor.network.places import SETTLEMENT_KINDS, OsmPlaces
from corridor.text import clipped, shown

if TYPE_CHECKING:
    from corridor.model.areas import Area
    from corridor.model.scenario import Scenario

MAX_BYTES = 64 * 2**20
"""The largest community list read (64 MiB: a few hundred thousand rows)."""
MAX_ROWS = 200_000
"""The most communities one list may hold (the scan's own bound)."""
MAX_NAME = 200
MAX_POPULATION = 10_000_000_000
MAX_RADIUS_M = 50_000.0

_LON = ("lon", "lng", "longitude", "x")
_LAT = ("lat", "latitude", "y")


def osm_communities(
    places: OsmPlaces, network: RoadNetwork, *, radius_m: float | None = None
) -> list[Community]:
    """The settlement nodes (city, town, village, hamlet, suburb) inside the network's bounds,
    as communities ``node/<id>`` with their ``population`` tag and a radius by kind
    (:data:`corridor.model.communities.RADIUS_BY_KIND_M`, or ``radius_m``)."""
    w, s, e, n = network.bounds
    return [
        Community(
            f"node/{p.osm_id}",
            p.name,
            p.lon,
            p.lat,
            p.population,
            radius_for(p.kind, radius_m),
            p.kind,
        )
        for p in places.places
        if p.kind in SETTLEMENT_KINDS and w <= p.lon <= e and s <= p.lat <= n
    ]


def read_communities(path: str | Path, *, radius_m: float | None = None) -> list[Community]:
    """Communities from a CSV or GeoJSON file (by its content: GeoJSON starts with ``{``).

    Raises
    ------
    InputFileError
        When the file does not exist or is a directory.
    CommunitiesError
        When it is too large, not UTF-8, or a row lacks a name or a usable point.
    """
    path = Path(path)
    if not is_file(path):
        what = "is a directory, not a list of communities" if path_exists(path) else "no such file"
        msg = f"{path}: {what}; give a CSV (name, lon, lat, population) or a GeoJSON of points"
        raise InputFileError(msg)
    size = path.stat().st_size
    if size > MAX_BYTES:
        msg = (
            f"{path}: the file is {size / 2**20:,.1f} MiB, more than the {MAX_BYTES // 2**20} MiB "
            "a list of communities may be; keep the region's rows only"
        )
        raise CommunitiesError(msg)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8 text (byte {exc.start}); save the list as UTF-8"
        raise CommunitiesError(msg) from None
    if text.lstrip().startswith("{"):
        return _from_geojson(path, text, radius_m)
    return _from_csv(path, text, radius_m)


def _number(path: Path, where: str, key: str, raw: Any, lo: float, hi: float) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and lo <= value <= hi):
        msg = f"{path}: {where}: {key} {shown(raw)} is not a number from {lo:g} to {hi:g}; fix or remove the row"
        raise CommunitiesError(msg)
    return value


def _community(
    path: Path, where: str, default_id: str, row: dict[str, Any], radius_m: float | None
) -> Community:
    name = str(row.get("name") or "").strip()
    if not name:
        msg = f"{path}: {where}: no name; every community needs one"
        raise CommunitiesError(msg)
    lon = _number(path, where, "lon", row.get("lon"), -180.0, 180.0)
    lat = _number(path, where, "lat", row.get("lat"), -90.0, 90.0)
    pop_raw = row.get("population")
    population = None
    if pop_raw not in (None, ""):
        population = int(_number(path, where, "population", pop_raw, 0, MAX_POPULATION))
    r_raw = row.get("radius_m")
    radius = radius_for("file", radius_m)
    if r_raw not in (None, "") and radius_m is None:
        radius = _number(path, where, "radius_m", r_raw, 0.0, MAX_RADIUS_M)
    cid = str(row.get("id") or "").strip()[:MAX_NAME] or default_id
    return Community(cid, name[:MAX_NAME], lon, lat, population, radius, "file")


def _from_csv(path: Path, text: str, radius_m: float | None) -> list[Community]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        msg = f"{path}: empty; give a header (name, lon, lat, population) and one row per community"
        raise CommunitiesError(msg) from None
    except csv.Error as exc:
        raise CommunitiesError(f"{path}: line 1: not CSV ({exc})") from None
    names = [h.strip().lower() for h in header]

    def column(options: tuple[str, ...]) -> int | None:
        return next((names.index(o) for o in options if o in names), None)

    cols = {
        "name": column(("name",)),
        "lon": column(_LON),
        "lat": column(_LAT),
        "population": column(("population", "pop")),
        "id": column(("id",)),
        "radius_m": column(("radius_m",)),
    }
    missing = [k for k in ("name", "lon", "lat") if cols[k] is None]
    if missing:
        msg = (
            f"{path}: line 1: no column {', '.join(missing)} (the header has "
            f"{clipped(', '.join(header), limit=80)}); name the columns name, lon, lat"
        )
        raise CommunitiesError(msg)
    out: list[Community] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(out) >= MAX_ROWS:
                msg = f"{path}: more than {MAX_ROWS:,} communities; keep the region's rows only"
                raise CommunitiesError(msg)
            values = {
                k: (row[i] if i is not None and i < len(row) else None) for k, i in cols.items()
            }
            out.append(_community(path, f"line {line}", f"row-{line}", values, radius_m))
    except csv.Error as exc:
        raise CommunitiesError(f"{path}: line {reader.line_num}: not CSV ({exc})") from None
    return out


def _from_geojson(path: Path, text: str, radius_m: float | None) -> list[Community]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "nesting"
        msg = f"{path}: {where}: not JSON; give a GeoJSON FeatureCollection of points"
        raise CommunitiesError(msg) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        msg = f"{path}: not a GeoJSON FeatureCollection (no features list)"
        raise CommunitiesError(msg)
    if len(features) > MAX_ROWS:
        msg = f"{path}: more than {MAX_ROWS:,} communities; keep the region's features only"
        raise CommunitiesError(msg)
    out = []
    for i, f in enumerate(features):
        where = f"features[{i}]"
        geom = f.get("geometry") if isinstance(f, dict) else None
        props = f.get("properties") if isinstance(f, dict) else None
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if not (
            isinstance(geom, dict)
            and geom.get("type") == "Point"
            and isinstance(coords, list)
            and len(coords) >= 2
        ):
            msg = f"{path}: {where}: not a Point feature; a community is a point [lon, lat]"
            raise CommunitiesError(msg)
        row = dict(props) if isinstance(props, dict) else {}
        row["lon"], row["lat"] = coords[0], coords[1]
        out.append(_community(path, where, f"feature-{i}", row, radius_m))
    return out


def choose_communities(
    scenario: Scenario,
    network: RoadNetwork,
    which: str | None = None,
    *,
    radius_m: float | None = None,
    mover: str | None = None,
    hub: Area | None = None,
) -> list[Community]:
    """The communities a scan looks at, as ``--communities`` names them: ``osm`` (every OSM
    place node of the settlement kinds inside the network; the default for an OSM network),
    ``scenario`` (the scenario's places but the refuges, or the hub; the default otherwise), or
    a CSV/GeoJSON file (:func:`read_communities`); ``radius_m`` overrides the default reach."""
    from corridor.analysis.scan import scenario_communities

    choice = which or ("osm" if scenario.network_kind == "osm" else "scenario")
    if choice == "scenario":
        found = scenario_communities(scenario, mover=mover, hub=hub)
        if not found:
            msg = (
                f"scenario {scenario.name!r} has no places but its refuges; give --communities "
                "osm or a file"
            )
            raise CommunitiesError(msg)
        return found
    if choice == "osm":
        if scenario.network_kind != "osm":
            msg = (
                f"--communities osm: the network of scenario {scenario.name!r} is GeoJSON, which "
                "has no OSM place nodes; give --communities scenario or a CSV/GeoJSON file"
            )
            raise CommunitiesError(msg)
        from corridor.network.places import read_places

        return osm_communities(read_places(scenario.network_path), network, radius_m=radius_m)
    return read_communities(Path(choice), radius_m=radius_m)
