"""The bundled mosul-2016 scenario: it validates, every fact has a source, and its replay tells
the story the sources tell (asserted from the JSON reports)."""

from __future__ import annotations

import itertools
import json
from functools import cache
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli.common import bundled_scenarios
from corridor.cli.main import app

runner = CliRunner()
SCENARIO = bundled_scenarios()["mosul-2016"]
SYRIA = {"Sufuk border post", "Rabia / al-Yarubiyah crossing", "al-Qa'im / al-Bukamal crossing"}


@cache
def timeline(mover: str, plan: str | None = None) -> dict[str, dict]:
    args = ["timeline", "--json", "--mover", mover] + (["--plan", plan] if plan else [])
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return {r["date"]: r for r in json.loads(res.output)}


def at(reports: dict[str, dict], day: str) -> dict:
    """The report in force on ``day`` (the last change date on or before it)."""
    return reports[max(d for d in reports if d <= day)]


def reachable(report: dict) -> set[str]:
    return {x["name"] for x in report["exits"] if x["reachable"]}


def test_validates() -> None:
    res = runner.invoke(app, ["scenario", "validate", "mosul-2016"])
    assert res.exit_code == 0, res.output


def test_every_fact_carries_a_source() -> None:
    data = yaml.safe_load(SCENARIO.read_text())
    missing = []
    for kind in ("places", "actors", "zones", "movers", "events", "plans"):
        missing += [f"{kind}:{x.get('id')}" for x in data.get(kind, []) if not x.get("source")]
    for plan in data["plans"]:
        missing += [
            f"plan {plan['id']} event {e['id']}" for e in plan.get("add", []) if not e.get("source")
        ]
    roads = json.loads((SCENARIO.parent / "roads.geojson").read_text())
    missing += [
        f"road {f['properties'].get('osm_id')}"
        for f in roads["features"]
        if not f["properties"].get("source")
    ]
    keys = set(data["sources"])
    cited = []
    for kind in ("places", "actors", "zones", "movers", "events"):
        for x in data.get(kind, []):
            src = x.get("source")
            cited += [src] if isinstance(src, str) else list(src or [])
    assert not missing, f"without a source: {missing}"
    assert set(cited) <= keys, f"cited but not in sources: {set(cited) - keys}"
    assert all(data["sources"][k].get("url") or data["sources"][k].get("outlet") for k in keys)


def test_fighters_story_as_it_happened() -> None:
    t = timeline("isis-fighters")
    mid_oct = at(t, "2016-10-17")
    assert mid_oct["status"] == "open"
    assert reachable(mid_oct) & SYRIA, "routes to Syria are open in mid-October"
    # the western corridor narrows in early November
    assert at(t, "2016-11-03")["min_cut"]["count"] < mid_oct["min_cut"]["count"]
    assert reachable(at(t, "2016-11-03")) & SYRIA
    # 23 Nov 2016: Mosul and Tal Afar cut off from Syria, still linked to each other
    linkup = at(t, "2016-11-23")
    assert not reachable(linkup) & SYRIA
    assert reachable(linkup) == {"Tal Afar"}
    assert any(e["id"] == "pmu-sinjar-linkup" for e in linkup["events"])
    assert reachable(at(t, "2016-11-22")) & SYRIA
    # start of March 2017: Mosul cut off from Tal Afar, everything sealed
    assert at(t, "2017-03-01")["status"] == "sealed"
    assert at(t, "2017-02-27")["status"] == "open"
    # Rabia / al-Yarubiyah is held by the Peshmerga and the YPG throughout
    assert all("Rabia / al-Yarubiyah crossing" not in reachable(r) for r in t.values())


def test_plans() -> None:
    corridor = timeline("isis-fighters", "corridor")
    assert all(reachable(r) & SYRIA for r in corridor.values()), (
        "under the corridor plan the route west stays open"
    )
    encircle = timeline("isis-fighters", "encircle")
    assert at(encircle, "2016-10-28")["status"] == "open"
    assert all(r["status"] == "sealed" for d, r in encircle.items() if d >= "2016-10-29")


