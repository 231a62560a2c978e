"""Zone membership (``points_in_polygons``) against shapely's own per-point predicate."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.model.areas import points_in_polygons
from strategies import examples

coord = st.floats(0.0, 10.0, allow_nan=False, width=32)


@st.composite
def polygons(draw: st.DrawFn) -> shapely.geometry.base.BaseGeometry:
    """A buffered point, a box with a hole, or a multipolygon of two boxes."""
    x, y = draw(coord), draw(coord)
    kind = draw(st.sampled_from(["disc", "holed", "multi"]))
    if kind == "disc":
        return shapely.Point(x, y).buffer(draw(st.floats(0.1, 4.0)))
    if kind == "holed":
        return shapely.box(x, y, x + 4, y + 4).difference(shapely.box(x + 1, y + 1, x + 3, y + 3))
    return shapely.MultiPolygon(
        [shapely.box(x, y, x + 1, y + 1), shapely.box(x + 2, y, x + 3, y + 2)]
    )


@settings(max_examples=examples(1.0))
@given(
    st.lists(st.tuples(coord, coord), max_size=60),
    st.lists(polygons(), max_size=4),
)
def test_points_in_polygons_matches_shapely(points: list, polys: list) -> None:
    # grid points land on polygon boundaries, which count as inside
    pts = points + [(float(i), float(j)) for i in range(0, 11, 2) for j in range(0, 11, 2)]
    lon = np.array([p[0] for p in pts], dtype=np.float64)
    lat = np.array([p[1] for p in pts], dtype=np.float64)
    got = set(zip(*(a.tolist() for a in points_in_polygons(lon, lat, polys)), strict=True))
    expected = {
        (i, j)
        for j, poly in enumerate(polys)
        for i, (x, y) in enumerate(pts)
        if poly.intersects(shapely.Point(x, y))
    }
    assert got == expected
