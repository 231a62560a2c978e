"""How sure are we: the answers at a date as probabilities over the evidence.

The sampling model (``docs/uncertainty.md``): each event happens with probability equal to its
confidence, independently, unless events share a ``group``: then they happen together or not at
all, with the mean of their confidences. An event with ``date_uncertainty_days`` d happens on a
date drawn uniformly among the whole days within ± d of its date; a zone with
``boundary_uncertainty_m`` b is buffered by a distance drawn uniformly in [-b, b] metres (in a
local projection around the zone), and a zone is held with probability its ``confidence``
(none: 1). A sample is the scenario with some events dropped and some
dates and zones moved; it is analysed at each date asked.

Sample ``i`` draws from ``numpy.random.default_rng([seed, i])``: the same seed gives the same
samples whatever the order or the number of workers, and sample ``i`` is one consistent world
across the dates of a timeline. Samples that leave the same roads open (and the same population)
share one analysis, on one :class:`~corridor.analysis.prepared.Prepared` per mover's network.

With ``exact=True``, every subset of the uncertain events (or groups) in force at the date is
enumerated with its probability instead (when there are at most :data:`MAX_EXACT` of them, and
no date or boundary uncertainty).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from corridor.analysis.cut import capacity_cut_and_flow_of, min_cut_of
from corridor.analysis.evacuation import evacuation_of
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.replay import NetworkFor, mover_network
from corridor.analysis.routes import reach_of
from corridor.errors import ScenarioError
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Event, Scenario, Zone
from corridor.model.situation import Closure, Situation, bind_closure, zone_control
from corridor.model.timeline import (
    State,
    change_dates,
    first_date,
    situation_at,
    state_at,
    timeline_events,
)

MAX_EXACT = 16
"""The most uncertain events (or groups) ``exact=True`` enumerates (2**16 subsets)."""

_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0


@dataclass(frozen=True)
class Quantiles:
    """The 10th, 50th and 90th percentiles of a number over the samples (None: infinite, as
    the evacuation time of a sealed origin)."""

    p10: float | None
    p50: float | None
    p90: float | None


@dataclass(frozen=True)
class ExitChance:
    """One exit and the probability that it is reachable."""

    name: str
    p_reachable: float


@dataclass(frozen=True)
class StretchChance:
    """A road stretch (as named in reports) and the probability that the minimum cut holds it."""

    road: str
    osm_ways: tuple[int, ...]
    probability: float


@dataclass(frozen=True)
class SampleSummary:
    """The answers at one date over ``n`` samples (or, ``exact``, over every event subset)."""

    date: str
    n: int
    seed: int | None
    exact: bool
    p_open: float
    exits: tuple[ExitChance, ...]
    capacity_pph: Quantiles
    min_cut_count: Quantiles
    evacuation_hours: Quantiles
    cut_stretches: tuple[StretchChance, ...]


@dataclass(frozen=True)
class _Outcome:
    reachable: tuple[bool, ...]
    capacity_pph: int
    cut_count: int
    hours: float
    cut_edges: NDArray[np.int64]


# ------------------------------------------------------------------------------ the model
def _units(events: Sequence[Event]) -> tuple[list[list[int]], NDArray[np.float64]]:
    """The independent units of ``events``: each group, and each event without one, in order
    of first appearance; with each unit's probability (the mean confidence of its events)."""
    index: dict[str, int] = {}
    units: list[list[int]] = []
    for i, e in enumerate(events):
        if e.group is None:
            units.append([i])
            continue
        if e.group not in index:
            index[e.group] = len(units)
            units.append([])
        units[index[e.group]].append(i)
    p = np.array([np.mean([events[i].confidence for i in u]) for u in units], dtype=np.float64)
    return units, p


def _all_events(scenario: Scenario, plan: str | None) -> list[Event]:
    """The scenario's events, then the plan's added ones (the order draws follow)."""
    events = list(scenario.events)
    if plan is not None:
        events.extend(scenario.plans[plan].add)
    return events


