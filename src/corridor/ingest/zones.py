"""Dated territorial-control maps (GeoJSON polygons, one file a day or a date per feature) to
scenario zones: ``corridor import zones``.

Each day's geometry is read, each feature validated (an invalid ring is repaired with
``shapely.make_valid`` and the repair reported with where GEOS found the fault), united,
clipped to the scenario's area or a box, and simplified to :data:`DEFAULT_SIMPLIFY_M` metres
(``--simplify-m``) in a Lambert azimuthal equal-area projection centred on the clip area
(pyproj), where areas are measured too. Each day is compared with the state before it: a day
whose geometry differs from it nowhere by more than the tolerance (the symmetric difference
shrunk by the tolerance is empty) continues the interval; a missing day keeps the state before
it and is reported as a gap. Intervals are ``[from, to)``; the last ends the day after the last
day read.

The output is a scenario fragment (``include:``, :mod:`corridor.scenario.include`): ``zones:``
entries ``{id, actor, from, to, geojson, confidence, source}``, one GeoJSON file per interval
beside it, and a ``sources`` entry naming the input. Bad input is refused before anything is
written (:class:`corridor.errors.LayerError`, one line: which file or feature, what, how to fix).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from corridor.errors import LayerError
from corridor.text import shown

DEFAULT_SIMPLIFY_M = 5.0
"""Polygons are simplified to this many metres unless ``--simplify-m`` says otherwise (and days
that differ by no more than it are the same day)."""
MAX_LAYER_FILE_BYTES = 64 * 1024 * 1024
"""The largest GeoJSON file read (64 MiB; a DeepStateMap day is about 80 kB)."""
MAX_LAYER_FILES = 20_000
"""The most files one import reads (fifty years of daily files)."""
LAYER_SUFFIXES = (".geojson", ".json")
_GEOMETRY_TYPES = (
    "Polygon",
    "MultiPolygon",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "GeometryCollection",
)

_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class DayShape:
    """One day of one actor, read and cleaned: the geometry in the metric projection (empty when
    the actor holds nothing inside the clip area), and the repairs made."""

    date: dt.date
    actor: str
    geometry: BaseGeometry
    files: tuple[str, ...]
    repairs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ZoneInterval:
    """Days ``[start, end)`` over which ``actor`` held ``geometry`` (metric projection), and
    how that changed from the interval before (km²; the first interval gains all it holds)."""

    id: str
    actor: str
    start: dt.date
    end: dt.date
    geometry: BaseGeometry
    days_read: int
    area_km2: float
    gained_km2: float
    lost_km2: float
    file: str = ""


@dataclass(frozen=True)
class ZoneImport:
    """What an import read and made."""

    intervals: tuple[ZoneInterval, ...]
    days_read: int
    gaps: tuple[dt.date, ...]
    repairs: tuple[str, ...]
    files_read: int
    simplify_m: float
    projection: str
    clip: tuple[float, float, float, float] | None
    to_lonlat: Callable[[BaseGeometry], BaseGeometry] = field(repr=False, compare=False)


# ------------------------------------------------------------------------------------- reading
def layer_files(paths: Sequence[Path]) -> list[Path]:
    """The GeoJSON files of ``paths`` (a folder stands for its ``*.geojson`` and ``*.json``
    files), in name order, each once."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.name.lower().endswith(LAYER_SUFFIXES))
            if not found:
                msg = (
                    f"{p}: a folder without .geojson or .json files; give the files or their folder"
                )
                raise LayerError(msg)
            out += found
        elif p.is_file():
            out.append(p)
        else:
            msg = f"{p}: no such file or folder"
            raise LayerError(msg)
    unique = list({str(f.resolve()): f for f in out}.values())
    if len(unique) > MAX_LAYER_FILES:
        msg = f"{len(unique):,} files: more than the {MAX_LAYER_FILES:,} one import reads; import them in parts"
        raise LayerError(msg)
    return unique


