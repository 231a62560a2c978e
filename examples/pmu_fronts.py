"""Write a made-up daily archive of control maps, for the README's `corridor import zones` example.

Nine files ``pmu-fronts_YYYYMMDD.geojson`` (10 to 19 November 2016, 14 November missing), each one
MultiPolygon of ground a militia holds west of Mosul, in the form daily archives publish. The front
pushes north from the desert towards the Mosul–Tal Afar highway (R1), stands still for a day or
two, and crosses the highway on 17 November. The geometry is invented to show the command, not
drawn from any report.

    python examples/pmu_fronts.py pmu-fronts/
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

#: the northern edge of the held ground (latitude) per day; None: no file that day
NORTH = {10: 36.25, 11: 36.25, 12: 36.29, 13: 36.29, 14: None, 15: 36.32, 16: 36.35,
         17: 36.40, 18: 36.40, 19: 36.40}  # fmt: skip
WEST, EAST, SOUTH = 42.60, 42.90, 36.00


def day_map(north: float) -> dict:
    """The day's file: one feature, a MultiPolygon with a ragged northern edge."""
    steps = 30
    edge = [
        [round(WEST + (EAST - WEST) * k / steps, 5), round(north - 0.004 * (k % 3), 5)]
        for k in range(steps + 1)
    ]
    ring = [[WEST, SOUTH], [EAST, SOUTH], *reversed(edge), [WEST, SOUTH]]
    geometry = {"type": "MultiPolygon", "coordinates": [[ring]]}
    feature = {"type": "Feature", "properties": {"layer": "held"}, "geometry": geometry}
    return {"type": "FeatureCollection", "features": [feature]}


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for day, north in NORTH.items():
        if north is not None:
            name = f"pmu-fronts_{dt.date(2016, 11, day):%Y%m%d}.geojson"
            (out / name).write_text(json.dumps(day_map(north)), encoding="utf-8")
    print(f"wrote {sum(v is not None for v in NORTH.values())} files to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "pmu-fronts")
