"""Hypothesis strategies: small random road networks, situations on them, and closures.

Networks are built the way users' networks are, through ``corridor.testing.network_from_segments``
(OSM-like ways, the car mover's tag rules, default speeds, lanes and capacities), so lengths,
travel times and capacities come from the real builders. Nodes lie on a 0.0005-degree grid (about
50 m) inside a 0.05-degree box near Mosul; node coordinates are distinct. Segments are random node
pairs (parallel and opposite segments allowed), some one-way, of various road classes (a
``motorway`` is one-way by implication) and lane counts, so capacities and speeds differ. Half of
the networks contain a random spanning tree so that a good share of situations are open.

Situations are built directly (``Situation(...)``) from node indices: an origin of one to three
nodes, one to three exits of one to three nodes each (disjoint from the origin, possibly sharing
nodes with each other, as two overlapping exit areas would) and a random set of closed segments
(both directions closed, as every closure and blocking zone closes them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

from corridor.model.network import RoadNetwork
from corridor.model.situation import Situation
from corridor.testing import network_from_segments

LON0, LAT0 = 43.10, 36.30  # near Mosul
GRID_DEG = 0.0005
GRID_STEPS = 100  # 100 x 0.0005 = 0.05 degrees
CAR_CLASSES = (
    "motorway",
    "motorway_link",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
)
CLOSED_REASON = "closed at random (tests.strategies)"


def examples(factor: float = 1.0) -> int:
    """The loaded profile's ``max_examples`` scaled by ``factor`` (at least 5).

    Use as ``@settings(max_examples=examples(0.5))`` for a test whose examples are costly, so
    that the profile (``HYPOTHESIS_PROFILE``) still scales every test.
    """
    return max(5, round(settings.default.max_examples * factor))


@st.composite
def road_networks(
    draw: st.DrawFn, *, min_nodes: int = 2, max_nodes: int = 9, max_segments: int = 16
) -> RoadNetwork:
    """A small random car network (see the module docstring)."""
    n = draw(st.integers(min_nodes, max_nodes))
    cells = draw(
        st.lists(
            st.tuples(st.integers(0, GRID_STEPS), st.integers(0, GRID_STEPS)),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    coords = [(LON0 + GRID_DEG * x, LAT0 + GRID_DEG * y) for x, y in cells]
    segments: list[tuple[int, int]] = []
    if draw(st.booleans()):  # a random spanning tree: node i joins an earlier node
        for i in range(1, n):
            j = draw(st.integers(0, i - 1))
            segments.append((i, j) if draw(st.booleans()) else (j, i))
    extra = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 2)), max_size=max_segments)
    )
    segments += [(a, b if b < a else b + 1) for a, b in extra]  # a != b
    if not segments:
        segments = [(0, 1)]
    segments = segments[:max_segments]
    k = len(segments)
    oneway = draw(st.lists(st.sampled_from([False, False, True]), min_size=k, max_size=k))
    highway = draw(st.lists(st.sampled_from(CAR_CLASSES), min_size=k, max_size=k))
    lanes = draw(st.none() | st.lists(st.integers(1, 4), min_size=k, max_size=k))
    return network_from_segments(coords, segments, oneway=oneway, highway=highway, lanes=lanes)


def segment_ids(network: RoadNetwork) -> list[int]:
    """The distinct segment ids of a network, sorted."""
    return sorted(set(network.segment.tolist()))


def segment_subsets(
    network: RoadNetwork, *, max_size: int | None = None
) -> st.SearchStrategy[set[int]]:
    """Random sets of segment ids (small ones more often than large ones)."""
    return st.sets(st.sampled_from(segment_ids(network)), max_size=max_size)


def edge_subsets(network: RoadNetwork, *, max_size: int = 4) -> st.SearchStrategy[list[int]]:
    """Random lists of directed edge ids, as ``Situation.with_closed`` takes them."""
    return st.lists(st.integers(0, network.n_edges - 1), max_size=max_size)


def make_situation(
    network: RoadNetwork,
    origin: Iterable[int],
    exits: Iterable[Iterable[int]],
    closed_segments: Iterable[int] = (),
) -> Situation:
    """A situation with the given node sets and both directions of ``closed_segments`` closed."""
    closed = np.isin(network.segment, np.asarray(sorted(set(closed_segments)), dtype=np.int64))
    exit_arrays = tuple(np.asarray(sorted(set(x)), dtype=np.int64) for x in exits)
    return Situation(
        network=network,
        open=~closed,
        origin=np.asarray(sorted(set(origin)), dtype=np.int64),
        exits=exit_arrays,
        origin_name="origin",
        exit_names=tuple(f"exit {i}" for i in range(len(exit_arrays))),
        closed_by=np.where(closed, 0, -1).astype(np.int32),
        reasons=(CLOSED_REASON,),
    )


@st.composite
def situation_parts(
    draw: st.DrawFn, network: RoadNetwork | None = None, *, max_exits: int = 3
) -> tuple[RoadNetwork, list[int], list[list[int]], set[int]]:
    """(network, origin nodes, exit node lists, closed segments) for :func:`make_situation`."""
    net = draw(road_networks()) if network is None else network
    n = net.n_nodes
    origin = draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=min(3, n - 1)))
    rest = sorted(set(range(n)) - origin)
    n_exits = draw(st.integers(1, max_exits))
    exits = [
        sorted(draw(st.sets(st.sampled_from(rest), min_size=1, max_size=3))) for _ in range(n_exits)
    ]
    closed = draw(segment_subsets(net, max_size=4))
    return net, sorted(origin), exits, closed


@st.composite
def situations(draw: st.DrawFn, *, max_exits: int = 3) -> Situation:
    """A random situation on a random network (see the module docstring)."""
    return make_situation(*draw(situation_parts(max_exits=max_exits)))


def fingerprint(value: Any) -> Any:
    """A comparable, exact image of a result: arrays by dtype, shape and bytes; floats by bits.

    Two results with equal fingerprints are equal byte for byte.
    """
    if is_dataclass(value) and not isinstance(value, type):
        parts = [(f.name, fingerprint(getattr(value, f.name))) for f in fields(value)]
        return (type(value).__name__, *parts)
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, list | tuple):
        return (type(value).__name__, *(fingerprint(v) for v in value))
    if isinstance(value, float):
        return ("float", value.hex())
    return (type(value).__name__, value)
