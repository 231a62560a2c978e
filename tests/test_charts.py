"""Timeline and comparison charts: real image files of the expected size, plotting the JSON."""

from __future__ import annotations

import datetime as dt
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pytest

from corridor.analysis.replay import mover_network, replay
from corridor.errors import OutputError
from corridor.io.network import NetworkLoader
from corridor.io.scenario import load_scenario
from corridor.model.timeline import change_dates
from corridor.outputs.charts import (
    DPI,
    FIGSIZE_IN,
    check_chart_path,
    compare_figure,
    timeline_figure,
    write_compare_chart,
    write_timeline_chart,
)
from corridor.outputs.json import report_json
from fixtures import write_scenario

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WIDTH, HEIGHT = round(FIGSIZE_IN[0] * DPI), round(FIGSIZE_IN[1] * DPI)


@pytest.fixture(scope="module")
def valley(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    sc = load_scenario(write_scenario(tmp_path_factory.mktemp("valley")))
    net = NetworkLoader(sc.network_path, kind=sc.network_kind)
    dates = sorted(set(change_dates(sc, None)) | set(change_dates(sc, "seal")))
    return (
        sc,
        replay(sc, net),
        replay(sc, net, dates=dates),
        replay(sc, net, plan="seal", dates=dates),
        mover_network(sc, net),
    )


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_MAGIC, f"{path} is not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _steps(line) -> tuple[list[str], list[int]]:  # type: ignore[no-untyped-def]
    """The dates and values of a step line (drawn with one extra point at the end)."""
    x, y = line.get_data()
    days = [mdates.num2date(v).date().isoformat() for v in x[:-1]]
    return days, [int(v) for v in y[:-1]]


def _by_gid(fig, gid: str):  # type: ignore[no-untyped-def]
    found = [a for ax in fig.axes for a in [*ax.lines, *ax.collections] if a.get_gid() == gid]
    assert len(found) == 1, f"{gid}: {len(found)} artists"
    return found[0]


def test_timeline_png_and_svg(valley, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sc, reports, *_ = valley
    png = write_timeline_chart(sc, reports, tmp_path / "t.png")
    assert _png_size(png) == (WIDTH, HEIGHT)
    svg = write_timeline_chart(sc, reports, tmp_path / "t.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and root.get("width") == f"{FIGSIZE_IN[0] * 72:g}pt"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.png", "t.svg"], "temp files left"


def test_timeline_series_equal_the_json(valley) -> None:  # type: ignore[no-untyped-def]
    sc, reports, _, _, net = valley
    rows = [report_json(r, net) for r in reports]
    fig = timeline_figure(sc, reports)
    days, cap = _steps(_by_gid(fig, "capacity_pph"))
    assert days == [r["date"] for r in rows]
    assert cap == [r["capacity_pph"] for r in rows]
    assert _steps(_by_gid(fig, "min_cut"))[1] == [r["min_cut"]["count"] for r in rows]
    green = np.array([0x1A, 0x98, 0x50, 0xFF]) / 255
    for i, x in enumerate(rows[0]["exits"]):
        bands = _by_gid(fig, f"exit:{x['name']}")
        is_open = [bool(np.allclose(c, green)) for c in bands.get_facecolors()]
        assert is_open == [r["exits"][i]["reachable"] for r in rows], x["name"]
    # known answers: the north road cut on the 5th and reopened on the 15th
    assert [r["exits"][1]["reachable"] for r in rows] == [True, False, False, True, True]
    # every event date has its dotted line
    vlines = {
        mdates.num2date(ln.get_xdata()[0]).date()
        for ln in fig.axes[0].lines
        if ln.get_linestyle() == ":"
    }
    assert vlines == {dt.date(2020, 1, d) for d in (5, 10, 15, 20)}


def test_compare_draws_both_plans(valley, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sc, _, a, b, _ = valley
    fig = compare_figure(sc, a, b, [None, "seal"])
    assert _steps(_by_gid(fig, "capacity_pph[0]"))[1] == [r.flow.value_pph for r in a]
    assert _steps(_by_gid(fig, "capacity_pph[1]"))[1] == [r.flow.value_pph for r in b]
    assert _steps(_by_gid(fig, "min_cut[1]"))[1][1:] == [0] * (len(b) - 1), "sealed from the 3rd"
    png = write_compare_chart(sc, a, b, [None, "seal"], tmp_path / "c.png")
    assert _png_size(png) == (WIDTH, HEIGHT) and png.stat().st_size > 20_000


@pytest.mark.parametrize(
    ("name", "needle"),
    [("missing/t.png", "does not exist"), ("t.jpg", ".png or .svg")],
)
def test_bad_chart_path(valley, tmp_path: Path, name: str, needle: str) -> None:  # type: ignore[no-untyped-def]
    sc, reports, *_ = valley
    with pytest.raises(OutputError, match=needle):
        write_timeline_chart(sc, reports, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_chart_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == tmp_path.resolve() else real(p, mode)
    )
    with pytest.raises(OutputError, match="cannot write"):
        check_chart_path(tmp_path / "t.png")
