"""The workbench's communities layer (issue 26): ``/api/view`` with ``layers: [communities]``
answers ``corridor scan``'s statuses at the date, and with what-ifs the scan of the roads they
leave open."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridor.analysis.scan import scan, scenario_communities
from corridor.bundled import bundled_scenarios
from corridor.cli.main import app as cli
from corridor.model.situation import Closure
from corridor.serve.app import create_app
from corridor.testing import bundled


def _statuses(fc: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {f["properties"]["community"]: f["properties"]["status"] for f in fc["features"]}


def test_the_view_answers_the_scan_at_its_date_and_with_what_ifs(tmp_path: Path) -> None:
    client = TestClient(
        create_app([bundled_scenarios()["mosul-2016"]], tmp_path / "data"),
        base_url="http://127.0.0.1",
    )
    body = {"scenario": "mosul-2016", "date": "2016-10-29", "layers": ["communities"]}
    view = client.post("/api/view", json=body).json()
    assert list(view["layers"]) == ["communities"]
    got = _statuses(view["layers"]["communities"])
    r = CliRunner().invoke(cli, ["scan", "mosul-2016", "--at", "2016-10-29", "--json"])
    assert r.exit_code == 0, r.output
    rows = [x for x in json.loads(r.stdout)["rows"] if x["date"] == "2016-10-29"]
    assert got == {x["community"]: x["status"] for x in rows}
    # the default layers do not scan
    assert (
        "communities"
        not in client.post("/api/view", json={**body, "layers": None}).json()["layers"]
    )

    # closing the minimum cut's two roads (the Tal Afar highway and the R3) as what-ifs
    shut = client.post("/api/view", json={**body, "close_ways": [1101, 1302]}).json()
    after = _statuses(shut["layers"]["communities"])
    sc, networks = bundled("mosul-2016")
    ref = scan(
        sc,
        networks,
        scenario_communities(sc),
        upto=dt.date(2016, 10, 29),
        what_if=[Closure(ways=(1101, 1302))],
    )
    assert after == dict(zip([c.id for c in ref.communities], _named(ref), strict=True))
    assert after["mosul"] == "cut-off" and got["mosul"] != "cut-off"
    # ... and the quick answer's default layers stay the quick ones
    quick = client.post(
        "/api/whatif",
        json={k: v for k, v in body.items() if k != "layers"} | {"close_ways": [1101]},
    )
    assert quick.status_code == 200 and "communities" not in quick.json()["layers"]


def _named(result) -> list[str]:  # type: ignore[no-untyped-def]
    from corridor.analysis.scan import STATUSES

    return [STATUSES[int(c)] for c in result.status[-1]]
