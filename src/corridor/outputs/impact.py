"""The layers of "which road matters most" and "how sure are we", as GeoJSON: roads coloured by
what closing each alone does (``corridor rank --geojson``, ``corridor map --rank``), and each
exit's corridor shaded by the probability that the exit is reachable (``corridor map
--samples N``).

Both are FeatureCollections like the map's own layers (:mod:`corridor.outputs.layers`); each
feature carries a ``colour`` that the map draws, so that what a test reads is what the page
shows. :class:`Overlay` is how the map (:func:`corridor.outputs.map.map_html`) takes them: one
FeatureCollection per date shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from corridor.analysis.ranking import Ranking, RoadImpact
from corridor.analysis.report import CorridorReport
from corridor.analysis.uncertainty import SampleSummary
from corridor.model.network import RoadNetwork
from corridor.outputs.layers import (
    EXIT_COLOURS,
    FeatureCollection,
    _collection,
    _feature,
    _geometry,
    _one_per_segment,
    corridors_layer,
)

#: The map's titles of these layers (beside :data:`corridor.outputs.layers.LAYERS`).
TITLES: dict[str, str] = {
    "impact": "Roads by impact (closed alone)",
    "chance": "Exits by probability reachable",
    "communities": "Communities by status (corridor scan)",
}
#: Capacity lost from 0 to 100 %: ColorBrewer's YlOrRd (sequential, colour-blind safe).
IMPACT_RAMP = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
#: A road whose closure alone seals the origin.
SEALS_COLOUR = "#3f007d"
#: Probability 0 to 1: vermillion, yellow, bluish green (Okabe and Ito's hues).
CHANCE_RAMP = ("#d55e00", "#f0e442", "#009e73")


def ramp(colours: Sequence[str], x: float) -> str:
    """The colour at ``x`` in [0, 1] along ``colours`` (evenly spaced, linear in RGB).

    >>> ramp(("#000000", "#ffffff"), 0.5)
    '#808080'
    """
    x = min(max(float(x), 0.0), 1.0)
    pos = x * (len(colours) - 1)
    i = min(int(pos), len(colours) - 2)
    t = pos - i
    a, b = (np.array([int(c[k : k + 2], 16) for k in (1, 3, 5)]) for c in colours[i : i + 2])
    rgb = np.rint(a + (b - a) * t).astype(int)
    return "#" + "".join(f"{v:02x}" for v in rgb.tolist())


def road_json(r: RoadImpact) -> dict[str, Any]:
    """One road of a ranking, JSON-ready: what ``corridor rank --json`` prints per road.

    ``from`` and ``to`` are the OSM node ids of the stretch's ends, ``from_name`` and
    ``to_name`` how they are named, ``label`` the stretch as a reader names it, ``pieces`` how
    many flow chains it merges.
    """
    s = r.stretch
    return {
        "road": r.road,
        "ref": r.ref,
        "osm_ways": list(r.osm_ways),
        "from": r.from_node,
        "to": r.to_node,
        "label": s.label,
        "from_name": s.from_name,
        "to_name": s.to_name,
        "pieces": r.pieces,
        "length_m": r.length_m,
        "capacity_lost_pph": r.capacity_lost_pph,
        "capacity_lost_pct": r.capacity_lost_pct,
        "extra_time_s": r.extra_time_s,
        "exits_cut": list(r.exits_cut),
        "seals": r.seals,
    }


def ranking_json(ranking: Ranking, date: str | None) -> dict[str, Any]:
    """A ranking, JSON-ready: ``corridor rank --json``."""
    return {
        "date": date,
        "by": ranking.by.value,
        "by_way": ranking.by_way,
        "capacity_pph": ranking.capacity_pph,
        "roads": [road_json(r) for r in ranking.roads],
    }


def impact_colour(r: RoadImpact) -> str:
    """A road's colour: by capacity lost (:data:`IMPACT_RAMP`), or :data:`SEALS_COLOUR`."""
    return SEALS_COLOUR if r.seals else ramp(IMPACT_RAMP, r.capacity_lost_pct / 100.0)


