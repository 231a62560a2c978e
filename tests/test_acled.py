"""ACLED exports: columns, bad rows, the rules that make a candidate, and the import command."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.bundled import bundled_scenario
from corridor.cli.main import app
from corridor.ingest.acled import (
    AcledError,
    AcledRow,
    Gazetteer,
    acled_review,
    acled_rules,
    confidence_of,
    kind_of,
    read_acled,
)
from corridor.scenario.load import load_scenario

runner = CliRunner()

#: ACLED's current export header (shared/data/DEFAULTS.md).
HEADER = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]


def acled_row(**values: object) -> dict[str, str]:
    row = {c: "" for c in HEADER}
    row.update(
        event_id_cnty="IRQ1",
        event_date="2016-11-23",
        year="2016",
        time_precision="1",
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="Popular Mobilization Forces",
        country="Iraq",
        admin1="Ninewa",
        location="Tal Afar",
        latitude="36.3792",
        longitude="42.4483",
        geo_precision="1",
        source="Reuters; AFP",
        notes="Clashes.",
        fatalities="0",
    )
    row.update({k: str(v) for k, v in values.items()})
    return row


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")  # ACLED files start with a BOM
    return path


#: Rows around the bundled Mosul scenario: one of each kind, precisions, actors, a duplicate.
MOSUL_ROWS = [
    acled_row(
        event_id_cnty="IRQ1001",
        event_type="Strategic developments",
        sub_event_type="Change to group/activity",
        notes="PMF fighters blocked the road between Tal Afar and Sinjar, cutting the route to Syria.",
    ),
    acled_row(
        event_id_cnty="IRQ1002",
        event_date="2016-11-16",
        sub_event_type="Government regains territory",
        actor2="Islamic State (Iraq)",
        location="Tal Afar Airbase",
        latitude="36.2830",
        longitude="42.4060",
        geo_precision="2",
        source="Reuters",
        notes="PMF retook Tal Afar airbase from IS.",
    ),
    acled_row(
        event_id_cnty="IRQ1003",
        event_date="2016-11-10",
        time_precision="2",
        actor1="Military Forces of Iraq (2014-)",
        actor2="Islamic State (Iraq)",
        location="Mosul",
        latitude="36.3350",
        longitude="43.1189",
        source="Rudaw",
        notes="Clashes in eastern Mosul.",
    ),
    acled_row(
        event_id_cnty="IRQ1004",
        event_date="2016-11-12",
        time_precision="3",
        event_type="Protests",
        sub_event_type="Peaceful protest",
        actor1="Protesters (Iraq)",
        location="Khazir",
        latitude="36.3000",
        longitude="43.5000",
        geo_precision="3",
        source="Local media",
        notes="Families displaced from Mosul fled to the Khazir camp.",
    ),
    acled_row(
        event_id_cnty="IRQ1005",
        event_date="2016-12-01",
        sub_event_type="Non-state actor overtakes territory",
        actor1="Islamic State (Iraq)",
        location="Wadi Nowhere",
        latitude="36.0500",
        longitude="42.7000",
        geo_precision="2",
        notes="IS fighters took the village.",
    ),
    acled_row(event_id_cnty="IRQ0999", event_date="2015-01-01", notes="Before the window."),
    acled_row(
        event_id_cnty="SYR2001",
        country="Syria",
        location="Damascus",
        latitude="33.5",
        longitude="36.3",
        notes="Far outside the network.",
    ),
]


@pytest.fixture(scope="module")
def mosul():
    return load_scenario(bundled_scenario("mosul-2016"))


def row(**values: object) -> AcledRow:
    """One parsed row, through the reader."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return read_acled(write_csv(Path(tmp) / "a.csv", [acled_row(**values)]))[0]


