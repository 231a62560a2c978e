"""The served scenarios, their recorded events, and the prepared situations what-ifs start from.

:class:`Workbench` holds, per served scenario, its file (path and text) and its networks (each
base mover's loaded once, through the on-disk cache); per scenario version (the number of
entries in its event log) the scenario with its recorded events; and, per (scenario, version,
mover, date, plan) in use, a :class:`Situated` (carried to a new version when the edits since do
not change the state at its date): the mover's network, the situation at that date,
what is built once per network, origin and exits (:class:`corridor.analysis.prepared.Prepared`)
and, on first use, a :class:`corridor.analysis.session.ClosureSession`. A what-if then costs a
mask change and the analysis itself, never a load, a situation or a preparation. The last
:data:`MAX_SITUATIONS` situations used are kept.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.errors import CorridorError, EventError, NotFound, ScenarioError
from corridor.model.network import RoadNetwork
from corridor.model.scenario import MoverProfile, Scenario
from corridor.model.situation import Closure, Situation
from corridor.model.timeline import check_window, first_date, state_at, timeline_events
from corridor.network.load import NetworkLoader
from corridor.scenario.load import load_scenario, scenario_from_yaml
from corridor.scenario.yaml_lines import MAX_FILE_BYTES, YamlLines, parse_yaml, read_top_level
from corridor.serve.events import (
    CurrentEvent,
    event_problem,
    item_size,
    replay_log,
    scenario_data,
    scenario_text,
)
from corridor.serve.store import Entry, EventLog, scenario_key

if TYPE_CHECKING:  # analysis loads on the first report (``corridor serve`` starts sooner)
    from corridor.analysis.report import CorridorReport
    from corridor.analysis.session import ClosureSession
    from corridor.model.communities import Community
    from corridor.outputs.layers import FeatureCollection

MAX_SITUATIONS = 6
"""Prepared situations kept (each holds a mover's network state and flows; the 1M-edge grid's
takes a few hundred MB)."""


@dataclass
class Source:
    """A served scenario file: its path, its text as read at start, its ``events`` items, and
    the text parsed (data and lines), once."""

    name: str
    path: Path
    text: str
    file_events: list[Any]
    networks: NetworkLoader
    key: str = ""  # its event log's key (:func:`corridor.serve.store.scenario_key`)
    data: dict[str, Any] = field(default_factory=dict)
    lines: YamlLines = field(default_factory=lambda: YamlLines(None))


@dataclass
class Version:
    """A scenario with its recorded events, at one version of its log."""

    scenario: Scenario
    version: int
    events: dict[str, CurrentEvent]
    file_text: str  # the scenario file's text, as read at start
    kept: list[Entry] = field(default_factory=list)  # the log's entries in force
    skipped: list[dict[str, Any]] = field(default_factory=list)  # those that no longer fit

    def skipped_ids(self) -> set[str]:
        return {s["event_id"] for s in self.skipped}

    @cached_property
    def text(self) -> str:
        """The scenario file's text with the events as they stand (``/export``), written once
        when first asked."""
        return scenario_text(self.file_text, self.events)


def settle_heap() -> None:
    """Keep what the server holds for good out of the cyclic garbage collector's full passes.

    A prepared situation and the libraries it loaded (numba's compiler among them) are millions
    of objects that live as long as the server; every full collection walked them all, about
    50 ms on Andorra, and one came every few requests, which made the slowest answers 3 to 4
    times the typical one. Once a situation's first report or its what-if session is made (what
    builds and loads what stays), one full collection frees what an evicted situation left
    (``gc.unfreeze`` first, so that it can), then ``gc.freeze`` moves every object left into the
    permanent generation, which the collector skips; they are still freed by reference counting
    when dropped.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Situated:
    """One (scenario version, mover, date, plan): the situation what-ifs start from."""

    def __init__(
        self,
        scenario: Scenario,
        networks: NetworkLoader,
        day: dt.date | None,
        mover: str | None,
        plan: str | None,
        *,
        progress: Callable[[str | None], None] | None = None,
    ) -> None:
        from corridor.analysis.prepared import SituationWork
        from corridor.analysis.replay import MoverReplay

        self.progress = progress or (lambda stage: None)
        self.progress("loading the network (a large extract's first load builds its cache)")
        # the replay's own per-mover runner, so that a report here is report_at's exactly
        self.run = MoverReplay(scenario, networks, mover)
        self.scenario = scenario
        self.profile: MoverProfile = self.run.profile
        self.network: RoadNetwork = self.run.network
        dated = day is not None or scenario.start is not None or bool(scenario.events)
        self.day = day or first_date(scenario, plan)
        self.label = self.day.isoformat() if dated else None
        self.plan = plan
        self.progress("placing the closures and zones of the date")
        self.situation, self.state = self.run.situation(self.day, plan)
        self.progress("preparing the network's structures (chains, flow graph)")
        self.prepared = self.run.prepared_for(self.situation)
        self.progress(None)
        self.lock = threading.Lock()
        self._session: ClosureSession | None = None
        self._base: CorridorReport | None = None
        self._base_work = SituationWork(self.situation, self.prepared)  # the date's, kept
        self.networks = networks
        self._communities: list[Community] | None = None
        self._communities_layer: FeatureCollection | None = None  # without what-ifs

    @property
    def population(self) -> int:
        return self.state.population

    def closed(self, closures: Sequence[Closure]) -> tuple[Situation, list[tuple[Closure, int]]]:
        """The situation with ``closures`` closed on top, and the edges each covers (leniently:
        a way that is not in the mover's network covers none, and the report warns)."""
        return self.run.with_what_ifs(self.situation, closures, strict=False)

    def report(self, closures: Sequence[Closure] = ()) -> CorridorReport:
        """The full report (``corridor analyze``'s) with ``closures`` as what-ifs."""
        with self.lock:
            if not closures and self._base is not None:
                return self._base
            situation, applied = self.closed(closures)
            if not closures:
                self.progress("analysing (the first report of this date)")
            try:
                report = self.run.analysed(
                    situation,
                    self.state,
                    plan=self.plan,
                    label=self.label,
                    k=2,
                    population=self.population,
                    what_if=applied,
                    # the date's report keeps its work; a what-if on top of it keeps what of
                    # that report it leaves untouched (routes, the cheapest flow)
                    work=None if closures else self._base_work,
                    previous=None if self._base is None else (self._base_work, self._base),
                )
            finally:
                self.progress(None)
            if not closures:
                self._base = report
                settle_heap()
            return report

    def communities(self, closures: Sequence[Closure] = ()) -> FeatureCollection:
        """The map's communities by status at this date with ``closures`` as what-ifs
        (``corridor scan``'s: the scenario's default communities, the change dates up to this
        one scanned so that ``cut_off_since`` counts back). A scenario a scan cannot take (no
        refuge, no community) gives an empty layer that says why (``properties.note``)."""
        from corridor.analysis.scan import scan
        from corridor.network.communities import choose_communities
        from corridor.outputs.scan import communities_layer

        _, applied = self.closed(closures)
        what_if = [c for c, covered in applied if covered]
        if not what_if and self._communities_layer is not None:
            return self._communities_layer  # the recorded state's scan, made once
        try:
            with self.lock:
                if self._communities is None:
                    self.progress("finding the communities (once per situation)")
                    self._communities = choose_communities(
                        self.scenario,
                        self.network,
                        mover=self.profile.id,
                        hub=self.profile.origin,
                    )
            self.progress("scanning every community")
            result = scan(
                self.scenario,
                self.networks,
                self._communities,
                mover=self.profile.id,
                plan=self.plan,
                upto=self.day,
                hub=self.profile.origin,
                what_if=what_if,
            )
        except CorridorError as exc:
            note = {"layer": "communities", "note": str(exc)}
            return {"type": "FeatureCollection", "properties": note, "features": []}
        finally:
            self.progress(None)
        layer = communities_layer(result, len(result.dates) - 1)
        if not what_if:
            self._communities_layer = layer
        return layer

    def quick(self, closures: Sequence[Closure]) -> CorridorReport:
        """The quick report (:func:`corridor.analysis.session.quick_report`) with ``closures``
        as what-ifs, from this situation's :class:`ClosureSession` (set up on first use)."""
        from corridor.analysis.session import ClosureSession, quick_report

        with self.lock:
            if self._session is None:
                self.progress("setting up what-ifs (the situation's maximum flows, once)")
                try:
                    self._session = ClosureSession(self.situation, prepared=self.prepared)
                finally:
                    self.progress(None)
                settle_heap()
            situation, applied = self.closed(closures)
            answer = self._session.answer(np.flatnonzero(self.situation.open & ~situation.open))
        return quick_report(
            answer,
            self.state,
            scenario=self.scenario,
            mover=self.profile.id,
            date=self.label,
            plan=self.plan,
            population=self.population,
            what_if=applied,
            situation=situation,
        )


