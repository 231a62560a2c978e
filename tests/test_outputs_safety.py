"""What corridor writes, and where: never over an input, never outside the folder asked, never onto
a FIFO or device, ``-`` for standard output, no temporary files left behind (issues 16 and 17).

The rule behind every case (:func:`test_no_command_changes_a_file_it_was_not_told_to_write`):
run every command with every output option against a copy of a scenario folder and check, by
hashing every file before and after, that nothing changed but the files the user named.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from corridor.cli.common import chart_format
from corridor.cli.map import default_output
from corridor.errors import OutputError
from corridor.files import (
    STALE_AFTER_S,
    clean_stale_temporaries,
    safe_stem,
    write_atomic_binary,
    write_atomic_with,
)
from corridor.outputs.layers import LAYERS
from fixtures import scenario_dict, write_scenario

W1_BOX = [[9.92, 49.99], [9.98, 49.99], [9.98, 50.01], [9.92, 50.01], [9.92, 49.99]]
HOUR_AGO = time.time() - 3600


def _app() -> typer.Typer:
    from corridor.cli.main import app

    return app


def run(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(_app(), [str(a) for a in args])


def _one_line_exit_2(res, *needles: str) -> str:  # type: ignore[no-untyped-def]
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line, got: {res.output}"
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in: {lines[0]}"
    return lines[0]


def _hashes(root: Path) -> dict[str, str]:
    """Every file below ``root`` (links not followed) and its content's hash; a FIFO or a link
    by what it is."""
    out: dict[str, str] = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath, name)
            rel = str(p.relative_to(root))
            mode = p.lstat().st_mode
            if stat.S_ISLNK(mode):
                out[rel] = "link to " + os.readlink(p)
            elif stat.S_ISREG(mode):
                out[rel] = hashlib.blake2b(p.read_bytes(), digest_size=16).hexdigest()
            else:
                out[rel] = f"special {stat.S_IFMT(mode)}"
    return out


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scenario folder: scenario.yaml, roads.geojson and zones/w1.geojson (the zone an event
    names by file); the network cache elsewhere."""
    root = tmp_path / "valley"
    root.mkdir()
    (root / "zones").mkdir()
    polygon = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [W1_BOX]}}
    (root / "zones" / "w1.geojson").write_text(json.dumps(polygon))
    data = scenario_dict()
    data["events"][1]["target"] = {"geojson": "zones/w1.geojson"}
    write_scenario(root, data)
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    return root


# ------------------------------------------------------------------------ never replace an input
def test_map_geojson_into_the_scenario_folder_keeps_the_network(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16, first case: `corridor map scenario.yaml --geojson .` wrote roads.geojson over
    the scenario's own network."""
    monkeypatch.chdir(folder)
    before = _hashes(folder)
    for extra in ([], ["--force"]):
        res = run("map", "scenario.yaml", "--geojson", ".", *extra)
        _one_line_exit_2(res, "roads.geojson", "the scenario's network", "never replaces")
    assert _hashes(folder) == before
    # and the scenario still loads and analyses
    assert run("analyze", "scenario.yaml").exit_code == 0


@pytest.mark.parametrize(
    ("args", "input_name"),
    [
        (["map", "-o", "roads.geojson"], "roads.geojson"),
        (["map", "-o", "scenario.yaml"], "scenario.yaml"),
        (["map", "-o", "zones/w1.geojson"], "w1.geojson"),
        (["analyze", "--geojson", "roads.geojson"], "roads.geojson"),
        (["analyze", "--geojson", "zones/../zones/w1.geojson"], "w1.geojson"),
    ],
)
def test_an_output_naming_an_input_is_refused_before_any_work(
    folder: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], input_name: str
) -> None:
    monkeypatch.chdir(folder)
    before = _hashes(folder)
    command, *options = args
    res = run(command, "scenario.yaml", *options)
    line = _one_line_exit_2(res, "which this run reads")
    assert input_name in line and options[-1] in line, "the message names both files"
    assert _hashes(folder) == before


def test_a_chart_over_an_input_by_another_name_is_refused(folder: Path) -> None:
    """Links and hard links of an input are the input: compared with os.path.samefile."""
    (folder / "roads.png").hardlink_to(folder / "roads.geojson")
    (folder / "zone.svg").symlink_to(folder / "zones" / "w1.geojson")
    before = _hashes(folder)
    res = run("timeline", folder / "scenario.yaml", "--chart", folder / "roads.png")
    _one_line_exit_2(res, "the scenario's network")
    res = run("compare", folder / "scenario.yaml", "-p", "seal", "--chart", folder / "zone.svg")
    _one_line_exit_2(res, "w1.geojson")
    assert _hashes(folder) == before


