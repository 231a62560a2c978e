"""Road-status layers (GeoJSON lines with a status and a date per feature, as in logistics
access-constraint maps) to candidate events on the ways the lines follow:
``corridor import roads``.

Each line is matched to the network by geometry, in metres (a Lambert azimuthal equal-area
projection centred on the network, pyproj): the network's segments near the line (one STRtree
query of the line buffered by :data:`MATCH_BUFFER_M`) whose length lies at least
:data:`MATCH_SHARE` inside that buffer follow it (a street crossing the line does not). A
candidate names the OSM ways of those segments (``target: {ways: [...]}``); a line no road
follows becomes a candidate without a target, with the reason in ``unresolved``. Statuses map to
kinds (default ``impassable=close restricted=restrict passable=reopen``); ``restrict`` is the
event kind for a road kept open at reduced capacity: a layer says a road is restricted, not by
how much, so its candidates carry the ``capacity_factor`` (and ``speed_factor``) given, an
assumption each candidate's summary states.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

from corridor.errors import LayerError
from corridor.ingest.review import Candidate, Review
from corridor.ingest.zones import (
    MAX_LAYER_FILE_BYTES,
    feature_parts,
    parse_property_date,
    projection_for,
)
from corridor.model.network import RoadNetwork
from corridor.text import clipped, shown

MATCH_BUFFER_M = 25.0
"""How far (metres) a road segment may lie from a status line and still follow it."""
MATCH_SHARE = 0.8
"""The share of a segment's length within the buffer for it to follow the line."""
DEFAULT_STATUS_MAP = {"impassable": "close", "restricted": "restrict", "passable": "reopen"}
ROAD_KINDS = ("close", "restrict", "reopen")


@dataclass(frozen=True)
class RoadImport:
    review: Review
    features: int
    matched: int
    unmatched: int
    skipped_status: dict[str, int]


def parse_status_map(values: list[str]) -> dict[str, str]:
    """``STATUS=KIND`` pairs (case of the status ignored); kinds close, restrict, reopen."""
    out = {}
    for v in values:
        status, sep, kind = v.partition("=")
        if not sep or not status or kind not in ROAD_KINDS:
            msg = f"--map {v!r}: write STATUS=KIND with KIND one of {', '.join(ROAD_KINDS)}"
            raise LayerError(msg)
        out[status.strip().lower()] = kind
    return out


def _lines(path: Path) -> list[dict[str, Any]]:
    size = path.stat().st_size if path.is_file() else -1
    if size < 0:
        msg = f"{path}: no such file"
        raise LayerError(msg)
    if size > MAX_LAYER_FILE_BYTES:
        msg = (
            f"{path}: {size / 2**20:,.1f} MiB, more than the {MAX_LAYER_FILE_BYTES // 2**20} MiB "
            "a layer file may hold; split it by date or area"
        )
        raise LayerError(msg)
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as exc:
        msg = f"{path}: not GeoJSON (not JSON: {shown(str(exc))[1:-1]})"
        raise LayerError(msg) from None
    if not (isinstance(data, dict) and data.get("type") == "FeatureCollection"):
        msg = f"{path}: not a GeoJSON FeatureCollection of road lines"
        raise LayerError(msg)
    features = data.get("features")
    if not isinstance(features, list):
        msg = f"{path}: features is not a list"
        raise LayerError(msg)
    return features