def buffered(polygon: BaseGeometry, distance_m: float) -> BaseGeometry:
    """``polygon`` grown (or, negative, shrunk) by ``distance_m`` metres, in an equirectangular
    projection centred on it (good to a fraction of a percent over a few hundred kilometres).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> round(buffered(box(10, 50, 10.01, 50.01), -1000).area, 9)
    0.0
    """
    if distance_m == 0:
        return polygon
    c = polygon.centroid
    lon0, lat0 = c.x, c.y
    kx = _M_PER_DEG_LON * math.cos(math.radians(lat0))
    ky = _M_PER_DEG_LAT
    local = shapely.transform(polygon, lambda xy: (xy - (lon0, lat0)) * (kx, ky))
    grown = shapely.buffer(local, distance_m)
    return shapely.transform(grown, lambda xy: xy / (kx, ky) + (lon0, lat0))


def sample_scenario(
    scenario: Scenario, seed: int, index: int, *, plan: str | None = None
) -> Scenario:
    """Sample ``index`` of the scenario under ``seed``: events (windows and restrictions
    among them) kept with their confidence (groups together), dates moved within their
    uncertainty, zones buffered within theirs and held with their confidence, checkpoints kept
    with their confidence.

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> sc = bundled()[0]
    >>> a, b = (sample_scenario(sc, 7, 3) for _ in range(2))
    >>> [e.id for e in a.events] == [e.id for e in b.events]
    True
    """
    return _draw(scenario, seed, index, plan)[0]


def _draw(
    scenario: Scenario, seed: int, index: int, plan: str | None
) -> tuple[Scenario, tuple[float, ...]]:
    """Sample ``index`` and the buffer drawn for each zone (what, with the events applied at a
    date, decides the situation)."""
    rng = np.random.default_rng([seed, index])
    events = _all_events(scenario, plan)
    units, p = _units(events)
    happens = rng.random(len(units)) < p
    kept = np.zeros(len(events), dtype=bool)
    for u, h in zip(units, happens, strict=True):
        kept[u] = h
    spans = np.array([math.floor(e.date_uncertainty_days) for e in events], dtype=np.int64)
    shifts = rng.integers(-spans, spans + 1) if len(events) else spans
    moved = [
        replace(e, date=e.date + dt.timedelta(days=int(s))) if s else e
        for e, s in zip(events, shifts, strict=True)
    ]
    widths = np.array([z.boundary_uncertainty_m for z in scenario.zones], dtype=np.float64)
    draws = rng.uniform(-widths, widths) if len(widths) else widths
    zones = tuple(
        z if d == 0 else replace(z, polygon=buffered(z.polygon, float(d)))
        for z, d in zip(scenario.zones, draws, strict=True)
    )
    drawn = _with_events(scenario, moved, kept, plan, zones=zones)
    if scenario.checkpoints:  # each checkpoint exists with its confidence (issue 25)
        p_cp = [c.confidence if c.confidence is not None else 1.0 for c in scenario.checkpoints]
        here = rng.random(len(p_cp)) < np.array(p_cp)
        drawn = replace(
            drawn,
            checkpoints=tuple(c for c, h in zip(scenario.checkpoints, here, strict=True) if h),
        )
    # each zone is held with its confidence (issue 27: two imported layers, assessed and
    # claimed control, weigh against each other); drawn last, so that a scenario whose zones
    # are all certain draws every other part as before. A zone not held is out of the sample
    # (its key: inf)
    p_zone = np.array(
        [z.confidence if z.confidence is not None else 1.0 for z in scenario.zones], dtype=float
    )
    if len(p_zone) and (p_zone < 1).any():
        held = rng.random(len(p_zone)) < p_zone
        if not held.all():
            gone = {id(z) for z, h in zip(scenario.zones, held, strict=True) if not h}
            drawn = replace(
                drawn,
                zones=tuple(
                    z
                    for z, orig in zip(zones, scenario.zones, strict=True)
                    if id(orig) not in gone and not z.polygon.is_empty
                ),
            )
            draws = np.where(held, draws, np.inf)
    return drawn, tuple(draws.tolist())


def _with_events(
    scenario: Scenario,
    events: Sequence[Event],
    kept: NDArray[np.bool_],
    plan: str | None,
    *,
    zones: tuple[Zone, ...] | None = None,
) -> Scenario:
    """The scenario with only the ``kept`` of ``events`` (its own, then the plan's added)."""
    n_own = len(scenario.events)
    own = tuple(e for e, k in zip(events[:n_own], kept[:n_own], strict=True) if k)
    plans = scenario.plans
    if plan is not None:
        added = tuple(e for e, k in zip(events[n_own:], kept[n_own:], strict=True) if k)
        plans = {**plans, plan: replace(plans[plan], add=added)}
    return replace(
        scenario,
        events=own,
        plans=plans,
        zones=scenario.zones
        if zones is None
        else tuple(z for z in zones if not z.polygon.is_empty),
    )