def test_civilians_story() -> None:
    t = timeline("civilians")
    assert at(t, "2016-10-17")["status"] == "sealed", "ISIS held the ring around Mosul"
    assert at(t, "2016-10-31")["status"] == "sealed"
    # the eastern front passes Gogjali on 1 Nov: the road east to Khazir opens
    assert "Khazir checkpoint and camp" in reachable(at(t, "2016-11-01"))
    assert "Dohuk" not in reachable(at(t, "2016-11-03")), "the Mosul-Dohuk road stays closed"
    assert at(t, "2016-11-03")["evacuation"]["hours"] is not None


def test_compare_shows_where_the_plans_part() -> None:
    res = runner.invoke(app, ["compare", "--plan", "corridor", "--plan", "encircle", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["first_difference"] == "2016-10-29"


@pytest.mark.parametrize("mover", ["isis-fighters", "civilians"])
def test_analyze_at_a_date(mover: str) -> None:
    res = runner.invoke(app, ["analyze", "--at", "2016-11-23", "--mover", mover])
    assert res.exit_code == 0, res.output
    assert Path(SCENARIO).exists()


def test_reused_dates_equal_fresh_analyses() -> None:
    """The replay skips dates that change no road for the mover; their reports must equal a
    fresh analysis of the date."""
    import datetime as dt

    from corridor.analysis.replay import mover_network, replay, report_at
    from corridor.network.load import load_network
    from corridor.outputs.json import report_json
    from corridor.scenario.load import load_scenario

    sc = load_scenario(SCENARIO)

    def net(base):  # type: ignore[no-untyped-def]
        return load_network(sc.network_path, base, kind=sc.network_kind)

    reports = replay(sc, net, mover="isis-fighters")
    reused = [r for prev, r in itertools.pairwise(reports) if r.min_cut is prev.min_cut]
    assert reused, "mosul-2016 has dates that change nothing for isis-fighters"
    for r in reused:
        fresh = report_at(sc, net, dt.date.fromisoformat(r.date), mover="isis-fighters", k=0)
        network = mover_network(sc, net, "isis-fighters")
        assert report_json(r, network) == report_json(fresh, network), r.date


def test_25_november_mosul_and_tal_afar_one_pocket_sealed_from_syria() -> None:
    """The PMU link-up of 23 November left Mosul linked to Tal Afar, a waypoint, and to no
    refuge: one pocket, cut off from Syria; the highway to Tal Afar is one critical stretch."""
    r = at(timeline("isis-fighters"), "2016-11-25")
    assert r["status"] == "open"
    assert r["headline"] == "open only to waypoints (Tal Afar); sealed from every refuge"
    assert {x["name"]: x["kind"] for x in r["exits"]} == {"Tal Afar": "waypoint"} | {
        name: "refuge" for name in SYRIA
    }
    pocket = r["pocket"]
    inside = {p["id"] for p in pocket["places"]}
    assert {"mosul", "tal-afar"} <= inside
    assert not inside & {"sinjar", "sufuk-crossing", "rabia-crossing", "qaim-crossing"}
    assert pocket["exits"] == [{"name": "Tal Afar", "kind": "waypoint"}]
    assert pocket["outline"]["type"] in ("Polygon", "MultiPolygon") and pocket["area_km2"] > 0
    (stretch,) = r["critical_stretches"]
    assert (stretch["ref"], stretch["from"], stretch["to"], stretch["segments"]) == (
        "R1",
        "Syria Gate (Bab Sham)",
        "Tal Afar",
        5,
    )
    assert stretch["length_m"] == pytest.approx(
        sum(s["length_m"] for s in r["critical_segments"]), abs=0.5
    )
    # before the link-up the pocket reached Syria
    before = at(timeline("isis-fighters"), "2016-11-20")
    assert "sufuk-crossing" in {p["id"] for p in before["pocket"]["places"]}
    assert before["pocket"]["area_km2"] > pocket["area_km2"]
