"""corridor from Python: the valley scenario day by day, a what-if closure, the JSON report.

Run it from anywhere: ``python examples/script.py`` (it finds valley.yaml next to itself).
Every name comes from the front door, ``import corridor`` (docs/api.md).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import corridor

HERE = Path(__file__).resolve().parent

# a scenario and its network (each base mover's network is loaded once, when first asked for)
sc = corridor.load_scenario(HERE / "valley.yaml")
networks = corridor.NetworkLoader(sc.network_path, kind=sc.network_kind)

# day by day: one report per date on which something changes
for report in corridor.replay(sc, networks):
    reachable = [x.name for x in report.reach.exits if x.reachable]
    print(
        f"{report.date}  {report.status:<6}  exits reachable: {', '.join(reachable) or 'none'}"
        f"  min cut {report.min_cut.count}  {report.flow.value_pph:,.0f} persons/h"
    )

# and under a plan: the west junction holds
held = corridor.replay(sc, networks, plan="hold-west")
print("under hold-west, on", held[-1].date, "the town is", held[-1].status)

# what if the west road were cut as well, on 5 January (when the north road is already closed)?
day = dt.date(2020, 1, 5)
before = corridor.report_at(sc, networks, day)
cut_west = corridor.Closure(ways=(201,), label="West road cut")  # OSM way 201, out of the town
after = corridor.report_at(sc, networks, day, what_if=[cut_west])
print(f"on {day}: {before.status} -> {after.status} with way 201 closed")

# the report in the stable JSON schema (docs/report.schema.json): presenters take the network
network = corridor.mover_network(sc, networks)
doc = corridor.report_json(before, network)
print(json.dumps({k: doc[k] for k in ("date", "status", "headline", "capacity_pph")}))