# ------------------------------------------------------------------------------ the answers
class _Analyst:
    """One mover's network and prepared structures; one analysis per distinct open-road mask."""

    def __init__(self, network: RoadNetwork, *, mover: str | None, plan: str | None) -> None:
        self.network = network
        self.mover = mover
        self.plan = plan
        self.prepared: Prepared | None = None
        self.seen: dict[tuple[bytes, int], _Outcome] = {}
        self.exit_names: tuple[str, ...] = ()
        self.base: Situation | None = None
        self.exempt = np.zeros(0, dtype=bool)
        # per closure (by identity, the object kept alive beside): its edges; zones are bound
        # once per polygon by corridor.model.areas.zone_hold
        self.bound: dict[int, tuple[Closure, NDArray[np.int64]]] = {}

    def situation(self, scenario: Scenario, day: dt.date) -> tuple[Situation, State]:
        """The situation of a sample at ``day``: the open roads of
        :func:`corridor.model.timeline.situation_at`, composed from each closure's and zone's
        edges, bound once per closure and per zone polygon (tests check the two agree)."""
        state = state_at(scenario, day, mover=self.mover, plan=self.plan)
        if self.base is None:
            self.base, _ = situation_at(
                scenario, self.network, day, mover=self.mover, plan=self.plan, adapted=True
            )
            in_origin = np.zeros(self.network.n_nodes, dtype=bool)
            in_origin[self.base.origin] = True
            net = self.network
            self.exempt = in_origin[net.src] & in_origin[net.dst]
        closed = np.zeros(self.network.n_edges, dtype=bool)
        for c in state.closures:
            closed[self._closure_edges(c.closure)] = not c.closure.reopen
        if state.zones:  # the situation's own rule, each polygon bound once (zone_hold)
            rules, origin = state.zone_rules, self.base.origin_area
            closed |= zone_control(self.network, rules, self.exempt, origin=origin)[0] >= 0
        situation = replace(
            self.base,
            open=~closed,
            closed_by=np.where(closed, 0, -1).astype(np.int32),
            reasons=("sampled",),
        )
        return situation, state

    def _closure_edges(self, closure: Closure) -> NDArray[np.int64]:
        key = id(closure)  # the scenario's own closures, alive as long as it is
        if key not in self.bound:
            self.bound[key] = (closure, np.flatnonzero(bind_closure(self.network, closure)[0]))
        return self.bound[key][1]

    def outcome(self, scenario: Scenario, day: dt.date, population: int | None) -> _Outcome:
        situation, state = self.situation(scenario, day)
        pop = state.population if population is None else population
        key = (np.packbits(situation.open).tobytes(), pop)
        if key in self.seen:
            return self.seen[key]
        if self.prepared is None or not self.prepared.fits(situation):
            self.prepared = Prepared.of(situation)
        self.exit_names = situation.exit_names
        # the numbers a summary reads, as analyze computes them (no routes, no critical
        # segments, no names: a sample needs none)
        work = SituationWork(situation, self.prepared)
        reach = reach_of(work)
        cut = min_cut_of(work)
        _, flow = capacity_cut_and_flow_of(work)
        hours = evacuation_of(work, pop).hours
        is_open = reach.status == "open"
        out = _Outcome(
            reachable=tuple(x.reachable for x in reach.exits),
            capacity_pph=flow.value_pph,
            cut_count=cut.count if is_open else 0,
            hours=math.inf if hours is None else hours,
            cut_edges=cut.edges if is_open else np.zeros(0, np.int64),
        )
        self.seen[key] = out
        return out


def _quantiles(values: Sequence[float], weights: NDArray[np.float64]) -> Quantiles:
    """Weighted 10/50/90 % quantiles: the smallest value whose cumulative weight reaches q
    (numpy's ``inverted_cdf`` for equal weights)."""
    v = np.asarray(values, dtype=np.float64)
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(weights[order])
    cum /= cum[-1]

    def q(p: float) -> float | None:
        i = int(np.searchsorted(cum, p - 1e-12, side="left"))
        x = float(v[order[min(i, len(v) - 1)]])
        return x if math.isfinite(x) else None

    return Quantiles(q(0.1), q(0.5), q(0.9))


