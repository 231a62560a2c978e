"""corridor batch: tasks on Dask, one Parquet file per task, resume, failures kept apart."""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("dask.distributed")
pq = pytest.importorskip("pyarrow.parquet")

from tests.fixtures import write_scenario  # noqa: E402

from corridor.batch.runner import Task, read_spec, run_batch  # noqa: E402


def _rows(directory):
    rows = [r for f in sorted(directory.glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    return sorted(rows, key=lambda r: (r["mover"], r["plan"], r["date"]))


def test_batch_writes_resumes_and_reports_failures(tmp_path):
    scenario = write_scenario(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"scenarios: [{scenario.name}]\n"
        "dates: {from: 2020-01-01, to: 2020-01-21, every_days: 10}\n"
        "movers: [fighters, civilians]\nplans: [null, no-such-plan]\nsamples: 10\nseed: 3\n"
    )
    tasks = read_spec(spec)
    assert len(tasks) == 4 and tasks[0].dates == ("2020-01-01", "2020-01-11", "2020-01-21")
    out = tmp_path / "out"
    result = run_batch(tasks, out, workers=2, processes=False)
    assert result.written == 2 and len(result.failed) == 2, result
    assert all(t.plan == "no-such-plan" for t, _ in result.failed)
    rows = _rows(out)
    assert len(rows) == 6 and {r["samples"] for r in rows} == {10}
    assert rows[0]["status"] in ("open", "sealed") and 0 <= rows[0]["p_open"] <= 1
    again = run_batch(tasks[:1] + tasks[2:3], out, workers=1, processes=False)
    assert again.skipped == 2 and again.written == 0, "a rerun redid written tasks"
    one = tmp_path / "one"
    run_batch(tasks[:1] + tasks[2:3], one, workers=1, processes=False)
    assert _rows(one) == rows, "the rows depend on the number of workers"


def test_files_are_byte_identical_whatever_the_split_and_the_workers(tmp_path):
    """Blocks of 3 samples on 2 worker processes, and one block in this process (run_task),
    give the same Parquet bytes; and the rows equal the samples of sample_timeline."""
    import datetime as dt

    from corridor.analysis.uncertainty import sample_timeline
    from corridor.batch.runner import _write_rows, run_task
    from corridor.network.load import NetworkLoader
    from corridor.scenario.load import load_scenario

    scenario = write_scenario(tmp_path)
    days = ("2020-01-01", "2020-01-11", "2020-01-21")
    tasks = [Task(str(scenario), m, None, days, 10, 3) for m in ("fighters", "civilians")]
    out = tmp_path / "out"
    result = run_batch(tasks, out, workers=2, samples_per_task=3)
    assert result.written == 2 and not result.failed, result
    for task in tasks:
        here = tmp_path / f"{task.key()}.parquet"
        _write_rows(run_task(task), here)
        there = out / f"{task.key()}.parquet"
        assert here.read_bytes() == there.read_bytes(), f"{task.mover}: the files differ"
        sc = load_scenario(scenario)
        summaries = sample_timeline(
            sc,
            NetworkLoader(sc.network_path, kind=sc.network_kind),
            samples=10,
            seed=3,
            mover=task.mover,
            dates=[dt.date.fromisoformat(d) for d in days],
        )
        rows = pq.read_table(there).to_pylist()
        assert [r["p_open"] for r in rows] == [s.p_open for s in summaries]
        assert [r["capacity_pph_p50"] for r in rows] == [s.capacity_pph.p50 for s in summaries]


def test_blocks_of_a_task_cover_its_samples_once():
    from corridor.batch.runner import blocks_of

    task = Task("x.yaml", None, None, None, 101, 0)
    blocks = blocks_of(task, 25)
    assert blocks[0][0] == 0 and blocks[-1][1] == 101
    assert all(a[1] == b[0] for a, b in itertools.pairwise(blocks))
    assert blocks_of(Task("x.yaml", None, None, None, 0, 0)) == []


def test_task_key_names_its_inputs():
    a = Task("x.yaml", None, None, None, 0, 0)
    assert a.key() == Task("x.yaml", None, None, None, 0, 0).key()
    assert a.key() != Task("x.yaml", None, "p", None, 0, 0).key()


@pytest.mark.slow
def test_batch_on_a_scheduler_and_two_workers_started_apart(tmp_path):
    """`dask scheduler` and two `dask worker` processes on loopback, as docs/batch.md says."""
    import json
    import subprocess
    import sys
    import time

    file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-c", "from dask.__main__ import main; main()"]
    procs = [
        subprocess.Popen(
            [
                *dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for _ in range(300):
            if file.exists() and file.stat().st_size > 0:
                break
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        procs += [
            subprocess.Popen(
                [
                    *dask,
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(2)
        ]
        scenario = write_scenario(tmp_path)
        tasks = [
            Task(str(scenario), m, None, ("2020-01-01", "2020-01-21"), 0, 0)
            for m in ("fighters", "civilians")
        ]
        result = run_batch(tasks, tmp_path / "out", scheduler=address)
        assert result.written == 2 and not result.failed, result
        assert len(_rows(tmp_path / "out")) == 4
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
