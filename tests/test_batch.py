"""corridor batch: tasks on Dask, one Parquet file per task, resume, failures kept apart."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("dask.distributed")
pq = pytest.importorskip("pyarrow.parquet")

from tests.fixtures import write_scenario  # noqa: E402

from corridor.batch.runner import Task, read_spec, run_batch  # noqa: E402
from corridor.errors import ScenarioError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _rows(directory):
    rows = [r for f in sorted(directory.glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    return sorted(rows, key=lambda r: (r["mover"], r["plan"], r["date"]))


def test_batch_writes_resumes_and_reports_failures(tmp_path):
    scenario = write_scenario(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"scenarios: [{scenario.name}]\n"
        "dates: {from: 2020-01-01, to: 2020-01-21, every_days: 10}\n"
        "movers: [fighters, civilians]\nplans: [null, seal]\nsamples: 10\nseed: 3\n"
    )
    tasks = read_spec(spec)
    assert len(tasks) == 4 and tasks[0].dates == ("2020-01-01", "2020-01-11", "2020-01-21")
    # a task the spec check would refuse, given directly: it fails on its worker
    broken = Task(tasks[0].scenario, "fighters", "no-such-plan", tasks[0].dates, 10, 3)
    out = tmp_path / "out"
    result = run_batch([tasks[0], tasks[2], broken], out, workers=2, processes=False)
    assert result.written == 2 and len(result.failed) == 1, result
    ((task, message),) = result.failed
    assert task.plan == "no-such-plan" and "\n" not in message and "no-such-plan" in message
    assert "Traceback" in result.tracebacks[0], "the traceback is kept for --verbose"
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
    import dataclasses
    import datetime as dt

    from corridor.analysis.uncertainty import sample_timeline
    from corridor.batch.runner import _digest, _write_rows, run_task
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
        _write_rows(run_task(task), here, dataclasses.replace(task, inputs=_digest(task)))
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


# ------------------------------------------------------------------ the spec, checked first
runner = CliRunner()


def _cli(*args: str):
    from corridor.cli.main import app

    return runner.invoke(app, list(args))


def _valley(tmp_path):
    """The valley scenario of examples/ and its roads, copied into ``tmp_path``."""
    for name in ("valley.yaml", "roads.geojson"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path / "valley.yaml"


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("dates: {from: 2020-01-01, to: 2020-01-31, every_days: 0}", "dates.every_days: 0 is not"),
        ("dates: {from: 2020-01-01, to: 2020-01-31, every_days: -1}", "dates.every_days: -1 is"),
        ("dates: {from: 2020-01-01, to: 2020-01-31, every_days: 1.5}", "every_days: 1.5 is not"),
        (
            "dates: {from: 1000-01-01, to: 8999-12-31}",
            "2,921,940 dates from 1000-01-01 to 8999-12-31 every 1 days, more than 10,000",
        ),
        ("dates: [2020-01-02, 2016-02-30]", "dates[1]: '2016-02-30' is not a date"),
        ("dates: {from: 2016-02-30, to: 2020-01-03}", "dates.from: '2016-02-30' is not a date"),
        ("dates: [2019-12-01]", "the date 2019-12-01 lies outside the window of scenario 'valley'"),
        ("samples: 1e9", "samples: '1e9' is not a whole number; write 0 to 100,000"),
        ("samples: 1.0e9", "samples: '1.0e9' is not a whole number"),
        ("samples: 1.0e+9", "samples: 1000000000.0 is not a whole number"),
        ("samples: true", "samples: True is not a whole number"),
        ("samples: -5", "samples: -5 is outside 0 to 100,000"),
        ("samples: 100001", "samples: 100,001 is outside 0 to 100,000"),
        ("seed: -1", "seed: -1 is outside"),
        ("movers: [ghost]", "movers[0]: mover 'ghost' does not exist in scenario 'valley'"),
        ("plans: [null, encircle]", "plans[1]: plan 'encircle' does not exist in scenario"),
        ("colour: red", "colour: unknown key 'colour'"),
        ("scan: yes please", "scan: scan is true or false, not 'yes please'"),
        ("scan: true\nsamples: 10", "scan: a scan takes no samples (samples: 10)"),
    ],
)
def test_a_bad_spec_is_one_line_before_any_work(tmp_path, spec, says):
    _valley(tmp_path)
    file = tmp_path / "spec.yaml"
    file.write_text(f"scenarios: [valley.yaml]\n{spec}\n")
    out = tmp_path / "out"
    result = _cli("batch", str(file), "-o", str(out))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{file}:2: "), lines
    assert says in lines[0], lines[0]
    assert not out.exists(), "nothing runs (not even the output directory) on a bad spec"


def test_a_control_character_in_a_key_and_a_huge_value_stay_one_short_line(tmp_path):
    """Found by `make fuzz`: a key holding U+001C (a line separator to ``splitlines``) split its
    problem over two lines, and a plan given as a deep nested list echoed it whole."""
    _valley(tmp_path)
    file = tmp_path / "spec.yaml"
    nested = "[" * 6 + ", ".join(["{a: 000000000000000000000000}"] * 40) + "]" * 6
    file.write_text(
        f'scenarios:\n  - {{scenario: valley.yaml, "A\\x1cB": 1}}\nplans: [{nested}]\n',
        encoding="utf-8",
    )
    result = _cli("batch", str(file), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert "scenarios[0].'A\\x1cB': unknown key 'A\\x1cB'" in lines[0], lines[0]
    assert "plans[0]: plan [[[...]]] does not exist" in lines[1], lines[1]
    assert all(len(ln) <= 400 for ln in lines), [len(ln) for ln in lines]


def test_every_problem_of_a_spec_at_once_one_line_each(tmp_path):
    """Scenarios that do not exist, a mover and a plan that one scenario lacks, and the shared
    dates' problems said once, not once per scenario."""
    _valley(tmp_path)
    file = tmp_path / "spec.yaml"
    file.write_text(
        "scenarios:\n"
        "  - valley.yaml\n"
        "  - mosul-2016\n"
        "  - nowhere.yaml\n"
        "  - {scenario: mosul-2016, movers: [ghost]}\n"
        "dates: {from: 2020-01-01, to: 2020-01-05, every_days: 0}\n"
        "plans: [null, hold-west]\n"
    )
    result = _cli("batch", str(file), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr and all(x.startswith(f"{file}:") for x in lines)
    assert [x.split(": ")[1] for x in lines] == [
        "scenarios[2]",
        "scenarios[3].movers[0]",
        "dates.every_days",
        "plans[1]",
    ], lines
    assert "plan 'hold-west' does not exist in scenario 'mosul-2016'" in lines[3]
    assert "give this scenario its own `plans:`" in lines[3]


def test_a_spec_that_cannot_be_read_is_one_error_line(tmp_path):
    result = _cli("batch", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'missing.yaml'}: cannot read the batch spec (No such file or "
        "directory)"
    ]


def test_movers_plans_and_dates_per_scenario(tmp_path):
    _valley(tmp_path)
    file = tmp_path / "spec.yaml"
    file.write_text(
        "scenarios:\n"
        "  - valley.yaml\n"
        "  - {scenario: mosul-2016, movers: [isis-fighters, civilians], plans: [null, corridor],"
        " dates: [2016-11-03]}\n"
        "dates: [2020-01-05]\nplans: [null, hold-west]\n"
    )
    tasks = read_spec(file)
    got = {(Path(t.scenario).parent.name, t.mover, t.plan or "", t.dates) for t in tasks}
    assert len(tasks) == 6 and got == {
        (tmp_path.name, "civilians", "", ("2020-01-05",)),
        (tmp_path.name, "civilians", "hold-west", ("2020-01-05",)),
        ("mosul-2016", "civilians", "", ("2016-11-03",)),
        ("mosul-2016", "civilians", "corridor", ("2016-11-03",)),
        ("mosul-2016", "isis-fighters", "", ("2016-11-03",)),
        ("mosul-2016", "isis-fighters", "corridor", ("2016-11-03",)),
    }


def test_one_scenario_mover_and_plan_asked_twice_is_one_task(tmp_path):
    """The same file by two spellings, the default mover named and not, a date given twice."""
    _valley(tmp_path)
    (tmp_path / "sub").mkdir()
    file = tmp_path / "sub" / "spec.yaml"
    file.write_text(
        "scenarios: [../valley.yaml, ./../valley.yaml, "
        f"{{scenario: {tmp_path / 'valley.yaml'}, movers: [civilians, null]}}]\n"
        "dates: [2020-01-05, 2020-01-05]\n"
    )
    tasks = read_spec(file)
    assert len(tasks) == 1, tasks
    assert tasks[0].scenario == str((tmp_path / "valley.yaml").resolve())
    assert tasks[0].mover == "civilians" and tasks[0].dates == ("2020-01-05",)


def test_two_scenarios_of_one_name_are_refused(tmp_path):
    _valley(tmp_path)
    shutil.copy(tmp_path / "valley.yaml", tmp_path / "copy.yaml")
    file = tmp_path / "spec.yaml"
    file.write_text("scenarios: [valley.yaml, copy.yaml]\n")
    with pytest.raises(ScenarioError, match=r"both named 'valley': their rows would mix"):
        read_spec(file)


# ------------------------------------------- identity: resolved paths, contents, the version
def test_three_spellings_of_the_spec_give_the_same_rows_once(tmp_path, monkeypatch):
    _valley(tmp_path)
    (tmp_path / "spec.yaml").write_text(
        "scenarios: [valley.yaml]\ndates: {from: 2020-01-01, to: 2020-01-16, every_days: 5}\n"
        "plans: [null, hold-west]\n"
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    said = []
    for spelling in ("spec.yaml", "./spec.yaml", str(tmp_path / "spec.yaml")):
        result = _cli("batch", spelling, "-o", str(out), "--workers", "1")
        assert result.exit_code == 0, result.output
        said.append(result.stderr.strip().splitlines()[-1])
    assert said[0].startswith("2 tasks written, 0 already there")
    assert said[1].startswith("0 tasks written, 2 already there") and said[2] == said[1]
    rows = _rows(out)
    keys = [(r["scenario"], r["mover"], r["plan"], r["date"]) for r in rows]
    assert len(keys) == 8 and len(set(keys)) == 8, "a (scenario, mover, plan, date) twice"


def test_an_edited_scenario_is_redone_in_place(tmp_path):
    """Editing the scenario (or a file it reads) makes its tasks stale: they are run again and
    replace their files; the rows are those of the edited scenario, once each."""
    scenario = _valley(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text("scenarios: [valley.yaml]\ndates: [2020-01-05, 2020-01-12]\n")
    out = tmp_path / "out"
    first = run_batch(read_spec(spec), out, workers=1, processes=False)
    assert first.written == 1
    before = _rows(out)
    assert [r["status"] for r in before] == ["open", "sealed"]
    # the west junction now falls on the 20th: West City stays reachable on the 12th
    text = scenario.read_text()
    assert "{id: take-west, date: 2020-01-10" in text
    scenario.write_text(
        text.replace("{id: take-west, date: 2020-01-10", "{id: take-west, date: 2020-01-20")
    )
    second = run_batch(read_spec(spec), out, workers=1, processes=False)
    assert second.written == 1 and second.replaced == 1 and second.skipped == 0, second
    after = _rows(out)
    assert len(after) == 2 and [r["status"] for r in after] == ["open", "open"], after
    # the network is an input too
    roads = tmp_path / "roads.geojson"
    roads.write_text(roads.read_text().replace('"West road"', '"West Road"'))
    third = run_batch(read_spec(spec), out, workers=1, processes=False)
    assert third.replaced == 1 and len(list(out.glob("*.parquet"))) == 1


def test_the_identity_holds_the_inputs_and_the_version(tmp_path, monkeypatch):
    import corridor._version

    scenario = _valley(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text("scenarios: [valley.yaml]\n")
    (task,) = read_spec(spec)
    assert task.scenario == str(scenario.resolve()) and len(task.inputs) == 64
    monkeypatch.setattr(corridor._version, "__version__", "999.0")
    (later,) = read_spec(spec)
    assert later.inputs != task.inputs and later.key() == task.key()


# ----------------------------------------------------- failures: one line, never Dask's trace
def test_a_task_failing_on_its_worker_is_one_line(tmp_path):
    """A scenario that loads but cannot be analysed (its origin lies off the network): one
    `failed:` line, no Dask traceback; --verbose adds the traceback."""
    scenario = _valley(tmp_path)
    scenario.write_text(
        scenario.read_text().replace(
            "{id: town, name: Town, point: [10.0, 50.0], radius_m: 1500",
            "{id: town, name: Town, point: [12.0, 51.0], radius_m: 100",
        )
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text("scenarios: [valley.yaml]\nplans: [null, hold-west]\n")
    for verbose in (False, True):
        out = tmp_path / f"out-{verbose}"
        args = ["batch", str(spec), "-o", str(out), "--workers", "1"]
        result = _cli(*args, *(["--verbose"] if verbose else []))
        assert result.exit_code == 2, result.output
        failed = [x for x in result.stderr.splitlines() if x.startswith("failed: ")]
        assert len(failed) == 2 and all("plan=" in x for x in failed), result.stderr
        assert ("Traceback" in result.stderr) == verbose, result.stderr
        assert "Compute Failed" not in result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("error: 2 of 2 tasks failed")


# ------------------------------------------- outputs that cannot be written: one line, exit 2
def test_an_output_that_is_a_file_is_one_line(tmp_path):
    _valley(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text("scenarios: [valley.yaml]\n")
    (tmp_path / "out").write_text("mine")
    result = _cli("batch", str(spec), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and (tmp_path / "out").read_text() == "mine"
    assert result.stderr.strip().splitlines() == [
        f"error: -o {tmp_path / 'out'}: exists and is not a directory; name a directory (one "
        "file per task)"
    ]


def _private_mounts() -> bool:
    """Whether this process may mount file systems in a mount namespace of its own (root, or a
    user namespace): then the tests below use a real read-only or full file system."""
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt",
        ],
        capture_output=True,
    )
    return done.returncode == 0


def _in_private_mount(tmp_path, options: str, commands: str) -> subprocess.CompletedProcess:
    """Run ``commands`` (sh) with ``tmp_path/mnt`` a fresh tmpfs mounted with ``options``, in a
    mount namespace of its own (gone when the commands end)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    )
    script = f"mount -t tmpfs -o {options} tmpfs {mnt} && {commands}"
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


CORRIDOR = f"{sys.executable} -c 'from corridor.cli.main import main; main()'"


@pytest.mark.skipif(not _private_mounts(), reason="needs mount namespaces (unshare -m) to mount")
@pytest.mark.parametrize("inside", ["", "results"])
def test_a_read_only_output_is_one_line(tmp_path, inside):
    """A read-only file system as the output, or a folder to create in one (root included:
    permissions would not stop root, a read-only mount does)."""
    _valley(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text("scenarios: [valley.yaml]\n")
    out = tmp_path / "mnt" / inside if inside else tmp_path / "mnt"
    done = _in_private_mount(tmp_path, "ro,size=1m", f"{CORRIDOR} batch {spec} -o {out}")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: -o {out}"), lines


@pytest.mark.skipif(not _private_mounts(), reason="needs mount namespaces (unshare -m) to mount")
def test_a_full_disk_is_one_line_and_keeps_what_was_written(tmp_path):
    """A file system with room for two files (inodes: the folder and two): the third task's
    write fails with ENOSPC; one error line, exit 2, the two files written stay whole."""
    _valley(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "scenarios:\n  - valley.yaml\n  - {scenario: mosul-2016, plans: [null, corridor, encircle]}\n"
        "dates: change\n"
    )
    mnt = tmp_path / "mnt"
    count = (
        f'{sys.executable} -c "import glob, pyarrow.parquet as pq; '
        f"print('rows', sum(pq.read_table(f).num_rows for f in glob.glob('{mnt}/*.parquet')))\""
    )
    done = _in_private_mount(
        tmp_path,
        "size=4m,nr_inodes=3",
        f"{CORRIDOR} batch {spec} -o {mnt} --workers 1; echo rc=$?; {count}",
    )
    errors = [x for x in done.stderr.splitlines() if x.strip()]
    assert "rc=2" in done.stdout, (done.stdout, done.stderr)
    assert len(errors) == 1 and errors[0].startswith("error: "), errors
    assert (
        "No space left on device" in errors[0]
        and "the 2 tasks written before it are kept" in errors[0]
    )
    rows = int(done.stdout.split("rows ")[1])
    assert rows > 0, "the files written before the disk filled were lost"


# ----------------------------------------------------------------------- SIGTERM stops it
def test_sigterm_stops_a_batch_within_seconds(tmp_path):
    spec = tmp_path / "spec.yaml"
    # 8 tasks of 3,000 samples each: minutes of work
    spec.write_text(
        "scenarios: [{scenario: mosul-2016, movers: [isis-fighters, civilians], "
        "plans: [null, corridor, encircle]}]\nsamples: 3000\n"
    )
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from corridor.cli.main import main; main()",
            "batch",
            str(spec),
            "-o",
            str(tmp_path / "out"),
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(children) < 2:  # the workers have started
        time.sleep(0.2)
        children |= _children(proc.pid)
        assert proc.poll() is None, proc.communicate()
    time.sleep(1.0)
    children |= _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("corridor batch ignored SIGTERM for 10 s")
    assert proc.returncode == 143 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("stopped (SIGTERM): "), err
    for _ in range(100):  # its worker processes go with it
        alive = {c for c in children if Path(f"/proc/{c}").exists() and _state(c) != "Z"}
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, f"worker processes left running: {alive}"


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    for c in list(out):
        out |= _children(c)
    return out


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_a_scan_task_writes_the_rows_corridor_scan_gives(tmp_path):
    """`scan: true`: one row per community and date under out/scan/, the same rows as
    `corridor scan --csv`, beside the origin's answers of the same scenario."""
    import csv
    import io

    spec = tmp_path / "spec.yaml"
    spec.write_text("scenarios:\n  - {scenario: mosul-2016, scan: true}\n  - mosul-2016\n")
    tasks = read_spec(spec)
    assert sorted(t.scan for t in tasks) == [False, True]
    assert len({t.key() for t in tasks}) == 2, "a scan and an analysis share a file name"
    out = tmp_path / "out"
    result = run_batch(tasks, out, workers=1, processes=False)
    assert result.written == 2 and not result.failed, result
    (scan_file,) = (out / "scan").glob("*.parquet")
    rows = pq.read_table(scan_file).to_pylist()
    assert len(list(out.glob("*.parquet"))) == 1  # the analysis rows, apart from the scan's
    cli = _cli("scan", "mosul-2016", "--csv")
    assert cli.exit_code == 0, cli.output
    want = {(r["date"], r["community"]): r for r in csv.DictReader(io.StringIO(cli.stdout))}
    assert len(rows) == len(want) > 0
    for r in rows:
        w = want[(r["date"], r["community"])]
        assert (r["scenario"], r["mover"], r["plan"]) == ("mosul-2016", "isis-fighters", "")
        assert (r["status"], r["pocket"] or "", r["cut_off_since"] or "") == (
            w["status"], w["pocket"], w["cut_off_since"]
        )  # fmt: skip
    again = run_batch(tasks, out, workers=1, processes=False)
    assert again.skipped == 2 and again.written == 0
