"""Small networks with known answers, for doctests, tests and examples.

>>> s = two_towns_one_bridge()
>>> from corridor.analysis.cut import min_cut
>>> min_cut(s).count
1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from corridor.model.areas import Area
from corridor.model.network import Mover, RoadNetwork
from corridor.model.situation import Situation, build_situation
from corridor.network.ways import WayTable, network_from_ways

if TYPE_CHECKING:
    from corridor.model.scenario import Scenario
    from corridor.network.load import NetworkLoader


def network_from_segments(
    coords: Sequence[tuple[float, float]],
    segments: Sequence[tuple[int, int]],
    *,
    oneway: Sequence[bool] | None = None,
    highway: str | Sequence[str] = "primary",
    lanes: Sequence[int] | None = None,
    mover: Mover | str = Mover.CAR,
    refs: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
) -> RoadNetwork:
    """A network whose way ``i`` is the single segment ``segments[i]`` between node coordinates.

    Node ``j`` has OSM id ``j + 1``; way ``i`` has id ``i + 1``. ``refs`` and ``names`` give the
    ways' ``ref`` and ``name`` tags ("" for none).
    """
    n_ways = len(segments)
    ref = np.array([[a + 1, b + 1] for a, b in segments], dtype=np.int64).reshape(-1)
    xy = np.asarray(coords, dtype=np.float64)
    lon = xy[ref - 1, 0]
    lat = xy[ref - 1, 1]
    classes = [highway] * n_ways if isinstance(highway, str) else list(highway)
    tags = []
    for i in range(n_ways):
        t = {"highway": classes[i]}
        if oneway is not None and oneway[i]:
            t["oneway"] = "yes"
        if lanes is not None:
            t["lanes"] = str(lanes[i])
        if refs is not None and refs[i]:
            t["ref"] = refs[i]
        if names is not None and names[i]:
            t["name"] = names[i]
        tags.append(t)
    table = WayTable(
        way_id=np.arange(1, n_ways + 1, dtype=np.int64),
        way_ptr=np.arange(0, 2 * n_ways + 1, 2, dtype=np.int64),
        node_ref=ref,
        node_lon=lon,
        node_lat=lat,
        way_tags=tags,
    )
    return network_from_ways(table, mover, source="corridor.testing")


def two_towns_one_bridge() -> Situation:
    """Two grids of streets 0.01 degrees apart joined by one two-way bridge (way 13).

    The origin is the western town, the exit the eastern one.
    """
    coords = [
        (0.000, 0.000), (0.001, 0.000), (0.000, 0.001), (0.001, 0.001),  # west town 0-3
        (0.011, 0.000), (0.012, 0.000), (0.011, 0.001), (0.012, 0.001),  # east town 4-7
        (0.005, 0.0005), (0.006, 0.0005),  # bridge ends 8-9
    ]  # fmt: skip
    segments = [
        (0, 1), (0, 2), (1, 3), (2, 3),  # west grid
        (4, 5), (4, 6), (5, 7), (6, 7),  # east grid
        (1, 8), (3, 8),  # west approaches
        (9, 4), (9, 6),  # east approaches
        (8, 9),  # the bridge
    ]  # fmt: skip
    net = network_from_segments(coords, segments)
    origin = Area("West", point=(0.0005, 0.0005), radius_m=120)
    exit_ = Area("East", point=(0.0115, 0.0005), radius_m=120)
    return build_situation(net, origin, [exit_])


def bundled(name: str = "mosul-2016") -> tuple[Scenario, NetworkLoader]:
    """A bundled scenario, loaded, with a loader of its network (for examples and tests).

    >>> sc, networks = bundled()
    >>> sc.name
    'mosul-2016'
    """
    from corridor.bundled import bundled_scenario
    from corridor.network.load import NetworkLoader
    from corridor.scenario.load import load_scenario

    sc = load_scenario(bundled_scenario(name))
    return sc, NetworkLoader(sc.network_path, kind=sc.network_kind)
