"""Closures answered by ``ClosureSession`` (repaired flows) equal fresh analyses of the same
situation: status, reach per exit, both minimum cuts, the capacity and critical segments."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.analysis.cut import critical_segments, min_cut
from corridor.analysis.routes import reach
from corridor.analysis.session import ClosureSession
from strategies import edge_subsets, examples, situations


@settings(max_examples=examples(2.0))
@given(st.data())
def test_session_answers_equal_fresh_analyses(data: st.DataObject) -> None:
    situation = data.draw(situations())
    session = ClosureSession(situation)
    # several closure sets on one session: each answer starts from the same base flows
    for _ in range(3):
        closed = np.array(data.draw(edge_subsets(situation.network, max_size=5)), dtype=np.int64)
        got = session.answer(closed)
        fresh = situation.with_closed(closed)
        assert np.array_equal(got.situation.open, fresh.open)
        ref = reach(fresh)
        assert got.status == ref.status
        for mine, theirs in zip(got.exits, ref.exits, strict=True):
            assert mine.reachable == theirs.reachable, mine.name
            if theirs.travel_time_s is not None:
                assert mine.travel_time_s is not None
                assert math.isclose(mine.travel_time_s, theirs.travel_time_s, rel_tol=1e-9)
        count = min_cut(fresh)
        assert got.min_cut.count == count.count
        assert np.array_equal(got.min_cut.edges, count.edges)
        assert np.array_equal(got.min_cut.origin_side, count.origin_side)
        capacity = min_cut(fresh, weight="capacity")
        assert got.capacity_cut.capacity_pph == capacity.capacity_pph
        assert np.array_equal(got.capacity_cut.edges, capacity.edges)
        assert np.array_equal(got.capacity_cut.origin_side, capacity.origin_side)
        assert np.array_equal(got.critical, critical_segments(fresh))