def impact_geojson(
    ranking: Ranking, network: RoadNetwork, *, date: str | None = None
) -> FeatureCollection:
    """The ranked roads as one FeatureCollection, most harmful first, for QGIS or GeoPandas.

    One feature per road stretch (or OSM way): its segments as a (Multi)LineString, and the
    properties of ``corridor rank --json``'s roads (:func:`road_json`), with ``layer``
    ("impact"), ``rank`` (1: most harmful) and ``colour`` (the map's). ``network`` is the one
    the ranking was computed on.

    Examples
    --------
    >>> from corridor.analysis.ranking import rank_roads
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> fc = impact_geojson(rank_roads(s, by="seal"), s.network)
    >>> f = fc["features"][0]
    >>> f["properties"]["rank"], f["properties"]["seals"], f["geometry"]["type"]
    (1, True, 'LineString')
    """
    net = network
    feats = []
    roads = ranking.roads
    firsts = [_one_per_segment(net, np.asarray(r.edges, dtype=np.int64)) for r in roads]
    if roads:
        edges = np.concatenate(firsts)
        coords = np.stack(
            [
                np.column_stack([net.lon[net.src[edges]], net.lat[net.src[edges]]]),
                np.column_stack([net.lon[net.dst[edges]], net.lat[net.dst[edges]]]),
            ],
            axis=1,
        )
        group = np.repeat(np.arange(len(roads)), [len(f) for f in firsts])
        lines = shapely.multilinestrings(shapely.linestrings(coords), indices=group)
        merged = shapely.line_merge(lines)
        for i, r in enumerate(roads):
            feats.append(
                _feature(
                    _geometry(merged[i]),
                    layer="impact",
                    rank=i + 1,
                    **road_json(r),
                    colour=impact_colour(r),
                )
            )
    return _collection(
        feats,
        layer="impact",
        date=date,
        by=ranking.by.value,
        by_way=ranking.by_way,
        capacity_pph=ranking.capacity_pph,
    )


def chance_layer(
    summary: SampleSummary, report: CorridorReport, network: RoadNetwork
) -> FeatureCollection:
    """Each exit's corridor shaded by the probability that the exit is reachable.

    Per exit, its area (a polygon: an exit sealed in ``report`` has no corridor, but still a
    probability) and the stretches of its corridor in ``report`` (as the map's corridors layer
    draws them), each with ``exit``, ``p_reachable`` and ``colour`` (:data:`CHANCE_RAMP`);
    ``kind`` says "exit" or "corridor". ``summary`` holds the answers over samples at the
    report's date, ``network`` is the one the report was computed on.
    """
    p = {x.name: x.p_reachable for x in summary.exits}
    feats = []
    for i, x in enumerate(report.exits):
        if x.area is None or x.name not in p:
            continue
        feats.append(
            _feature(
                _geometry(x.area.geometry()),
                layer="chance",
                kind="exit",
                exit=x.name,
                exit_index=i,
                exit_colour=EXIT_COLOURS[i % len(EXIT_COLOURS)],
                p_reachable=round(p[x.name], 6),
                colour=ramp(CHANCE_RAMP, p[x.name]),
            )
        )
    for f in corridors_layer(report, network)["features"]:
        q = f["properties"]
        if q["exit"] not in p:
            continue
        feats.append(
            _feature(
                f["geometry"],
                layer="chance",
                kind="corridor",
                exit=q["exit"],
                exit_index=q["exit_index"],
                exit_colour=q["colour"],
                p_reachable=round(p[q["exit"]], 6),
                colour=ramp(CHANCE_RAMP, p[q["exit"]]),
                roads=q["roads"],
                flow_pph=q["flow_pph"],
                length_m=q["length_m"],
            )
        )
    return _collection(
        feats,
        layer="chance",
        date=summary.date,
        n=summary.n,
        seed=summary.seed,
        p_open=round(summary.p_open, 6),
    )


@dataclass(frozen=True)
class Overlay:
    """A layer the map adds to its own: ``name`` (a key of :data:`TITLES`) and one
    FeatureCollection per report shown, in the reports' order."""

    name: str
    frames: tuple[FeatureCollection, ...]

    @property
    def title(self) -> str:
        return TITLES[self.name]


def impact_overlay(
    rankings: Sequence[Ranking], reports: Sequence[CorridorReport], network: RoadNetwork
) -> Overlay:
    """The map's "roads by impact" layer: one ranking per report, in order."""
    _check_count(rankings, reports, "rankings")
    layers = (
        impact_geojson(k, network, date=r.date) for k, r in zip(rankings, reports, strict=True)
    )
    return Overlay("impact", tuple(layers))


def chance_overlay(
    summaries: Sequence[SampleSummary], reports: Sequence[CorridorReport], network: RoadNetwork
) -> Overlay:
    """The map's "exits by probability" layer: one summary over samples per report, in order."""
    _check_count(summaries, reports, "summaries over samples")
    layers = (chance_layer(s, r, network) for s, r in zip(summaries, reports, strict=True))
    return Overlay("chance", tuple(layers))


def _check_count(items: Sequence[object], reports: Sequence[CorridorReport], what: str) -> None:
    if len(items) != len(reports):
        msg = f"{len(items)} {what} for {len(reports)} reports"
        raise ValueError(msg)