def _summary(
    day: dt.date,
    outcomes: Sequence[_Outcome],
    weights: NDArray[np.float64],
    *,
    network: RoadNetwork,
    exit_names: tuple[str, ...],
    seed: int | None,
    exact: bool,
) -> SampleSummary:
    total = float(weights.sum())
    w = weights / total
    reach = np.array([o.reachable for o in outcomes], dtype=bool).reshape(len(outcomes), -1)
    p_exit = (weights @ reach) / total  # counts / n exactly, for equal weights
    # each road stretch (as reports name it): the probability that the cut holds any of its edges
    p_road: dict[str, float] = {}
    ways: dict[str, set[int]] = {}
    for o, wi in zip(outcomes, weights, strict=True):
        labels: dict[str, set[int]] = {}
        for e in o.cut_edges.tolist():
            labels.setdefault(network.road_label(e), set()).add(int(network.way_id[e]))
        for label, ws in labels.items():
            p_road[label] = p_road.get(label, 0.0) + float(wi)
            ways.setdefault(label, set()).update(ws)
    stretches = sorted(
        (
            StretchChance(label, tuple(sorted(ways[label])), min(p / total, 1.0))
            for label, p in p_road.items()
        ),
        key=lambda s: (-round(s.probability, 9), s.road),
    )
    return SampleSummary(
        date=day.isoformat(),
        n=len(outcomes),
        seed=seed,
        exact=exact,
        p_open=min(float(weights @ reach.any(axis=1)) / total, 1.0),
        exits=tuple(
            ExitChance(name, min(float(p), 1.0)) for name, p in zip(exit_names, p_exit, strict=True)
        ),
        capacity_pph=_quantiles([o.capacity_pph for o in outcomes], w),
        min_cut_count=_quantiles([o.cut_count for o in outcomes], w),
        evacuation_hours=_quantiles([o.hours for o in outcomes], w),
        cut_stretches=tuple(stretches),
    )


@dataclass
class _Job:
    """Samples of one scenario for one mover at some dates: what a worker needs."""

    scenario: Scenario
    network: RoadNetwork
    days: tuple[dt.date, ...]
    seed: int
    mover: str | None
    plan: str | None
    population: int | None
    analyst: _Analyst | None = None
    known: dict[tuple[object, ...], _Outcome] = field(default_factory=dict)

    def run(
        self, block: range, on_sample: Callable[[int, int], None] | None = None
    ) -> list[list[_Outcome]]:
        """Per date, the outcome of each sample of ``block``, in order (what is bound and
        analysed is kept for the process's next block)."""
        if self.analyst is None:
            self.analyst = _Analyst(self.network, mover=self.mover, plan=self.plan)
        analyst, known = self.analyst, self.known
        mover_id = self.scenario.mover_profile(self.mover).id
        outcomes: list[list[_Outcome]] = [[] for _ in self.days]
        for i in block:
            sc, zone_draws = _draw(self.scenario, self.seed, i, self.plan)
            # what decides a date's situation: the events applied by then (with their dates,
            # in order) and the zones drawn; samples that agree on it share the answer
            applied = [
                (e.id, e.date.toordinal(), e.plan)
                for e in timeline_events(sc, self.plan)
                if e.applies_to(mover_id)
            ]
            for j, d in enumerate(self.days):
                day_n = d.toordinal()
                key = (day_n, zone_draws, *(a for a in applied if a[1] <= day_n))
                if key not in known:
                    known[key] = analyst.outcome(sc, d, self.population)
                outcomes[j].append(known[key])
            if on_sample is not None:
                on_sample(i + 1, block.stop)
        return outcomes


@dataclass(frozen=True)
class SampleBlock:
    """The outcomes of samples ``start`` to ``stop - 1`` at each date of a :class:`Sampler`
    (what a worker returns: small, it pickles cheaply)."""

    start: int
    stop: int
    outcomes: tuple[tuple[_Outcome, ...], ...]  # per date, per sample