# ----------------------------------------------------------------------------------- reading
def test_reads_columns_in_any_order_with_extra_and_older_names(tmp_path: Path) -> None:
    header = [
        "NOTES",
        "Latitude",
        "longitude",
        "extra_column",
        "EVENT_DATE",
        "event_id_cnty",
        "event_type",
        "sub_event_type",
        "actor1",
        "ally_actor_1",  # the pre-2023 name of assoc_actor_1
        "location",
        "time_precision",
        "geo_precision",
        "source",
    ]
    data = {
        "NOTES": "n",
        "Latitude": "36.3",
        "longitude": "42.4",
        "extra_column": "x",
        "EVENT_DATE": "03-11-2016",  # older codebooks: dd-mm-yyyy
        "event_id_cnty": "IRQ9",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Popular Mobilization Forces",
        "ally_actor_1": "Badr Brigades; Kataib Hezbollah",
        "location": "Tal Afar",
        "time_precision": "1",
        "geo_precision": "1",
        "source": "Reuters",
    }
    (r,) = read_acled(write_csv(tmp_path / "old.csv", [data], header))
    assert r.date == dt.date(2016, 11, 3)
    assert r.actors1 == ("Popular Mobilization Forces", "Badr Brigades", "Kataib Hezbollah")
    assert (r.lon, r.lat, r.line) == (42.4, 36.3, 2)


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"latitude": "north"}, "latitude 'north' is not a number"),
        ({"longitude": "200"}, "longitude '200' is outside [-180, 180]"),
        ({"event_date": "2016-13-45"}, "event_date '2016-13-45' is not a date"),
        ({"time_precision": "7"}, "time_precision '7' is not one of ACLED's codes"),
        ({"event_id_cnty": ""}, "event_id_cnty is empty"),
    ],
)
def test_a_bad_row_is_one_line_naming_its_line_and_event(
    tmp_path: Path, values: dict[str, str], said: str
) -> None:
    rows = [acled_row(event_id_cnty="OK1"), acled_row(**{"event_id_cnty": "BAD7", **values})]
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(AcledError) as err:
        read_acled(path)
    msg = str(err.value)
    assert f"{path}:3" in msg and said in msg and "\n" not in msg, msg
    if values.get("event_id_cnty", "x"):
        assert "(event BAD7)" in msg


def test_several_bad_rows_are_counted(tmp_path: Path) -> None:
    rows = [acled_row(latitude="x"), acled_row(latitude="y"), acled_row(latitude="z")]
    with pytest.raises(AcledError, match=r":2 .*and 2 more bad rows"):
        read_acled(write_csv(tmp_path / "bad.csv", rows))


def test_a_short_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(",".join(HEADER) + "\nIRQ1,2016-11-23,2016\n", encoding="utf-8")
    with pytest.raises(AcledError, match=r"short.csv:2 \(event IRQ1\): 3 cells where the header"):
        read_acled(path)


def test_a_file_that_is_not_an_export_names_the_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "roads.csv"
    path.write_text("id,name\n1,R1\n", encoding="utf-8")
    with pytest.raises(AcledError, match="no column event_id_cnty, event_date, event_type"):
        read_acled(path)


# ------------------------------------------------------------------------------------- rules
@pytest.mark.parametrize(
    ("values", "kind", "rule"),
    [
        ({"sub_event_type": "Non-state actor overtakes territory"}, "zone", "territory-taken"),
        ({"sub_event_type": "Government regains territory"}, "zone", "territory-taken"),
        ({"notes": "Militias blocked the highway to Syria."}, "close", "road-blocked"),
        ({"notes": "An air strike destroyed the bridge."}, "close", "road-blocked"),
        ({"notes": "The road was quiet."}, "other", "other"),  # a road, nothing blocks it
        (
            {"sub_event_type": "Headquarters or base established", "notes": "A new checkpoint."},
            "close",
            "checkpoint-set-up",
        ),
        ({"notes": "Hundreds of families fled the village."}, "population", "displacement"),
        ({"notes": "Clashes."}, "other", "other"),
    ],
)
def test_kind_rules(values: dict[str, str], kind: str, rule: str) -> None:
    assert kind_of(row(**values)) == (kind, rule)


def test_confidence_rules_precisions_and_sources() -> None:
    best = row(time_precision="1", geo_precision="1", source="Reuters; AFP; Rudaw")
    worst = row(time_precision="3", geo_precision="3", source="Local media")
    c = acled_rules()["confidence"]
    assert confidence_of(best)[0] == pytest.approx(min(c["max"], c["base"] + 0.1))
    assert confidence_of(worst)[0] == pytest.approx(max(c["min"], c["base"] - 0.5))
    assert confidence_of(worst)[0] < confidence_of(best)[0]
    assert "3 sources" in confidence_of(best)[1]