def test_geojson_dir_holding_inputs_needs_force(folder: Path) -> None:
    """zones/ holds an input (w1.geojson) whose name is no layer's: refused without --force;
    with it, the layers are written beside the input, which stays as it was."""
    zones = folder / "zones"
    before = (zones / "w1.geojson").read_bytes()
    res = run("map", folder / "scenario.yaml", "--geojson", zones)
    _one_line_exit_2(res, "holds the scenario's inputs", "w1.geojson", "--force")
    assert sorted(p.name for p in zones.iterdir()) == ["w1.geojson"]
    res = run("map", folder / "scenario.yaml", "--geojson", zones, "--force")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in zones.iterdir()) == sorted(
        ["w1.geojson", *(f"{k}.geojson" for k in LAYERS)]
    )
    assert (zones / "w1.geojson").read_bytes() == before


def test_layer_files_corridor_did_not_write_are_kept(folder: Path, tmp_path: Path) -> None:
    """A previous export is replaced; a file of a layer's name that corridor did not write is
    refused without --force."""
    out = tmp_path / "layers"
    res = run("map", folder / "scenario.yaml", "--geojson", out)
    assert res.exit_code == 0, res.output
    res = run("map", folder / "scenario.yaml", "--geojson", out, "--at", "2020-01-12")
    assert res.exit_code == 0, "replacing corridor's own earlier layers: " + res.output
    mine = '{"type": "FeatureCollection", "features": [], "note": "my own places"}'
    (out / "places.geojson").write_text(mine)
    res = run("map", folder / "scenario.yaml", "--geojson", out)
    _one_line_exit_2(res, "places.geojson", "not a 'places' layer corridor wrote", "--force")
    assert (out / "places.geojson").read_text() == mine
    res = run("map", folder / "scenario.yaml", "--geojson", out, "--force")
    assert res.exit_code == 0, res.output
    assert json.loads((out / "places.geojson").read_text())["properties"]["layer"] == "places"


def test_help_says_what_force_does() -> None:
    res = run("map", "--help")
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    assert "--force" in text and "never replaced" in text and "--geojson" in text


# ------------------------------------------------------------------------------ names are data
@given(st.text())
def test_safe_stem_is_one_harmless_file_name(text: str) -> None:
    stem = safe_stem(text)
    assert stem, "empty"
    assert "/" not in stem and "\\" not in stem and os.sep not in stem, stem
    assert ".." not in stem.split("-") and stem not in (".", ".."), stem
    assert not any(ord(c) < 32 or ord(c) == 127 for c in stem), repr(stem)
    assert all(c.isalnum() or c in "-_" for c in stem), repr(stem)
    assert not stem.startswith("-"), "a name must not look like an option"
    assert len(stem.encode()) <= 255
    assert safe_stem(stem) == stem, "a safe stem is its own stem"


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("mosul-2016", "mosul-2016"),
        ("../victim/pwned", "victim-pwned"),
        ("/etc/passwd", "etc-passwd"),
        ("a\\b\nc\x00d", "a-b-c-d"),
        ("..", "scenario"),
        ("", "scenario"),
        ("Mosul, autumn 2016", "Mosul-autumn-2016"),
        ("حلب", "حلب"),
    ],
)
def test_safe_stem_known_answers(name: str, stem: str) -> None:
    assert safe_stem(name) == stem
    assert default_output(name) == Path(f"{stem}.html")


def test_a_hostile_name_stays_in_the_working_folder(tmp_path: Path) -> None:
    """Issue 16: `name: ../victim/pwned` made `corridor map scenario.yaml` write
    ../victim/pwned.html. Either the scenario is refused (the schema may reject such names) or
    the map lands in the working folder under a safe name."""
    victim = tmp_path / "victim"
    victim.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    data = scenario_dict()
    data["name"] = "../victim/pwned"
    path = write_scenario(work, data)
    cwd = Path.cwd()
    os.chdir(work)
    try:
        res = run("map", path)
    finally:
        os.chdir(cwd)
    assert list(victim.iterdir()) == [], "written outside the working folder"
    assert res.exit_code in (0, 2), res.output
    if res.exit_code == 0:
        assert (work / "victim-pwned.html").is_file(), sorted(p.name for p in work.iterdir())