def import_roads(
    path: Path,
    network: RoadNetwork,
    *,
    date_property: str,
    status_property: str,
    status_map: Mapping[str, str] | None = None,
    confidence: float = 0.7,
    capacity_factor: float = 0.5,
    speed_factor: float = 1.0,
    scenario: str = "",
) -> RoadImport:
    """
    Candidate events from a road-status layer, on the ways of ``network`` the lines follow.

    Parameters
    ----------
    path
        A GeoJSON FeatureCollection of LineStrings or MultiLineStrings.
    network
        The road network the lines are matched to (the scenario's, every highway way).
    date_property, status_property
        The feature properties holding the date (YYYY-MM-DD) and the status.
    status_map
        Status (any case) to kind; statuses not in it are skipped and counted.
    confidence
        The candidates' confidence.
    capacity_factor, speed_factor
        What a restrict candidate multiplies its roads' capacity and speed by (a speed factor
        of 1 is not written).

    Returns
    -------
    RoadImport
        The review (candidates in file order) and the counts.
    """
    smap = {k.lower(): v for k, v in (status_map or DEFAULT_STATUS_MAP).items()}
    features = _lines(path)
    proj = projection_for(network.bounds)
    fwd = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
    # the network's segments (one per two-way road), in metres
    seg, first = np.unique(network.segment, return_index=True)
    src, dst = network.src[first], network.dst[first]
    x, y = fwd.transform(network.lon, network.lat)
    x, y = np.asarray(x), np.asarray(y)
    coords = np.stack([np.column_stack([x[src], y[src]]), np.column_stack([x[dst], y[dst]])], 1)
    seg_lines = shapely.linestrings(coords)
    seg_len = shapely.length(seg_lines)
    tree = shapely.STRtree(seg_lines)
    candidates = []
    skipped: dict[str, int] = {}
    matched = unmatched = 0
    for i, feat in enumerate(features):
        where = f"{path}: features[{i}]"
        props, geom = feature_parts(
            feat,
            where,
            ("LineString", "MultiLineString"),
            "a LineString; a road-status layer holds road lines",
        )
        day = parse_property_date(props.get(date_property), where, date_property)
        status = str(props.get(status_property, "")).strip()
        kind = smap.get(status.lower())
        if kind is None:
            skipped[status] = skipped.get(status, 0) + 1
            continue
        line = shapely.from_geojson(json.dumps(geom))
        line_m = shapely.transform(
            line, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1]))
        )
        buffer = shapely.buffer(line_m, MATCH_BUFFER_M)
        near = tree.query(buffer, predicate="intersects")
        share = np.zeros(len(near))
        if len(near):
            inside = shapely.length(shapely.intersection(seg_lines[near], buffer))
            share = np.where(seg_len[near] > 0, inside / np.maximum(seg_len[near], 1e-9), 1.0)
        follows = near[share >= MATCH_SHARE]
        edge_mask = np.isin(network.segment, seg[follows])
        ways = sorted({int(w) for w in network.way_id[edge_mask]})
        target: dict[str, Any] = {"ways": ways} if ways else {}
        unresolved = (
            []
            if ways
            else [f"no road of the network follows this line within {MATCH_BUFFER_M:g} m"]
        )
        matched += bool(ways)
        unmatched += not ways
        names = sorted({network.road_label(int(e)) for e in np.flatnonzero(edge_mask)[:50]})
        text = ", ".join(f"{k}={clipped(str(v), limit=80)}" for k, v in list(props.items())[:8])
        factors: dict[str, float] = {}
        assumed = ""
        if kind == "restrict":
            factors["capacity_factor"] = capacity_factor
            if speed_factor != 1.0:
                factors["speed_factor"] = speed_factor
            assumed = " (assumed: " + ", ".join(f"{k} {v:g}" for k, v in factors.items()) + ")"
        candidates.append(
            Candidate(
                id=f"road-{i + 1}-{day:%Y%m%d}",
                kind=kind,
                date=day,
                confidence=confidence,
                quote=text,
                source={"outlet": path.name, "date": day},
                target=target,
                summary=f"{status}: {', '.join(names[:4]) or 'no matched road'}{assumed}",
                rule=f"{status_property}={status} -> {kind}",
                unresolved=unresolved,
                extra={
                    **factors,
                    "matched_segments": len(follows),
                    "line_length_m": round(float(line_m.length), 1),
                },
            )
        )
    review = Review(
        scenario=scenario, origin=f"road-status layer {path.name}", candidates=candidates
    )
    return RoadImport(review, len(features), matched, unmatched, skipped)