def test_actor_names_through_aliases(mosul) -> None:
    gaz = Gazetteer.of(mosul)
    assert gaz.actor("Popular Mobilization Forces") == "pmu"
    assert gaz.actor("Islamic State (Iraq)") == "isis"
    assert gaz.actor("Military Forces of Iraq (2014-)") == "isf"
    assert gaz.actor("Military Forces of Iraq (2014-) 9th Division") == "isf-9th-armoured"
    assert gaz.actor("Peshmerga") == "peshmerga"
    assert gaz.actor("Tribal Militia (Iraq)") is None


# ---------------------------------------------------------------------------------- candidates
def test_mosul_rows_become_candidates(tmp_path: Path, mosul) -> None:
    rows = read_acled(write_csv(tmp_path / "mosul.csv", MOSUL_ROWS))
    bounds = (41.0, 34.0, 44.5, 37.2)
    rv = acled_review(rows, mosul, bounds=bounds)
    by = {c.id: c for c in rv.candidates}
    assert set(by) == {f"acled-irq100{i}" for i in range(1, 6)}, "window and area filters"
    close = by["acled-irq1001"]
    assert (close.kind, close.actor, close.date) == ("close", "pmu", dt.date(2016, 11, 23))
    assert close.target == {"point": [42.4483, 36.3792], "radius_m": 2000}
    assert close.quote.startswith("PMF fighters blocked the road")
    assert close.extra["acled"]["event_id"] == "IRQ1001"
    assert close.extra["location"]["place"] == "tal-afar"
    assert close.source["outlet"] == "ACLED (Reuters; AFP)"
    assert close.duplicate_of is None
    # the PMU took Tal Afar airbase on 16 Nov in the scenario already
    zone = by["acled-irq1002"]
    assert zone.kind == "zone" and zone.target == {"place": "tal-afar-airbase"}
    assert zone.duplicate_of == "pmu-tal-afar-airbase"
    other = by["acled-irq1003"]
    assert (other.kind, other.actor, other.date_uncertainty_days) == ("other", "isf", 3)
    pop = by["acled-irq1004"]
    assert pop.kind == "population" and pop.date_uncertainty_days == 15
    assert pop.confidence == acled_rules()["confidence"]["min"]
    assert any("value" in u for u in pop.unresolved) and pop.problem()
    assert rv.unmatched_actors == {"Protesters (Iraq)": 1}
    # a zone at no scenario place: a circle of the geo_precision radius around ACLED's point
    far = by["acled-irq1005"]
    ring = far.target["polygon"]
    assert far.kind == "zone" and far.actor == "isis" and ring[0] == ring[-1] and len(ring) == 17


def test_radius_km_keeps_rows_near_places(tmp_path: Path, mosul) -> None:
    rows = read_acled(write_csv(tmp_path / "mosul.csv", MOSUL_ROWS))
    near = acled_review(rows, mosul, bounds=None, radius_km=1)
    assert {c.id for c in near.candidates} == {"acled-irq1001", "acled-irq1002", "acled-irq1003"}
    window = acled_review(
        rows,
        mosul,
        bounds=None,
        radius_km=1,
        start=dt.date(2016, 11, 15),
        end=dt.date(2016, 11, 20),
    )
    assert [c.id for c in window.candidates] == ["acled-irq1002"]


# --------------------------------------------------------------------------------------- CLI
def test_import_acled_writes_a_review_file(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "mosul.csv", MOSUL_ROWS)
    out = tmp_path / "review.yaml"
    res = runner.invoke(app, ["import", "acled", str(csv_path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = yaml.safe_load(out.read_text())
    assert data["review"] == 1
    assert [c["id"] for c in data["candidates"]] == [f"acled-irq100{i}" for i in range(1, 6)]
    assert "&id" not in out.read_text(), "no YAML anchors for the analyst to trip on"
    assert "7 rows read, 5 in the scenario's area and window" in res.output
    assert "Protesters (Iraq)" in res.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--from", "3 Nov"], "--from '3 Nov' is not a date"),
        (["--scenario", "nowhere"], "nowhere: no such scenario file"),
    ],
)
def test_import_acled_mistakes_are_one_line_exit_2(
    tmp_path: Path, args: list[str], said: str
) -> None:
    csv_path = write_csv(tmp_path / "mosul.csv", MOSUL_ROWS)
    res = runner.invoke(app, ["import", "acled", str(csv_path), "-o", "-", *args])
    assert res.exit_code == 2, res.output
    assert said in res.output


def test_import_acled_missing_file_exit_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["import", "acled", str(tmp_path / "none.csv"), "-o", "-"])
    assert res.exit_code == 2 and "no such ACLED export" in res.output