# ------------------------------------------------------------------------------- special files
def test_a_fifo_is_refused(folder: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "map.html"
    os.mkfifo(fifo)
    res = run("map", folder / "scenario.yaml", "-o", fifo)
    _one_line_exit_2(res, "is a FIFO", str(fifo))
    res = run("analyze", folder / "scenario.yaml", "--geojson", fifo)
    _one_line_exit_2(res, "is a FIFO")
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced"


def test_a_device_is_refused(folder: Path, tmp_path: Path) -> None:
    dev = tmp_path / "null.html"
    try:  # a /dev/null of our own: the real one is never the test's to risk
        os.mknod(dev, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here (not root)")
    res = run("map", folder / "scenario.yaml", "-o", dev)
    _one_line_exit_2(res, "is a character device")
    assert stat.S_ISCHR(dev.lstat().st_mode), "the device was replaced"


def test_a_directory_is_refused_before_any_work(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "m.html").mkdir()
    res = run("map", folder / "scenario.yaml", "-o", tmp_path / "m.html")
    _one_line_exit_2(res, "is a directory")


def test_a_link_is_followed_and_kept(folder: Path, tmp_path: Path) -> None:
    """A symbolic link: the file it points to is replaced, the link stays; a dangling link
    creates its target."""
    real = tmp_path / "maps" / "valley.html"
    real.parent.mkdir()
    real.write_text("old map")
    link = tmp_path / "latest.html"
    link.symlink_to(real)
    res = run("map", folder / "scenario.yaml", "-o", link)
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text().startswith("<!DOCTYPE html>")
    dangling = tmp_path / "next.html"
    dangling.symlink_to(tmp_path / "maps" / "next.html")
    res = run("analyze", folder / "scenario.yaml", "--geojson", dangling)
    assert res.exit_code == 0, res.output
    assert dangling.is_symlink()
    assert json.loads((tmp_path / "maps" / "next.html").read_text())["type"] == "FeatureCollection"
    assert not [p for p in (tmp_path / "maps").iterdir() if p.name.startswith(".")], "leftovers"


# ----------------------------------------------------------------------------- standard output
def test_map_to_standard_output(folder: Path) -> None:
    res = run("map", folder / "scenario.yaml", "-o", "-")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("<!DOCTYPE html>") and res.stdout.rstrip().endswith("</html>")
    assert "map written to standard output" in res.stderr
    assert not (folder.parent / "-").exists() and not Path("-").exists()


def test_analyze_geojson_to_standard_output(folder: Path) -> None:
    res = run("analyze", folder / "scenario.yaml", "--geojson", "-", "--at", "2020-01-05")
    assert res.exit_code == 0, res.output
    fc = json.loads(res.stdout)  # the GeoJSON alone: the report is not printed with it
    assert fc["type"] == "FeatureCollection" and fc["properties"]["scenario"] == "valley"


@pytest.mark.parametrize(
    ("args", "magic"),
    [
        (["timeline", "--chart", "-"], b"\x89PNG\r\n\x1a\n"),
        (["timeline", "--chart", "-", "--chart-format", "SVG"], b"<?xml"),
        (["compare", "-p", "seal", "--chart", "-"], b"\x89PNG\r\n\x1a\n"),
        (["compare", "-p", "seal", "--chart", "-", "--chart-format", "svg"], b"<?xml"),
    ],
)
def test_charts_to_standard_output(folder: Path, args: list[str], magic: bytes) -> None:
    command, *options = args
    res = run(command, folder / "scenario.yaml", *options)
    assert res.exit_code == 0, res.output
    assert res.stdout_bytes.startswith(magic), res.stdout_bytes[:40]
    assert "chart written to standard output" in res.stderr


def test_chart_to_a_file_and_to_standard_output_are_the_same_bytes(
    folder: Path, tmp_path: Path
) -> None:
    res = run("timeline", folder / "scenario.yaml", "--chart", tmp_path / "t.png")
    assert res.exit_code == 0, res.output
    res = run("timeline", folder / "scenario.yaml", "--chart", "-")
    assert res.stdout_bytes == (tmp_path / "t.png").read_bytes()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["timeline", "--chart", "-", "--json"], ["--chart -", "--json", "standard output"]),
        (["timeline", "--chart", "-", "--csv"], ["--chart -", "--csv"]),
        (["compare", "-p", "seal", "--chart", "-", "--json"], ["--json"]),
        (["analyze", "--geojson", "-", "--json"], ["--geojson -", "--json"]),
        (["map", "--geojson", "-"], ["--geojson -", "name a directory"]),
        (["timeline", "--chart", "-", "--chart-format", "jpg"], ["png or svg"]),
        (["timeline", "--chart", "t.png", "--chart-format", "svg"], ["disagrees"]),
    ],
)
def test_standard_output_mistakes(
    folder: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], needles: list[str]
) -> None:
    monkeypatch.chdir(folder)
    before = _hashes(folder)
    command, *options = args
    _one_line_exit_2(run(command, "scenario.yaml", *options), *needles)
    assert _hashes(folder) == before


