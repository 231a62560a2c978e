"""The communities layer (issue 26): ``corridor scan --map`` and ``corridor map --communities``
put every community's status on the map's time slider, the same statuses ``corridor scan
--json`` gives for each date."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.outputs.scan import STATUS_COLOURS

runner = CliRunner()


def _embedded(page: str) -> dict[str, Any]:
    m = re.search(r'<script id="corridor-data" type="application/json">(.*?)</script>', page, re.S)
    assert m, "the page embeds no data"
    data: dict[str, Any] = json.loads(m.group(1))
    return data


def _scan_rows(*args: str) -> dict[str, dict[str, str]]:
    r = runner.invoke(app, ["scan", "mosul-2016", *args, "--json"])
    assert r.exit_code == 0, r.output
    rows: dict[str, dict[str, str]] = {}
    for row in json.loads(r.stdout)["rows"]:
        rows.setdefault(row["date"], {})[row["community"]] = row["status"]
    return rows


def test_scan_map_shows_each_dates_statuses_on_the_slider(tmp_path: Path) -> None:
    page = tmp_path / "scan.html"
    r = runner.invoke(app, ["scan", "mosul-2016", "--map", str(page), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["rows"]  # the JSON still goes to standard output
    data = _embedded(page.read_text(encoding="utf-8"))
    expected = _scan_rows()
    assert [f["date"] for f in data["frames"]] == sorted(expected)
    assert "communities" in data["overlays"] and data["status_colours"] == STATUS_COLOURS
    for frame in data["frames"]:
        fc = frame["layers"]["communities"]
        got = {f["properties"]["community"]: f["properties"]["status"] for f in fc["features"]}
        assert got == expected[frame["date"]], frame["date"]
        for f in fc["features"]:
            assert f["properties"]["colour"] == STATUS_COLOURS[f["properties"]["status"]]
    # after 23 November, Mosul and Tal Afar are in one pocket (the bundled story)
    late = next(fr for fr in data["frames"] if fr["date"] >= "2016-11-24")
    props = {
        f["properties"]["name"]: f["properties"] for f in late["layers"]["communities"]["features"]
    }
    tal_afar = next(p for n, p in props.items() if n.startswith("Tal Afar"))
    assert tal_afar["status"] == "cut-off" and tal_afar["pocket"]


def test_map_with_communities_writes_the_layer_and_refuses_it_on_a_bare_extract(
    tmp_path: Path,
) -> None:
    out = tmp_path / "layers"
    r = runner.invoke(
        app,
        [
            "map",
            "mosul-2016",
            "--at",
            "2016-11-25",
            "--communities",
            "scenario",
            "--geojson",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    fc = json.loads((out / "communities.geojson").read_text(encoding="utf-8"))
    got = {f["properties"]["community"]: f["properties"]["status"] for f in fc["features"]}
    assert got == _scan_rows("--at", "2016-11-25")["2016-11-25"]
    # a file of communities that does not exist: one line, exit 2
    bad = runner.invoke(
        app,
        [
            "map",
            "mosul-2016",
            "--communities",
            str(tmp_path / "nope.csv"),
            "-o",
            str(tmp_path / "m.html"),
        ],
    )
    assert bad.exit_code == 2 and "nope.csv" in bad.output and "Traceback" not in bad.output
    # a bare road map has no scenario to scan: refused, naming the option
    from corridor.bundled import bundled_scenarios

    roads = bundled_scenarios()["mosul-2016"].parent / "roads.geojson"
    bare = runner.invoke(
        app, ["map", str(roads), "--communities", "scenario", "-o", str(tmp_path / "r.html")]
    )
    assert bare.exit_code == 2 and "--communities" in bare.output, bare.output
    assert not (tmp_path / "r.html").exists()
