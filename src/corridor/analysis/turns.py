"""Turn costs on paths, after OSRM's car profile (``process_turn`` in ``profiles/car.lua``).

A vehicle that turns at a junction slows down: at a node where three or more roads meet, a turn
of angle ``a`` (degrees; 0 straight on, positive to the right, negative to the left) costs a
sigmoid of the angle that reaches ``TURN_PENALTY_S`` for the sharpest turns, biased so that right
turns cost less than left ones (``TURN_BIAS``, right-hand traffic); a left turn also waits for a
gap in the oncoming traffic (``ONCOMING_TURN_PENALTY_S``, scaled by the same kind of sigmoid);
a u-turn, anywhere, adds ``U_TURN_PENALTY_S``. Bends of one road (a node with two roads) cost
nothing, as in OSRM. Constants below, with their sources (also in ``docs/defaults.md``).

The network is node-based (one node per junction), so a shortest-path search cannot weigh turns
exactly: corridor searches on segment times (``RoadNetwork.travel_time_s``: length at speed plus
node delays) and adds the turns of the path it found to the times it reports (routes, the time to
each exit). A route that a turn-aware search would prefer may therefore be missed where two routes
differ by less than their turns; their reported times stay exact for the path shown.

Angles are read along the path between the points ``LOOKAHEAD_M`` before and after the junction
(as OSRM's coordinate extractor does without lane data), on a local flat approximation. OSRM reads the side of the road
per way; corridor assumes right-hand traffic everywhere and does not know roundabouts here (OSRM
spares their exits the oncoming-traffic penalty).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from corridor.model.network import RoadNetwork

# car.lua (osrm-bindings 26.10.0): ``turn_penalty``, ``turn_bias``, ``oncoming_turn_penalty``,
# ``properties.u_turn_penalty``. car.lua: the sigmoid's "values here were chosen by fitting the
# function to some turn penalty samples from real driving".
TURN_PENALTY_S: Final[float] = 7.5
TURN_BIAS: Final[float] = 1.075
ONCOMING_TURN_PENALTY_S: Final[float] = 2.0
U_TURN_PENALTY_S: Final[float] = 20.0
# OSRM's coordinate extractor (``LOOKAHEAD_DISTANCE_WITHOUT_LANES``, extractor/intersection/
# coordinate_extractor.cpp): a turn's angle is read between points this far (metres) along the
# roads on either side of the junction
LOOKAHEAD_M: Final[float] = 10.0


def turn_angles(network: RoadNetwork, path: NDArray[np.integer[Any]]) -> NDArray[np.float64]:
    """The turn angle (degrees in (-180, 180], positive to the right) at each node between two
    consecutive edges of ``path``; 180 for a u-turn.

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments(
    ...     [(0.0, 0.0), (0.001, 0.0), (0.001, -0.001), (0.002, 0.0)], [(0, 1), (1, 2), (1, 3)]
    ... )
    >>> e = {(int(net.src[i]), int(net.dst[i])): i for i in range(net.n_edges)}
    >>> turn_angles(net, np.array([e[0, 1], e[1, 2]])).round().tolist()  # east, then south
    [90.0]
    >>> turn_angles(net, np.array([e[0, 1], e[1, 0]])).tolist()
    [180.0]
    """
    path = np.asarray(path, dtype=np.int64)
    if len(path) < 2:
        return np.zeros(0)
    src, dst = network.src, network.dst
    nodes = np.concatenate([src[path[:1]], dst[path]]).astype(np.int64)
    # positions LOOKAHEAD_M before and after each inner node along the path (OSRM measures a
    # turn between points that far down each road, so that short mapped segments at the
    # junction itself do not set the angle)
    cum = np.concatenate([[0.0], np.cumsum(network.length_m[path])])
    at = cum[1:-1]
    lon, lat = network.lon[nodes], network.lat[nodes]
    before = np.maximum(at - LOOKAHEAD_M, 0.0)
    after = np.minimum(at + LOOKAHEAD_M, cum[-1])
    back = np.column_stack([np.interp(before, cum, lon), np.interp(before, cum, lat)])
    ahead = np.column_stack([np.interp(after, cum, lon), np.interp(after, cum, lat)])
    via = np.column_stack([lon[1:-1], lat[1:-1]])
    h_in = _heading(back, via)
    h_out = _heading(via, ahead)
    angle = (h_out - h_in + 180.0) % 360.0 - 180.0
    angle = np.where(angle == -180.0, 180.0, angle)
    return np.where(nodes[:-2] == nodes[2:], 180.0, angle)


def _heading(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Compass heading (degrees clockwise from north) from points ``a`` to points ``b`` (rows of
    lon, lat), on a local flat approximation."""
    lat = np.radians((a[:, 1] + b[:, 1]) / 2.0)
    return np.degrees(np.arctan2((b[:, 0] - a[:, 0]) * np.cos(lat), b[:, 1] - a[:, 1]))


def turn_costs_s(network: RoadNetwork, path: NDArray[np.integer[Any]]) -> NDArray[np.float64]:
    """Seconds each turn of ``path`` costs a vehicle (one value per node between two of its
    edges); zeros for walkers, who turn freely.

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments(
    ...     [(0.0, 0.0), (0.001, 0.0), (0.001, -0.001), (0.002, 0.0), (0.001, 0.001)],
    ...     [(0, 1), (1, 2), (1, 3), (1, 4)],
    ... )
    >>> e = {(int(net.src[i]), int(net.dst[i])): i for i in range(net.n_edges)}
    >>> def cost(k):
    ...     return round(float(turn_costs_s(net, np.array([e[0, 1], e[1, k]]))[0]), 2)
    >>> cost(3), cost(2), cost(4)  # straight on, right, left (across the oncoming traffic)
    (0.01, 2.11, 7.32)
    """
    path = np.asarray(path, dtype=np.int64)
    if len(path) < 2 or not network.mover.honours_oneway:
        return np.zeros(max(len(path) - 1, 0))
    angle = turn_angles(network, path)
    via = network.dst[path[:-1]]
    junction = network.road_count[via] > 2
    u_turn = network.src[path[:-1]] == network.dst[path[1:]]
    return np.where(junction | u_turn, turn_cost_s(angle, u_turn=u_turn, junction=junction), 0.0)


def turn_cost_s(
    angle: NDArray[np.float64],
    *,
    u_turn: NDArray[np.bool_],
    junction: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """car.lua's turn duration for turn angles in degrees (positive to the right), at a junction
    of three or more roads or a u-turn; right-hand traffic."""
    p, bias = TURN_PENALTY_S, TURN_BIAS
    a = np.asarray(angle, dtype=np.float64)
    right = p / (1.0 + np.exp(-((13.0 / bias) * a / 180.0 - 6.5 * bias)))
    left = p / (1.0 + np.exp(-((13.0 * bias) * -a / 180.0 - 6.5 / bias)))
    cost = np.where(a >= 0.0, right, left)
    sharpness = 1.0 / (1.0 + np.exp(-(13.0 * np.abs(a) / 180.0 - 3.25)))
    oncoming = (a < 0.0) & ~u_turn & junction
    cost = cost + np.where(oncoming, ONCOMING_TURN_PENALTY_S * sharpness, 0.0)
    return cost + np.where(u_turn, U_TURN_PENALTY_S, 0.0)


def path_time_s(network: RoadNetwork, path: NDArray[np.integer[Any]]) -> float:
    """Seconds to drive ``path``: its edges' travel times plus its turns."""
    path = np.asarray(path, dtype=np.int64)
    return float(network.travel_time_s[path].sum() + turn_costs_s(network, path).sum())