class Sampler:
    """Samples of one scenario for one mover (and plan) at some dates, drawn block by block:
    what :func:`sample_timeline` runs, open to callers that spread the blocks over processes
    or machines (``corridor batch`` on Dask). Sample ``i`` is the same whichever block draws
    it, so the summaries do not depend on how the samples were split.

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled("mosul-2016")
    >>> s = Sampler(sc, networks, seed=1, mover="isis-fighters", dates=[dt.date(2016, 11, 3)])
    >>> whole = s.summaries([s.block(range(0, 20))])
    >>> split = s.summaries([s.block(range(10, 20)), s.block(range(0, 10))])
    >>> whole == split
    True
    """

    def __init__(
        self,
        scenario: Scenario,
        network_for: NetworkFor,
        *,
        seed: int = 0,
        mover: str | None = None,
        plan: str | None = None,
        dates: Iterable[dt.date] | None = None,
        population: int | None = None,
    ) -> None:
        days = list(dates) if dates is not None else change_dates(scenario, plan)
        timeline_events(scenario, plan)  # an unknown plan is an error before any work
        self.network = mover_network(scenario, network_for, mover)
        self.days = tuple(days)
        self.seed = seed
        self.job = _Job(scenario, self.network, self.days, seed, mover, plan, population)
        profile = scenario.mover_profile(mover)
        self.exit_names = tuple(a.name for a in (profile.exits or scenario.exits))

    def block(
        self, samples: range, on_sample: Callable[[int, int], None] | None = None
    ) -> SampleBlock:
        """The outcomes of the samples in ``samples`` (consecutive) at each date; what is bound
        and analysed stays for the next block."""
        done = self.job.run(samples, on_sample)
        return SampleBlock(samples.start, samples.stop, tuple(tuple(d) for d in done))

    def summaries(self, blocks: Iterable[SampleBlock]) -> list[SampleSummary]:
        """The answers at each date over the samples of ``blocks`` (any order), which must be
        samples 0 to n - 1, each once."""
        ordered = sorted(blocks, key=lambda b: b.start)
        at = 0
        for b in ordered:
            if b.start != at or b.stop <= b.start:
                msg = f"sample blocks: expected one starting at sample {at}, got {b.start}-{b.stop}"
                raise ValueError(msg)
            at = b.stop
        if at == 0:
            msg = "sample blocks: none"
            raise ValueError(msg)
        weights = np.ones(at, dtype=np.float64)
        return [
            _summary(
                d,
                [o for b in ordered for o in b.outcomes[j]],
                weights,
                network=self.network,
                exit_names=self.exit_names,
                seed=self.seed,
                exact=False,
            )
            for j, d in enumerate(self.days)
        ]


_JOB: list[_Job] = []  # a worker's job (set once per worker process)


def _set_job(job: _Job) -> None:
    _JOB[:] = [job]


def _run_block(block: range) -> SampleBlock:
    done = _JOB[0].run(block)
    return SampleBlock(block.start, block.stop, tuple(tuple(d) for d in done))


