"""A year of daily replays for three movers on a synthetic network (the performance issue's
"365 daily dates x 3 movers" target).

The scenario is built in memory: the synthetic grid's origin and exits, a closure of a random
road every month (some reopened a fortnight later), a zone that blocks one mover in the second
half of the year, and three movers: civilians by car, fighters off road (blocked by the zone), and
people on foot. ``replay`` is asked for every day of the year; it analyses only the days that
change something for the mover and reuses the report before for the others.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import Any

import numpy as np
import shapely

from bench import synthetic
from corridor.analysis.replay import replay
from corridor.model.network import Mover, RoadNetwork
from corridor.model.scenario import Actor, Event, MoverProfile, Scenario, Side
from corridor.model.situation import Closure
from corridor.network.ways import network_from_ways

START = dt.date(2020, 1, 1)
DAYS = 365


def scenario(
    case: synthetic.SyntheticCase, nets: dict[Mover, RoadNetwork], seed: int = 0
) -> Scenario:
    rng = np.random.default_rng(seed)
    car_ways = np.unique(nets[Mover.CAR].way_id)
    events: list[Event] = []
    for month in range(12):
        way = int(rng.choice(car_ways))
        day = START + dt.timedelta(days=30 * month + int(rng.integers(0, 10)))
        events.append(
            Event(
                id=f"close-{month}",
                date=day,
                kind="close",
                actor="red",
                closure=Closure(ways=(way,), label=f"way {way}"),
                confidence=0.8,
            )
        )
        if month % 3 == 0:
            events.append(
                Event(
                    id=f"reopen-{month}",
                    date=day + dt.timedelta(days=14),
                    kind="reopen",
                    actor="red",
                    reopens=f"close-{month}",
                    confidence=0.6,
                )
            )
    # a zone around one exit from July on, blocking the fighters
    lon, lat = case.exits[0].representative
    zone = shapely.Point(lon, lat).buffer(0.01)
    events.append(
        Event(
            id="take-east",
            date=dt.date(2020, 7, 1),
            kind="zone",
            actor="red",
            zone=zone,
            confidence=0.7,
        )
    )
    movers = {
        "civilians": MoverProfile(id="civilians", name="civilians", base=Mover.CAR),
        "fighters": MoverProfile(
            id="fighters", name="fighters", base=Mover.OFFROAD, blocked_by=frozenset({"red"})
        ),
        "walkers": MoverProfile(id="walkers", name="walkers", base=Mover.FOOT),
    }
    return Scenario(
        name=case.name, network_path="", network_kind="geojson", mover="civilians",
        origin=case.origin, exits=case.exits, population=100_000, start=START,
        end=START + dt.timedelta(days=DAYS - 1), events=tuple(events), movers=movers,
        sides={"red": Side("red", "red"), "blue": Side("blue", "blue")},
        actors={"red": Actor("red", "red", "red")},
    )  # fmt: skip


def bench_replay(size: int) -> dict[str, Any]:
    """Seconds to replay every day of a year for three movers on a ``size``-edge network."""
    case = synthetic.generate(size, seed=0)
    nets = {m: network_from_ways(case.table, m, source=case.name) for m in Mover}
    sc = scenario(case, nets)
    days = [START + dt.timedelta(days=i) for i in range(DAYS)]
    out: dict[str, Any] = {"edges": nets[Mover.CAR].n_edges, "days": DAYS, "movers": {}}
    total = 0.0
    for mover in sc.movers:
        t0 = time.perf_counter()
        reports = replay(sc, nets.__getitem__, mover=mover, dates=days, k=0)
        s = time.perf_counter() - t0
        analysed = 1 + sum(1 for a, b in itertools.pairwise(reports) if b.min_cut is not a.min_cut)
        out["movers"][mover] = {
            "seconds": s,
            "days_analysed": analysed,
            "sealed_days": sum(r.status == "sealed" for r in reports),
        }
        total += s
    out["seconds"] = total
    return out