def test_png_is_not_written_to_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    with pytest.raises(OutputError, match="terminal"):
        chart_format(Path("-"), None)
    assert chart_format(Path("-"), "svg") == "svg"


# ---------------------------------------------------------------------------------- leftovers
def _temporaries(directory: Path) -> tuple[Path, Path, Path, Path]:
    """A stale temporary file of an output, a stale one of the old cache writer, a fresh one
    (a run writing now), and an old file of another program's naming."""
    stale = directory / ".valley.html.tmp-4242-140000"
    stale_cache = directory / "tmpab_cd123.npz.tmp"
    fresh = directory / ".valley.html.tmp-4243-140001"
    other = directory / ".notes.tmp"
    for p in (stale, stale_cache, fresh, other):
        p.write_text("partial")
    for p in (stale, stale_cache, other):
        os.utime(p, (HOUR_AGO, HOUR_AGO))
    return stale, stale_cache, fresh, other


def test_a_run_removes_stale_temporary_files_where_it_writes(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    stale, stale_cache, fresh, other = _temporaries(out)
    res = run("map", folder / "scenario.yaml", "-o", out / "valley.html")
    assert res.exit_code == 0, res.output
    assert not stale.exists() and not stale_cache.exists(), "stale temporary files left"
    assert fresh.exists(), "a temporary file of a run still writing was removed"
    assert other.exists(), "a file of another naming was removed"
    assert (out / "valley.html").is_file()


def test_the_cache_writer_removes_stale_temporary_files(tmp_path: Path) -> None:
    stale, stale_cache, fresh, other = _temporaries(tmp_path)
    write_atomic_binary(tmp_path / "network-x.npz", lambda f: f.write(b"npz"))
    assert not stale.exists() and not stale_cache.exists()
    assert fresh.exists() and other.exists()


def test_clean_stale_temporaries_keeps_links_and_young_files(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("keep")
    link = tmp_path / ".out.html.tmp-1-2"
    link.symlink_to(target)
    young = tmp_path / ".out.html.tmp-3"
    young.write_text("x")
    os.utime(young, (time.time() - STALE_AFTER_S / 2,) * 2)
    assert clean_stale_temporaries(tmp_path) == []
    assert link.is_symlink() and young.exists() and target.exists()


@pytest.mark.parametrize("error", [ValueError("boom"), KeyboardInterrupt(), OSError(28, "full")])
def test_every_failure_leaves_no_temporary_file(tmp_path: Path, error: BaseException) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text("half")
        raise error

    expected = OutputError if isinstance(error, OSError) else type(error)
    with pytest.raises(expected):
        write_atomic_with(tmp_path / "out.html", write)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the rule behind them
CASES: list[tuple[list[str], int, list[str]]] = [
    # (the command and its options after the scenario, exit code, the files the user named)
    (["analyze", "--geojson", "{out}/a.geojson"], 0, ["out/a.geojson"]),
    (["analyze", "--geojson", "-"], 0, []),
    (["analyze", "--geojson", "roads.geojson"], 2, []),
    (["analyze", "--geojson", "scenario.yaml"], 2, []),
    (["timeline", "--chart", "{out}/t.png"], 0, ["out/t.png"]),
    (["timeline", "--chart", "{out}/t.svg"], 0, ["out/t.svg"]),
    (["timeline", "--chart", "-"], 0, []),
    (["compare", "-p", "seal", "--chart", "{out}/c.png"], 0, ["out/c.png"]),
    (["compare", "-p", "seal", "--chart", "-", "--chart-format", "svg"], 0, []),
    (["map", "-o", "{out}/m.html"], 0, ["out/m.html"]),
    (["map"], 0, ["valley/valley.html"]),  # the default name, in the working folder
    (["map", "-o", "-"], 0, []),
    (["map", "-o", "roads.geojson"], 2, []),
    (["map", "--geojson", "{out}/layers"], 0, [f"out/layers/{k}.geojson" for k in LAYERS]),
    (["map", "--geojson", "."], 2, []),
    (["map", "--geojson", ".", "--force"], 2, []),
    (["map", "--geojson", "zones"], 2, []),
    (["map", "--geojson", "zones", "--force"], 0, [f"valley/zones/{k}.geojson" for k in LAYERS]),
]


def test_no_command_changes_a_file_it_was_not_told_to_write(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command with every output option, run in the scenario's folder: no file that
    existed before changes, and none appears, but the ones the user named."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("the user's own file")
    monkeypatch.chdir(folder)
    for args, code, named in CASES:
        command, *options = (a.replace("{out}", str(out)) for a in args)
        before = _hashes(tmp_path)
        res = run(command, "scenario.yaml", *options)
        changed = {c for c in _changed(before, _hashes(tmp_path)) if not c.startswith("cache/")}
        assert res.exit_code == code, f"{args}: {res.output}"
        assert changed == set(named), (
            f"{args} changed {sorted(changed - set(named))}, "
            f"did not write {sorted(set(named) - changed)}"
        )


def test_sigterm_during_a_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    """`kill` (SIGTERM) while corridor writes: the run ends and its temporary file goes."""
    code = f"""
import os, signal, time
from pathlib import Path
from corridor.cli.common import end_cleanly_on_sigterm
from corridor.files import write_atomic_with

def write(tmp):
    tmp.write_text("half")
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)

end_cleanly_on_sigterm()
write_atomic_with(Path({str(tmp_path / "out.html")!r}), write)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, proc.stderr.decode()
    assert list(tmp_path.iterdir()) == [], "the temporary file was left"


# ------------------------------- issue 29, item 6: a command's own inputs, links, DIR and -o
def _acled_csv(path: Path) -> Path:
    from test_acled import MOSUL_ROWS, write_csv

    return write_csv(path, MOSUL_ROWS[:1])


@pytest.mark.parametrize("how", ["same name", "symlink", "hard link"])
@pytest.mark.parametrize("command", ["import acled", "extract"])
def test_a_command_never_writes_over_the_file_it_reads(
    folder: Path, how: str, command: str
) -> None:
    src = folder / ("acled.csv" if command == "import acled" else "article.txt")
    if command == "import acled":
        _acled_csv(src)
    else:
        src.write_text("Red army cut the north road on Thursday.\n", encoding="utf-8")
    out = src
    if how == "symlink":
        out = folder / "review.yaml"
        out.symlink_to(src.name)
    elif how == "hard link":
        out = folder / "review.yaml"
        os.link(src, out)
    before = _hashes(folder)
    args = [*command.split(), src, "--scenario", folder / "scenario.yaml", "-o", out]
    if command == "extract":
        args += ["--published", "2020-01-09"]
    res = run(*args)
    _one_line_exit_2(res, "which this run reads", "never replaces its inputs")
    assert _hashes(folder) == before


def test_accept_never_backs_up_over_the_review_or_an_input(folder: Path) -> None:
    """Backups are numbered and created new: a link at the next name is skipped, never
    written through (issue 24: `NAME.bak` was overwritten)."""
    review = folder / "review.yaml"
    review.write_text(
        "review: 1\nscenario: valley\norigin: t\ncandidates:\n"
        "  - {id: c1, kind: close, date: 2020-01-06, confidence: 0.5, target: {place: town}}\n"
    )
    (folder / "scenario.yaml.bak1").symlink_to("roads.geojson")
    roads = (folder / "roads.geojson").read_bytes()
    before = (folder / "scenario.yaml").read_bytes()
    res = run("events", "accept", review, "--scenario", folder / "scenario.yaml", "--only", "c1")
    assert res.exit_code == 0, res.output
    assert "the old file is scenario.yaml.bak2" in res.output
    assert (folder / "roads.geojson").read_bytes() == roads
    assert (folder / "scenario.yaml.bak2").read_bytes() == before


def test_map_o_and_geojson_naming_one_path_is_one_error_line(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    res = run("map", folder / "scenario.yaml", "-o", out, "--geojson", out)
    _one_line_exit_2(res, "name one path")
    assert not out.exists()


def test_map_geojson_never_writes_through_a_link_out_of_the_directory(
    folder: Path, tmp_path: Path
) -> None:
    layers = tmp_path / "layers"
    layers.mkdir()
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    (layers / f"{next(iter(LAYERS))}.geojson").symlink_to(victim)
    for force in ([], ["--force"]):
        res = run("map", folder / "scenario.yaml", "--geojson", layers, *force)
        _one_line_exit_2(res, "symbolic link", "outside the directory")
        assert victim.read_text() == "keep me"