def sample_timeline(
    scenario: Scenario,
    network_for: NetworkFor,
    *,
    samples: int,
    seed: int = 0,
    mover: str | None = None,
    plan: str | None = None,
    dates: Iterable[dt.date] | None = None,
    population: int | None = None,
    workers: int = 1,
    on_sample: Callable[[int, int], None] | None = None,
) -> list[SampleSummary]:
    """The answers at each date (default: every change date) over ``samples`` samples.

    Parameters
    ----------
    scenario, network_for
        The scenario and its networks (:class:`corridor.network.load.NetworkLoader`).
    samples
        How many samples to draw (each one analysed at every date).
    seed
        Sample ``i`` draws from ``default_rng([seed, i])``.
    mover, plan, population
        As for :func:`corridor.analysis.replay.replay`.
    dates
        The dates to answer for (default: the scenario's change dates).
    workers
        Processes that draw and analyse samples (blocks of consecutive samples each); the
        answers are the same whatever their number.
    on_sample
        Called with (done, total) after each sample.

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled("mosul-2016")
    >>> [s] = sample_timeline(sc, networks, samples=20, seed=1, mover="isis-fighters",
    ...                       dates=[dt.date(2016, 11, 3)])
    >>> 0 <= s.p_open <= 1, s.n
    (True, 20)
    """
    if samples < 1:
        msg = f"samples {samples}: give at least 1"
        raise ScenarioError(msg)
    sampler = Sampler(
        scenario,
        network_for,
        seed=seed,
        mover=mover,
        plan=plan,
        dates=dates,
        population=population,
    )
    workers = max(1, min(workers, samples))
    if workers == 1:
        return sampler.summaries([sampler.block(range(samples), on_sample)])
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # contiguous blocks, in order: sample i is the same whoever draws it
    size = max(1, -(-samples // (workers * 4)))
    blocks = [range(a, min(a + size, samples)) for a in range(0, samples, size)]
    fork = multiprocessing.get_context("fork")  # the workers inherit the job, unpickled
    done: list[SampleBlock] = []
    with ProcessPoolExecutor(
        workers, mp_context=fork, initializer=_set_job, initargs=(sampler.job,)
    ) as pool:
        for block in pool.map(_run_block, blocks):
            done.append(block)
            if on_sample is not None:
                on_sample(block.stop, samples)
    return sampler.summaries(done)


def sample_at(
    scenario: Scenario,
    network_for: NetworkFor,
    day: dt.date | None,
    *,
    samples: int,
    seed: int = 0,
    mover: str | None = None,
    plan: str | None = None,
    population: int | None = None,
    workers: int = 1,
    on_sample: Callable[[int, int], None] | None = None,
) -> SampleSummary:
    """The answers at one date (None: the first) over ``samples`` samples (see
    :func:`sample_timeline`)."""
    d = day or first_date(scenario, plan)
    [out] = sample_timeline(
        scenario,
        network_for,
        samples=samples,
        seed=seed,
        mover=mover,
        plan=plan,
        dates=[d],
        population=population,
        workers=workers,
        on_sample=on_sample,
    )
    return out


def exact_at(
    scenario: Scenario,
    network_for: NetworkFor,
    day: dt.date | None,
    *,
    mover: str | None = None,
    plan: str | None = None,
    population: int | None = None,
) -> SampleSummary:
    """The answers at one date over every subset of the uncertain events in force, each
    weighted by its probability: the exact values that sampling estimates.

    Uncertain events are those that apply to the mover, are dated on or before ``day`` and have
    a confidence strictly between 0 and 1 (a group counts once). Refused (ScenarioError) when
    there are more than :data:`MAX_EXACT` of them, or when an event or zone gives a date or
    boundary uncertainty (which sampling handles).
    """
    d = day or first_date(scenario, plan)
    timeline_events(scenario, plan)
    profile = scenario.mover_profile(mover)
    events = _all_events(scenario, plan)
    if any(e.date_uncertainty_days > 0 for e in events) or any(
        z.boundary_uncertainty_m > 0 for z in scenario.zones
    ):
        msg = "exact: an event gives date_uncertainty_days or a zone boundary_uncertainty_m; sample instead"
        raise ScenarioError(msg)
    if any(z.confidence is not None and z.confidence < 1 for z in scenario.zones):
        msg = "exact: a zone's confidence is below 1 (zones are held with it); sample instead"
        raise ScenarioError(msg)
    units, p = _units(events)
    relevant = [
        k
        for k, u in enumerate(units)
        if 0 < p[k] < 1 and any(events[i].date <= d and events[i].applies_to(profile.id) for i in u)
    ]
    if len(relevant) > MAX_EXACT:
        msg = (
            f"exact: {len(relevant)} uncertain events (or groups) in force on {d}, more than "
            f"{MAX_EXACT}; sample instead"
        )
        raise ScenarioError(msg)
    network = mover_network(scenario, network_for, mover)
    analyst = _Analyst(network, mover=mover, plan=plan)
    base = np.array([pk >= 1 for pk in p], dtype=bool)  # certain units happen; p = 0 never
    outcomes: list[_Outcome] = []
    weights: list[float] = []
    for bits in itertools.product((False, True), repeat=len(relevant)):
        on = base.copy()
        prob = 1.0
        for k, b in zip(relevant, bits, strict=True):
            on[k] = b
            prob *= p[k] if b else 1 - p[k]
        kept = np.zeros(len(events), dtype=bool)
        for k, u in enumerate(units):
            kept[u] = on[k]
        outcomes.append(analyst.outcome(_with_events(scenario, events, kept, plan), d, population))
        weights.append(prob)
    return _summary(
        d,
        outcomes,
        np.array(weights, dtype=np.float64),
        network=network,
        exit_names=analyst.exit_names,
        seed=None,
        exact=True,
    )
