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
from corridor.model.timeline import change_dates
from corridor.network.load import NetworkLoader
from corridor.outputs.charts import (
    DPI,
    FIGSIZE_IN,
    OKABE_ITO,
    SEALED_COLOUR,
    SEALED_HATCH,
    check_chart_path,
    compare_figure,
    timeline_figure,
    write_compare_chart,
    write_timeline_chart,
)
from corridor.outputs.json import report_json
from corridor.scenario.load import load_scenario
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
    green = np.array([0x00, 0x9E, 0x73, 0xFF]) / 255  # Okabe-Ito bluish green
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


def _texts(fig):  # type: ignore[no-untyped-def]
    """Every text a figure draws: tick labels in view, axis labels, annotations, legends,
    the title and the figure's texts."""
    found = [*fig.texts, fig._suptitle]
    for leg in [*fig.legends, *[ax.get_legend() for ax in fig.axes]]:
        if leg is not None:
            found += [*leg.get_texts(), leg.get_title()]
    for ax in fig.axes:
        found += [*ax.texts, ax.xaxis.label, ax.yaxis.label]
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis._update_ticks():
                found += [tick.label1, tick.label2]
        found.append(ax.xaxis.get_offset_text())
    return [t for t in found if t is not None and t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("kind", ["timeline", "compare", "samples"])
def test_no_label_overlaps_or_leaves_the_figure(valley, sampled, kind: str) -> None:  # type: ignore[no-untyped-def]
    sc, reports, a, b, _ = valley
    fig = (
        timeline_figure(sc, reports)
        if kind == "timeline"
        else timeline_figure(sc, reports, samples=sampled)
        if kind == "samples"
        else compare_figure(sc, a, b, [None, "seal"])
    )
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    W, H = fig.bbox.width, fig.bbox.height
    boxes = []
    for t in _texts(fig):
        bb = t.get_window_extent(renderer)
        assert bb.x0 >= -1 and bb.y0 >= -1 and bb.x1 <= W + 1 and bb.y1 <= H + 1, (
            f"{t.get_text()!r} is cut by the figure's edge: {bb}"
        )
        boxes.append((t.get_text(), bb))
    for i, (ta, ba) in enumerate(boxes):
        for tb, bb in boxes[i + 1 :]:
            if ta == tb and np.allclose(ba.extents, bb.extents, atol=2):
                continue  # one text reached twice (a legend's title)
            inter = ba.intersection(ba, bb)
            assert inter is None or inter.width * inter.height < 4, (
                f"{ta!r} {ba} overlaps {tb!r} {bb}"
            )
    # the legends sit outside every panel
    panels = [ax.get_window_extent(renderer) for ax in fig.axes]
    for leg in [*fig.legends, *[ax.get_legend() for ax in fig.axes if ax.get_legend()]]:
        lb = leg.get_window_extent(renderer)
        for pb in panels:
            inter = lb.intersection(lb, pb)
            assert inter is None or inter.width * inter.height < 4, "a legend covers a panel"


def test_events_are_numbered_and_listed_in_full(valley) -> None:  # type: ignore[no-untyped-def]
    sc, reports, *_ = valley
    fig = timeline_figure(sc, reports)
    numbers = sorted(
        int(t.get_gid().split(":")[1])
        for t in fig.axes[0].texts
        if (t.get_gid() or "").startswith("event-number:")
    )
    dates_with_events = [r for r in reports if r.events]
    assert numbers == list(range(1, len(dates_with_events) + 1))
    listed = " ".join(
        t.get_text() for t in fig.texts if (t.get_gid() or "").startswith("event-list")
    )
    flat = " ".join(listed.split())
    for r in dates_with_events:
        for e in r.events:
            assert " ".join(e.what.split()) in flat, f"{e.what!r} is not listed in full"


def test_bands_have_no_seams_and_sealed_is_hatched(valley) -> None:  # type: ignore[no-untyped-def]
    sc, reports, a, b, _ = valley
    for fig in (timeline_figure(sc, reports), compare_figure(sc, a, b, [None, "seal"])):
        bands = [c for c in fig.axes[0].collections if (c.get_gid() or "").startswith("exit")]
        main = [c for c in bands if "-sealed:" not in c.get_gid()]
        hatched = [c for c in bands if "-sealed:" in c.get_gid()]
        assert main and hatched, "bands and sealed hatching are drawn"
        for c in main:
            assert all(w == 0 for w in c.get_linewidths()), f"{c.get_gid()}: edges draw seams"
        for c in hatched:
            assert c.get_hatch() == SEALED_HATCH
    assert SEALED_COLOUR in OKABE_ITO.values()


def test_full_exit_names_and_plan_titles(valley) -> None:  # type: ignore[no-untyped-def]
    sc, _, a, b, _ = valley
    fig = compare_figure(sc, a, b, [None, "seal"])
    labels = " ".join(" ".join(t.get_text().split()) for t in _texts(fig))
    for x in a[0].reach.exits:
        assert f"to {x.name}" in labels, x.name
    assert "…" not in labels, "a label is shortened"
    title = sc.plans["seal"].title
    assert " ".join(title.split()) in " ".join(fig._suptitle.get_text().split())


# ---------------------------------------------------------------------------------------------
# probability bands (timeline --samples N --chart)


@pytest.fixture(scope="module")
def sampled(valley):  # type: ignore[no-untyped-def]
    from corridor.analysis.uncertainty import sample_timeline

    sc = valley[0]
    networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
    return sample_timeline(sc, networks, samples=60, seed=2)


def _values(line) -> list[float | None]:  # type: ignore[no-untyped-def]
    """The values of a step line of probabilities or quantiles (NaN: None)."""
    return [None if np.isnan(v) else float(v) for v in line.get_data()[1][:-1]]


def test_probability_bands_plot_the_samples_json(valley, sampled) -> None:  # type: ignore[no-untyped-def]
    from corridor.outputs.samples import samples_json

    sc, reports, *_ = valley
    fig = timeline_figure(sc, reports, samples=sampled)
    data = [samples_json(s) for s in sampled]
    assert _values(_by_gid(fig, "p_open")) == [d["p_open"] for d in data]
    for k, x in enumerate(data[0]["exits"]):
        line = _by_gid(fig, f"p_reachable:{x['name']}")
        assert _values(line) == [d["exits"][k]["p_reachable"] for d in data], x["name"]
    assert any(
        0 < d["p_open"] < 1 or any(0 < x["p_reachable"] < 1 for x in d["exits"]) for d in data
    ), "the fixture has no uncertain date: the test would not see a band"
    for gid, key in (
        ("capacity_pph", "capacity_pph"),
        ("min_cut", "min_cut_count"),
        ("evacuation_hours", "evacuation_hours"),
    ):
        assert _values(_by_gid(fig, f"{gid}-p50")) == [d[key]["p50"] for d in data], gid
        band = _by_gid(fig, f"{gid}-band")
        ys = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
        lows = [d[key]["p10"] for d in data if d[key]["p10"] is not None]
        highs = [d[key]["p90"] for d in data if d[key]["p90"] is not None]
        never = any(d[key]["p90"] is None and d[key]["p10"] is not None for d in data)
        assert np.isclose(ys.min(), min(lows)), gid
        # a 90 % quantile that is never (a sealed origin's hours) runs above every other
        assert ys.max() > max(highs) if never else np.isclose(ys.max(), max(highs)), gid
    # the reported numbers stay drawn beside the samples
    _, caps = _steps(_by_gid(fig, "capacity_pph"))
    assert caps == [int(r.flow.value_pph) for r in reports]
    # without samples: no band at all
    plain = timeline_figure(sc, reports)
    gids = {a.get_gid() for ax in plain.axes for a in [*ax.lines, *ax.collections]}
    assert not {g for g in gids if g and (g.endswith("-band") or g.startswith("p_"))}, gids


def test_cli_timeline_samples_chart_has_bands(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from corridor.cli.main import app
    from corridor.outputs.charts import FIGSIZE_SAMPLES_IN

    path = write_scenario(tmp_path)
    svg = tmp_path / "t.svg"
    args = ["timeline", str(path), "--samples", "20", "--seed", "1", "--chart", str(svg), "--json"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    ids = {el.get("id") for el in ET.parse(svg).getroot().iter()}
    assert {"p_open", "capacity_pph-band", "min_cut-band", "evacuation_hours-band"} <= ids, ids
    png = tmp_path / "t.png"
    res = CliRunner().invoke(app, [*args[:-3], "--chart", str(png)])
    assert res.exit_code == 0, res.output
    assert _png_size(png) == (
        round(FIGSIZE_SAMPLES_IN[0] * DPI),
        round(FIGSIZE_SAMPLES_IN[1] * DPI),
    )