def date_in_name(path: Path) -> dt.date:
    """The date in a file's name (``deepstatemap_data_20240807.geojson``, ``2024-08-07.json``).

    Examples
    --------
    >>> date_in_name(Path("deepstatemap_data_20240807.geojson"))
    datetime.date(2024, 8, 7)
    """
    found = _NAME_DATE.findall(path.stem)
    for y, m, d in reversed(found):
        try:
            return dt.date(int(y), int(m), int(d))
        except ValueError:
            continue
    msg = (
        f"{path}: no date in the file's name (looked for YYYYMMDD or YYYY-MM-DD); rename it, or "
        "give --date-property with the feature property that holds the date"
    )
    raise LayerError(msg)


def parse_property_date(value: Any, where: str, prop: str) -> dt.date:
    """A feature's date property: ``YYYY-MM-DD``, optionally followed by a time."""
    text = str(value) if value is not None else ""
    m = _ISO_DATE.match(text)
    if m and (len(text) == 10 or text[10] in "T "):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    if value is None or text == "":
        msg = f"{where}: no {prop!r} property; every feature needs its date there (YYYY-MM-DD)"
    else:
        msg = (
            f"{where}: {prop} {shown(text)} is not a date YYYY-MM-DD (an ISO date, optionally with "
            "a time); convert the property, or take the date from the file name (--date-from name)"
        )
    raise LayerError(msg)


@dataclass(frozen=True)
class _Options:
    date_property: str | None
    actor: str | None
    actor_property: str | None
    actor_map: Mapping[str, str]
    clip: tuple[float, float, float, float] | None
    simplify_m: float
    projection: str


def _read_file(path: Path, opts: _Options) -> list[tuple[dt.date, str, BaseGeometry, str]]:
    """(date, actor, cleaned geometry, repair note) for each feature of one file."""
    size = path.stat().st_size
    if size > MAX_LAYER_FILE_BYTES:
        msg = (
            f"{path}: {size / 2**20:,.1f} MiB, more than the {MAX_LAYER_FILE_BYTES // 2**20} MiB "
            "a layer file may hold; split it by date"
        )
        raise LayerError(msg)
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as exc:
        msg = f"{path}: not GeoJSON (not JSON: {shown(str(exc))[1:-1]}); give the .geojson files of the archive"
        raise LayerError(msg) from None
    except OSError as exc:
        msg = f"{path}: cannot read it ({exc.strerror or exc})"
        raise LayerError(msg) from None
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "FeatureCollection" and isinstance(data.get("features"), list):
        features = data["features"]
    elif kind == "Feature":
        features = [data]
    elif kind in _GEOMETRY_TYPES:  # a bare geometry: a polygon, or refused below as not one
        features = [{"type": "Feature", "geometry": data, "properties": {}}]
    else:
        msg = (
            f"{path}: not GeoJSON (a FeatureCollection, Feature or Polygon; got "
            f"{shown(str(kind)) if kind else 'no type'}); give the .geojson files of the archive"
        )
        raise LayerError(msg)
    day = None if opts.date_property else date_in_name(path)
    out = []
    for i, feat in enumerate(features):
        where = f"{path}: features[{i}]"
        props, geom = feature_parts(
            feat,
            where,
            ("Polygon", "MultiPolygon"),
            "a Polygon or MultiPolygon; a control map holds areas (drop lines and points first)",
        )
        date = day
        if opts.date_property:
            date = parse_property_date(props.get(opts.date_property), where, opts.date_property)
        assert date is not None
        actor = opts.actor
        if opts.actor_property:
            raw = props.get(opts.actor_property)
            actor = opts.actor_map.get(str(raw)) if raw is not None else None
            if actor is None:
                known = ", ".join(sorted(opts.actor_map)) or "none"
                msg = (
                    f"{where}: {opts.actor_property} {shown(str(raw))} is not in --actor-map "
                    f"(mapped: {known}); add --actor-map {raw!s}=ACTOR"
                )
                raise LayerError(msg)
        assert actor is not None
        shape = _polygon_of(geom, where)
        note = ""
        if not shape.is_valid:
            reason = shapely.is_valid_reason(shape)
            shape = shapely.make_valid(shape)
            shape = shapely.union_all(
                [g for g in shapely.get_parts(shape) if g.geom_type in ("Polygon", "MultiPolygon")]
            )
            note = f"{where}: repaired ({reason})"
        out.append((date, actor, shape, note))
    return out


