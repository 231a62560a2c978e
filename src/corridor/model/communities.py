"""Communities: the populated places whose access ``corridor scan`` tracks.

A community is a named point with a population (unknown: None) and an area around it: the
nodes of the mover's network inside that area are its roads. It comes from an OSM place node,
from a scenario's places (which keep their own areas) or from a user's CSV or GeoJSON list
(:mod:`corridor.network.communities` reads those).

Examples
--------
>>> c = Community("tal-afar", "Tal Afar", 42.4433, 36.3742, population=200000, radius_m=2500)
>>> c.area.radius_m, c.area.point
(2500, (42.4433, 36.3742))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from corridor.model.areas import Area
from corridor.model.scenario import Scenario, exit_kind

RADIUS_BY_KIND_M: dict[str, float] = {
    "city": 2000.0,
    "town": 1000.0,
    "suburb": 600.0,
    "village": 500.0,
    "hamlet": 250.0,
}
"""How far (m) from its point a community's roads reach, by OSM place kind: a city's streets
spread further than a hamlet's. Other kinds (a row of a user's list) take
:data:`DEFAULT_RADIUS_M`; ``corridor scan --radius`` sets one radius for all."""

DEFAULT_RADIUS_M = 500.0


@dataclass(frozen=True)
class Community:
    """A populated place whose access is tracked.

    ``id`` is unique within a scan (an OSM node id as ``node/123``, a scenario place id, a row
    number of a file when it names no id); ``kind`` says where it came from or what OSM calls it
    (``city`` ... ``hamlet``, ``place``, ``file``); ``shape`` is the area of a scenario place
    (a polygon or its own circle), None for a point with ``radius_m``.
    """

    id: str
    name: str
    lon: float
    lat: float
    population: int | None = None
    radius_m: float = DEFAULT_RADIUS_M
    kind: str = ""
    shape: Area | None = None

    @property
    def area(self) -> Area:
        """The area whose nodes are this community's roads."""
        if self.shape is not None:
            return self.shape
        return Area(self.name, point=(self.lon, self.lat), radius_m=self.radius_m)


def radius_for(kind: str, radius_m: float | None = None) -> float:
    """The radius of a community of ``kind`` (``radius_m`` when given).

    Examples
    --------
    >>> radius_for("city"), radius_for("file"), radius_for("town", 300.0)
    (2000.0, 500.0, 300.0)
    """
    if radius_m is not None:
        return float(radius_m)
    return RADIUS_BY_KIND_M.get(kind, DEFAULT_RADIUS_M)


def unique_ids(communities: Iterable[Community]) -> list[str]:
    """The ids that occur more than once, in order of first repeat (a scan refuses them)."""
    seen: set[str] = set()
    repeated: list[str] = []
    for c in communities:
        if c.id in seen and c.id not in repeated:
            repeated.append(c.id)
        seen.add(c.id)
    return repeated


def scenario_communities(
    scenario: Scenario, *, mover: str | None = None, hub: Area | None = None
) -> list[Community]:
    """A scenario's places as communities, except the mover's refuges (a refuge is where people
    get out to, not a place cut off), or with a ``hub`` (aid access) except the hub; each keeps
    its own area and population."""
    profile = scenario.mover_profile(mover)
    exits = profile.exits if profile.exits is not None else scenario.exits
    if hub is not None:
        refuge_names = {hub.name}
    else:
        refuge_names = {a.name for a in exits if exit_kind(a) == "refuge"}
    out = []
    for pid, p in scenario.places.items():
        if p.name in refuge_names:
            continue
        lon, lat = p.area.representative
        out.append(
            Community(pid, p.name, lon, lat, p.population, p.area.radius_m or 0.0, "place", p.area)
        )
    return out