class Workbench:
    """The served scenarios, their event log and the prepared situations (module docstring)."""

    def __init__(
        self, paths: Sequence[str | Path], log: EventLog, *, max_situations: int = MAX_SITUATIONS
    ) -> None:
        self.log = log
        self.sources: dict[str, Source] = {}
        self._versions: dict[tuple[str, int], Version] = {}
        loaders: dict[str, NetworkLoader] = {}
        for p in paths:
            sc = load_scenario(p)
            if sc.name in self.sources:
                msg = (
                    f"{p}: scenario name {sc.name!r} is also the name of "
                    f"{self.sources[sc.name].path}; serve scenarios with distinct names"
                )
                raise ScenarioError(msg)
            text = Path(p).read_text(encoding="utf-8")
            data, lines = parse_yaml(text)
            items = read_top_level(p).get("events") or []
            key = f"{sc.network_kind}:{sc.network_path}"
            loaders.setdefault(key, NetworkLoader(sc.network_path, kind=sc.network_kind))
            log_key = scenario_key(sc.name, Path(p))
            log.migrate(sc.name, log_key)
            self.sources[sc.name] = Source(
                sc.name,
                Path(p),
                text,
                items if isinstance(items, list) else [],
                loaders[key],
                log_key,
                data,
                lines,
            )
            events = replay_log(self.sources[sc.name].file_events, [])
            self._versions[(sc.name, 0)] = Version(sc, 0, events, text)
        self.max_situations = max_situations
        self._situated: OrderedDict[tuple[Any, ...], Situated] = OrderedDict()
        self._building: dict[tuple[Any, ...], threading.Lock] = {}
        self.preparing: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._lock = threading.Lock()
        # per scenario: the version an accepted edit's check built, until the log says whether
        # the edit was committed (then it is that version, built once)
        self._trial: dict[str, Version] = {}
        self._sizes: dict[tuple[str, int], int] = {}  # (log key, entry version): its item's bytes

    # ---------------------------------------------------------------------------- scenarios
    def source(self, name: str) -> Source:
        found = self.sources.get(name)
        if found is None:
            served = ", ".join(self.sources) or "none"
            msg = f"no scenario named {name!r} is served; served: {served}"
            raise NotFound(msg)
        return found

    def current(self, name: str) -> Version:
        """The scenario ``name`` with its recorded events, at its log's current version."""
        src = self.source(name)
        version = self.log.version(src.key)
        with self._lock:
            found = self._versions.get((name, version))
        if found is not None:
            return found
        built = self._committed(name, src, version)
        if built is None:
            built = self._version(src, self.log.entries(src.key))
        with self._lock:
            self._versions[(name, built.version)] = built
            for key in [k for k in self._versions if k[0] == name and k[1] < built.version - 2]:
                if key[1] != 0:
                    del self._versions[key]
        return built

    def _committed(self, name: str, src: Source, version: int) -> Version | None:
        """The version the last accepted edit's check built, if that edit is the log's
        ``version``-th entry (it was committed), else None."""
        with self._lock:
            trial = self._trial.pop(name, None)
        if trial is None or trial.version != version or not trial.kept:
            return None
        last = self.log.entries(src.key, since=version - 1)
        return trial if last == [trial.kept[-1]] else None

    def _size(self, src: Source, event: CurrentEvent) -> int:
        """The bytes ``event`` (created or amended) adds to the scenario's text, once."""
        key = (src.key, event.version)
        if key not in self._sizes:
            self._sizes[key] = item_size(event.fields) or 0
        return self._sizes[key]

    def _build(self, src: Source, entries: list[Entry]) -> Version:
        events = replay_log(src.file_events, entries)
        data, lines = scenario_data(src.data, src.lines, events)
        scenario = scenario_from_yaml(data, lines, src.path)
        return Version(scenario, len(entries), events, src.text, list(entries))

    def _version(self, src: Source, entries: list[Entry]) -> Version:
        """The scenario with ``entries``; an entry with which it would not load (its file was
        edited since, or the log was written for another file) is skipped and reported in
        ``skipped``, so that one stale entry never breaks the scenario or the listing."""
        try:
            return self._build(src, entries)
        except CorridorError:
            pass
        kept: list[Entry] = []
        skipped: list[dict[str, Any]] = []
        for e in entries:
            try:
                self._build(src, [*kept, e])
            except CorridorError as exc:
                problems = getattr(exc, "problems", None) or [str(exc)]
                skipped.append(
                    {
                        "version": e.version,
                        "op": e.op,
                        "event_id": e.event_id,
                        "problem": str(problems[0]).replace(str(src.path), src.path.name),
                    }
                )
            else:
                kept.append(e)
        built = self._build(src, kept)
        retracted = {e.event_id for e in kept if e.op == "retract"}
        built.version = len(entries)
        built.skipped = [s for s in skipped if s["event_id"] not in retracted]
        return built

    def check_edit(self, name: str, entries: list[Entry]) -> None:
        """Refuse (raise) the log ``entries`` when the scenario with them would not load: the
        loader's message, about the last entry's event. Entries already skipped stay skipped;
        the new one (last) must fit."""
        src = self.source(name)
        with self._lock:
            before = self._versions.get((name, len(entries) - 1))
        if before is None:
            before = self._version(src, entries[:-1])
        entry = entries[-1]
        if entry.body is not None:
            size = item_size(entry.body)
            if size is None:
                msg = (
                    f"{entry.op} of event {entry.event_id!r} refused: its fields would not "
                    "read back as written in the scenario file; send plain text, numbers, "
                    "lists and mappings"
                )
                raise EventError(msg, [msg])
            self._sizes[(src.key, entry.version)] = size
        trial = [*before.kept, entry]
        try:
            built = self._build(src, trial)
        except ScenarioError as exc:
            events = replay_log(src.file_events, trial)
            raise event_problem(exc, events, entry, src.path) from None
        exported = len(src.text.encode("utf-8")) + sum(
            self._size(src, e) for e in built.events.values() if e.version and e.status == "current"
        )
        if exported > MAX_FILE_BYTES:
            msg = (
                f"{entry.op} of event {entry.event_id!r} refused: the scenario with it would be "
                f"{exported / 2**20:,.1f} MiB, more than the {MAX_FILE_BYTES // 2**20} MiB a "
                "scenario file may hold (its /export would not load); shorten quotes and notes, "
                "or retract events"
            )
            raise EventError(msg, [msg])
        built.version = len(entries)
        built.skipped = [  # a skipped entry whose event is now retracted is no longer listed
            x
            for x in before.skipped
            if not (entry.op == "retract" and x["event_id"] == entry.event_id)
        ]
        with self._lock:
            self._trial[name] = built

    # --------------------------------------------------------------------------- situations
    def situated(
        self, name: str, day: dt.date | None, mover: str | None, plan: str | None
    ) -> tuple[Situated, Version]:
        """The prepared situation of ``name`` at its current version (built on first use)."""
        version = self.current(name)
        sc = version.scenario
        check_request(sc, day, mover, plan)
        key = (name, version.version, mover or sc.mover, day, plan)
        with self._lock:
            found = self._situated.get(key)
            if found is not None:
                self._situated.move_to_end(key)
                return found, version
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                found = self._situated.get(key)
            if found is None:
                found = self._carried(key, sc)
            if found is None:
                try:
                    found = Situated(
                        sc,
                        self.sources[name].networks,
                        day,
                        mover,
                        plan,
                        progress=lambda stage: self._progress(key, stage),
                    )
                finally:
                    self._progress(key, None)
                    with self._lock:
                        self._building.pop(key, None)
                with self._lock:
                    self._situated[key] = found
                    while len(self._situated) > self.max_situations:
                        self._situated.popitem(last=False)
        return found, version

    def _carried(self, key: tuple[Any, ...], scenario: Scenario) -> Situated | None:
        """A situation prepared at an earlier version of the scenario whose state at its date is
        the same at this version (the edits since did not touch it: an event on a later date, a
        closure for another mover), now kept under this version's ``key``; else None. A write
        never evicts a prepared situation it does not change."""
        name, _, mover, day, plan = key
        with self._lock:
            earlier = [
                (k, s) for k, s in self._situated.items() if k[0] == name and k[2:] == key[2:]
            ]
        if not earlier:
            return None
        profile = scenario.mover_profile(mover)
        date = day or first_date(scenario, plan)
        dated = day is not None or scenario.start is not None or bool(scenario.events)
        label = date.isoformat() if dated else None
        state = state_at(scenario, date, mover=profile.id, plan=plan)
        for old, situated in reversed(earlier):
            if situated.day == date and situated.label == label and situated.state == state:
                with situated.lock:
                    situated.scenario = situated.run.scenario = scenario
                    # the scan counts back over earlier dates, which the edit may have changed
                    situated._communities_layer = None
                with self._lock:
                    self._situated.pop(old, None)
                    self._situated[key] = situated
                return situated
        return None

    def _progress(self, key: tuple[Any, ...], stage: str | None) -> None:
        with self._lock:
            if stage is None:
                self.preparing.pop(key, None)
            else:
                name, _, mover, day, plan = key
                since = self.preparing.get(key, {}).get("since", time.monotonic())
                self.preparing[key] = {
                    "scenario": name,
                    "mover": mover,
                    "date": day.isoformat() if day else None,
                    "plan": plan,
                    "stage": stage,
                    "since": since,
                }

    def in_progress(self) -> list[dict[str, Any]]:
        """What is being loaded, prepared or analysed now, with the seconds it has taken."""
        now = time.monotonic()
        with self._lock:
            items = list(self.preparing.values())
        return [
            {**{k: v for k, v in x.items() if k != "since"}, "seconds": round(now - x["since"], 1)}
            for x in items
        ]

    def network(self, name: str, mover: str | None) -> RoadNetwork:
        """The network ``mover``'s reports of scenario ``name`` index."""
        src = self.source(name)
        return self.current(name).scenario.mover_profile(mover).adapted_network(src.networks)


def check_request(
    scenario: Scenario, day: dt.date | None, mover: str | None, plan: str | None
) -> None:
    """Refuse a date outside the scenario's window, an unknown mover or plan (the CLI's words)."""
    check_window(scenario, day, what="date")
    scenario.mover_profile(mover)
    timeline_events(scenario, plan)