def feature_parts(
    feat: Any, where: str, kinds: tuple[str, ...], expected: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A GeoJSON feature's properties and geometry, refusing in one line a feature that is not
    one or a geometry not of ``kinds`` (``expected`` says what it should be)."""
    if not isinstance(feat, dict):
        msg = f"{where} is not a GeoJSON Feature"
        raise LayerError(msg)
    props = feat.get("properties") or {}
    geom = feat.get("geometry")
    gtype = geom.get("type") if isinstance(geom, dict) else None
    if gtype not in kinds or not isinstance(geom, dict):
        got = shown(str(gtype)) if gtype else "missing geometry"
        msg = f"{where}.geometry is a {got}, not {expected}"
        raise LayerError(msg)
    return (props if isinstance(props, dict) else {}), geom


def _clean_day(geoms: list[BaseGeometry], opts: _Options) -> BaseGeometry:
    """The day's features united, clipped, projected and simplified."""
    geom = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
    if opts.clip is not None:
        geom = shapely.intersection(geom, shapely.box(*opts.clip))
    geom = _polygonal(geom)
    fwd = _to_metres(opts.projection)
    geom = shapely.transform(geom, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    # the topology-preserving simplifier keeps a valid polygon valid: no second check
    return _polygonal(shapely.simplify(geom, opts.simplify_m, preserve_topology=True))


def _polygon_of(geom: dict[str, Any], where: str) -> BaseGeometry:
    """A GeoJSON Polygon or MultiPolygon as shapely, from its coordinate arrays (no second JSON
    pass); GEOS's reader where the arrays are not plain [lon, lat] rings."""
    try:
        coords = geom["coordinates"]
        polys = [coords] if geom["type"] == "Polygon" else coords
        parts = []
        for rings in polys:
            arrays = [np.asarray(r, dtype=np.float64) for r in rings]
            if not arrays or any(a.ndim != 2 or a.shape[1] != 2 or len(a) < 4 for a in arrays):
                raise ValueError
            parts.append(shapely.Polygon(arrays[0], arrays[1:]))
        return parts[0] if geom["type"] == "Polygon" else shapely.MultiPolygon(parts)
    except (ValueError, TypeError, KeyError, IndexError, shapely.errors.GEOSException):
        pass
    try:
        return shapely.from_geojson(json.dumps(geom))
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        msg = f"{where}.geometry is not a valid GeoJSON polygon ({shown(str(exc))[1:-1]})"
        raise LayerError(msg) from None


@functools.cache
def _to_metres(projection: str) -> Transformer:
    """lon/lat to ``projection``, made once per process (making one costs ~8 ms)."""
    return Transformer.from_crs("EPSG:4326", projection, always_xy=True)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygons of ``geom`` (an intersection may add lines and points where it touches)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _read_and_clean(
    args: tuple[Path, _Options],
) -> list[tuple[dt.date, str, BaseGeometry, str, str]]:
    """One file read and each (date, actor)'s features cleaned: a worker's job."""
    path, opts = args
    rows = _read_file(path, opts)
    groups: dict[tuple[dt.date, str], list[BaseGeometry]] = {}
    notes: dict[tuple[dt.date, str], list[str]] = {}
    for date, actor, geom, note in rows:
        groups.setdefault((date, actor), []).append(geom)
        if note:
            notes.setdefault((date, actor), []).append(note)
    return [
        (d, a, _clean_day(g, opts), "\n".join(notes.get((d, a), [])), str(path))
        for (d, a), g in groups.items()
    ]


def projection_for(bounds: tuple[float, float, float, float]) -> str:
    """A Lambert azimuthal equal-area projection (metres) centred on ``bounds`` (W, S, E, N):
    areas exact, distances within 1 % over about 1,000 km around the centre."""
    w, s, e, n = bounds
    return f"+proj=laea +lat_0={(s + n) / 2:.6f} +lon_0={(w + e) / 2:.6f} +datum=WGS84 +units=m +no_defs"


def _data_bounds(files: Sequence[Path]) -> tuple[float, float, float, float]:
    """The bounds of the first file's geometry (to centre the projection when nothing clips)."""
    data = json.loads(files[0].read_bytes())
    geom = shapely.from_geojson(json.dumps(data))
    b = shapely.bounds(geom)
    return tuple(float(x) for x in b)  # type: ignore[return-value]


# ------------------------------------------------------------------------------------ intervals
def read_days(
    paths: Sequence[Path],
    *,
    actor: str | None = None,
    date_property: str | None = None,
    actor_property: str | None = None,
    actor_map: Mapping[str, str] | None = None,
    clip: tuple[float, float, float, float] | None = None,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    workers: int = 1,
) -> tuple[list[DayShape], int, str]:
    """Every (day, actor) of the layer files, cleaned; the files read; the projection used.

    Raises
    ------
    LayerError
        A file is not GeoJSON, too large, without a date, or holds something else than
        polygons; a date property is not a date; an actor value is not mapped.
    """
    if (actor is None) == (actor_property is None):
        msg = "give --actor ACTOR, or --actor-property P with --actor-map VALUE=ACTOR ..."
        raise LayerError(msg)
    files = layer_files(paths)
    projection = projection_for(clip if clip is not None else _data_bounds(files))
    opts = _Options(
        date_property, actor, actor_property, dict(actor_map or {}), clip, simplify_m, projection
    )
    jobs = [(f, opts) for f in files]
    if workers > 1 and len(files) >= 8:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(
                pool.map(_read_and_clean, jobs, chunksize=max(1, len(jobs) // (8 * workers)))
            )
    else:
        results = [_read_and_clean(j) for j in jobs]
    merged: dict[tuple[dt.date, str], list[tuple[BaseGeometry, str, str]]] = {}
    for rows in results:
        for d, a, g, note, file in rows:
            merged.setdefault((d, a), []).append((g, note, file))
    days = []
    for (d, a), parts in sorted(merged.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        geom = (
            parts[0][0] if len(parts) == 1 else _polygonal(shapely.union_all([p[0] for p in parts]))
        )
        repairs = tuple(r for p in parts if p[1] for r in p[1].split("\n"))
        days.append(DayShape(d, a, geom, tuple(p[2] for p in parts), repairs))
    return days, len(files), projection


def unchanged(a: BaseGeometry, b: BaseGeometry, tolerance_m: float) -> bool:
    """Whether ``b`` differs from ``a`` nowhere by more than ``tolerance_m`` (metric
    coordinates): their symmetric difference, shrunk by the tolerance, is empty.

    Examples
    --------
    >>> sq = shapely.box(0, 0, 1000, 1000)
    >>> unchanged(sq, shapely.box(0, 0, 1000, 1003), 5.0), unchanged(sq, shapely.box(0, 0, 1000, 1020), 5.0)
    (True, False)
    """
    return _compare(a, b, tolerance_m)[0]


def _compare(a: BaseGeometry, b: BaseGeometry, tolerance_m: float) -> tuple[bool, float]:
    """(:func:`unchanged`, the area of the symmetric difference)."""
    if a.is_empty and b.is_empty:
        return True, 0.0
    if a.is_empty or b.is_empty:
        return False, a.area + b.area
    if shapely.equals_exact(a, b, 0.0):
        return True, 0.0
    diff = shapely.symmetric_difference(a, b)
    if diff.is_empty:
        return True, 0.0
    return bool(shapely.buffer(diff, -tolerance_m, quad_segs=2).is_empty), diff.area


def intervals_of(
    days: Sequence[DayShape], *, simplify_m: float, id_prefix: str
) -> tuple[list[ZoneInterval], list[dt.date]]:
    """Days of each actor, in date order, into intervals of unchanged geometry; and the gaps
    (days between the first and the last read that no file gave)."""
    out: list[ZoneInterval] = []
    gaps: set[dt.date] = set()
    by_actor: dict[str, list[DayShape]] = {}
    for d in days:
        by_actor.setdefault(d.actor, []).append(d)
    several = len(by_actor) > 1
    for actor, seq in by_actor.items():
        seq = sorted(seq, key=lambda d: d.date)
        read = {d.date for d in seq}
        first, last = seq[0].date, seq[-1].date
        gaps |= {
            first + dt.timedelta(days=k)
            for k in range((last - first).days + 1)
            if first + dt.timedelta(days=k) not in read
        }
        # (first day of the run, days read in it, area of its difference from the run before)
        runs: list[tuple[DayShape, int, float]] = []
        for d in seq:
            if not runs:
                runs.append((d, 1, d.geometry.area))
                continue
            same, changed = _compare(runs[-1][0].geometry, d.geometry, simplify_m)
            if same:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1, runs[-1][2])
            else:
                runs.append((d, 1, changed))
        previous: BaseGeometry = shapely.Polygon()
        for k, (d, n_read, changed) in enumerate(runs):
            end = runs[k + 1][0].date if k + 1 < len(runs) else last + dt.timedelta(days=1)
            geom = d.geometry
            stem = f"{id_prefix}-{actor}" if several else id_prefix
            out.append(
                ZoneInterval(
                    id=f"{stem}-{d.date:%Y%m%d}",
                    actor=actor,
                    start=d.date,
                    end=end,
                    geometry=geom,
                    days_read=n_read,
                    area_km2=geom.area / 1e6,
                    # gained + lost is the symmetric difference, gained - lost the change of area
                    gained_km2=max(0.0, (changed + geom.area - previous.area) / 2e6),
                    lost_km2=max(0.0, (changed - geom.area + previous.area) / 2e6),
                )
            )
            previous = geom
    return out, sorted(gaps)


def import_zones(
    paths: Sequence[Path],
    *,
    actor: str | None = None,
    id_prefix: str = "zone",
    date_property: str | None = None,
    actor_property: str | None = None,
    actor_map: Mapping[str, str] | None = None,
    clip: tuple[float, float, float, float] | None = None,
    simplify_m: float = DEFAULT_SIMPLIFY_M,
    workers: int = 1,
) -> ZoneImport:
    """
    Read dated control maps into zone intervals (nothing written: see :func:`write_fragment`).

    Parameters
    ----------
    paths
        GeoJSON files, or folders of them: one file a day (the date in its name) or features
        with a date property (``date_property``).
    actor
        Who holds the areas; or ``actor_property`` and ``actor_map`` (property value -> actor).
    id_prefix
        Zone ids are ``{id_prefix}-{YYYYMMDD}`` (``{id_prefix}-{actor}-{YYYYMMDD}`` for several
        actors).
    clip
        (W, S, E, N) in degrees, or None to keep everything.
    simplify_m
        Simplification tolerance, metres; days differing by no more are one interval.
    workers
        Processes reading and cleaning files at once.

    Returns
    -------
    ZoneImport
        The intervals (metric geometries), the days read, the gaps and the repairs.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for day, east in (("20240801", 0.10), ("20240802", 0.10), ("20240804", 0.12)):
    ...     _ = (d / f"front_{day}.geojson").write_text(shapely.to_geojson(shapely.box(0, 0, east, 0.1)))
    >>> imp = import_zones([d], actor="red")
    >>> [(i.start.isoformat(), i.end.isoformat(), round(i.gained_km2)) for i in imp.intervals]
    [('2024-08-01', '2024-08-04', 123), ('2024-08-04', '2024-08-05', 25)]
    >>> [g.isoformat() for g in imp.gaps]
    ['2024-08-03']
    """
    days, n_files, projection = read_days(
        paths,
        actor=actor,
        date_property=date_property,
        actor_property=actor_property,
        actor_map=actor_map,
        clip=clip,
        simplify_m=simplify_m,
        workers=workers,
    )
    intervals, gaps = intervals_of(days, simplify_m=simplify_m, id_prefix=id_prefix)
    back = Transformer.from_crs(projection, "EPSG:4326", always_xy=True)

    def to_lonlat(geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geom, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1]))
        )

    return ZoneImport(
        intervals=tuple(intervals),
        days_read=len({d.date for d in days}),
        gaps=tuple(gaps),
        repairs=tuple(r for d in days for r in d.repairs),
        files_read=n_files,
        simplify_m=simplify_m,
        projection=projection,
        clip=clip,
        to_lonlat=to_lonlat,
    )


# -------------------------------------------------------------------------------------- writing
def fragment_files(imp: ZoneImport, output: Path) -> dict[Path, str]:
    """Where each interval's GeoJSON goes: beside ``output``, named after its id."""
    return {
        output.parent / f"{i.id}.geojson": i.id for i in imp.intervals if not i.geometry.is_empty
    }


FRAGMENT_HEAD = "# written by corridor import zones"
GEOJSON_HEAD = (
    '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": '
)


def written_here(path: Path) -> bool:
    """Whether the existing file ``path`` was written by an import of zones (a fragment or an
    interval's GeoJSON), and so may be replaced by the next one."""
    try:
        with path.open("rb") as f:
            head = f.read(len(GEOJSON_HEAD)).decode("utf-8", "replace")
    except OSError:
        return False
    return head.startswith(FRAGMENT_HEAD) or head.startswith(GEOJSON_HEAD)


def fragment_text(
    imp: ZoneImport,
    output: Path,
    *,
    confidence: float | None,
    source_key: str,
    source_outlet: str,
    include_as: str | None = None,
) -> str:
    """The YAML fragment: a ``sources`` entry and one ``zones`` entry per interval that holds
    anything (an interval where the actor holds nothing inside the clip area is no zone)."""
    import yaml

    zones = []
    for i in imp.intervals:
        if i.geometry.is_empty:
            continue
        entry: dict[str, Any] = {
            "id": i.id,
            "actor": i.actor,
            "from": i.start,
            "to": i.end,
            "geojson": f"{i.id}.geojson",
        }
        if confidence is not None:
            entry["confidence"] = confidence
        entry["source"] = source_key
        entry["notes"] = (
            f"{i.days_read} day(s) read; {i.area_km2:,.1f} km2, +{i.gained_km2:,.1f} "
            f"-{i.lost_km2:,.1f} km2 since the interval before"
        )
        zones.append(entry)
    head = (
        f"{FRAGMENT_HEAD}: {imp.files_read} file(s), {imp.days_read} day(s), "
        f"{len(imp.gaps)} gap(s), {len(zones)} zone interval(s)\n"
        f"# simplified to {imp.simplify_m:g} m in {imp.projection}\n"
        f"# include it from a scenario: `include: [{include_as or output.name}]`\n"
    )
    first = min((i.start for i in imp.intervals), default=None)
    body = {
        "sources": {
            source_key: {
                "outlet": source_outlet,
                "date": first,
                "notes": f"{imp.files_read} file(s) imported by corridor import zones",
            }
        },
        "zones": zones,
    }

    class _Plain(yaml.SafeDumper):  # no &anchors for dates written twice
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return head + yaml.dump(body, Dumper=_Plain, sort_keys=False, allow_unicode=True, width=100)


def interval_geojson(imp: ZoneImport, interval: ZoneInterval) -> str:
    """One interval's geometry as a GeoJSON Feature in lon/lat (7 decimals, 1 cm)."""
    geom = shapely.set_precision(imp.to_lonlat(interval.geometry), 1e-7)
    props = {
        "id": interval.id,
        "actor": interval.actor,
        "from": interval.start.isoformat(),
        "to": interval.end.isoformat(),
        "area_km2": round(interval.area_km2, 3),
    }
    return (
        GEOJSON_HEAD[: -len('{"id": ')]
        + json.dumps(props)
        + ', "geometry": '
        + shapely.to_geojson(geom)
        + "}]}\n"
    )


def summary_lines(imp: ZoneImport) -> list[str]:
    """The import told in lines: days read, gaps, repairs, intervals with areas."""
    out = [
        f"{imp.files_read} file(s), {imp.days_read} day(s) read, {len(imp.gaps)} gap(s), "
        f"{len(imp.intervals)} interval(s); simplified to {imp.simplify_m:g} m (equal-area "
        "projection centred on the area)"
        + (f"; clipped to {', '.join(f'{x:g}' for x in imp.clip)}" if imp.clip else "")
    ]
    if imp.gaps:
        shown_gaps = ", ".join(g.isoformat() for g in imp.gaps[:10])
        more = f" and {len(imp.gaps) - 10} more" if len(imp.gaps) > 10 else ""
        out.append(f"gaps (the day before's state kept): {shown_gaps}{more}")
    out += [f"repair: {r}" for r in imp.repairs]
    for i in imp.intervals:
        out.append(
            f"{i.id}: {i.actor} [{i.start}, {i.end}) {i.days_read} day(s) read, "
            f"{i.area_km2:,.1f} km2 (+{i.gained_km2:,.1f}, -{i.lost_km2:,.1f})"
            + (" holds nothing in the area: no zone written" if i.geometry.is_empty else "")
        )
    return out


def default_workers() -> int:
    """Processes for reading: the CPUs this process may use, at most 4."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(4, n))
