"""The named places of an OSM extract: settlements (``place`` nodes) and border crossings
(``barrier=border_control`` nodes), read with pyosmium in one pass.

They are what a user names when drafting a scenario (``corridor scenario init``), what the bare
network map labels, and the communities ``corridor scan`` tracks. Only nodes are read: a place
mapped as an area (a ``place`` way or relation) is left out, as Nominatim's own node list does.
Tags are untrusted text: names are kept as written (cut at :data:`MAX_NAME` characters), and a
``population`` that is not a plain number (``"ca. 2000"``, ``"1.2k"``) is ``None``, counted in
:attr:`OsmPlaces.bad_population`.

Examples
--------
>>> from corridor.bundled import bundled_scenarios
>>> extract = bundled_scenarios()["helsinki-bridges"].parent / "siltasaari.osm.pbf"
>>> places = read_places(extract)
>>> [p.name for p in places.settlements() if p.kind == "city"]
['Helsinki']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from corridor.errors import NetworkError
from corridor.text import clipped

SETTLEMENT_KINDS: tuple[str, ...] = ("city", "town", "village", "hamlet", "suburb")
"""The ``place`` values that are communities: where people live, by OSM's own scale."""

BORDER_CONTROL = "border_control"
"""The kind given to ``barrier=border_control`` nodes (border crossings)."""

MAX_NAME = 200
"""Names longer than this (in characters) are clipped: a tag is untrusted text."""

MAX_PLACES = 1_000_000
"""More named place nodes than this in one extract is refused (a planet file has about 1.6
million settlement nodes: cut an extract of the region first)."""

_POPULATION = re.compile(r"\s*(\d{1,10})\s*")


@dataclass(frozen=True)
class OsmPlace:
    """One named node: a settlement or a border crossing."""

    osm_id: int
    name: str
    kind: str
    """``city``, ``town``, ``village``, ``hamlet``, ``suburb`` or ``border_control``."""
    lon: float
    lat: float
    population: int | None
    """The ``population`` tag when it is a whole number, else ``None``."""
    names: tuple[str, ...] = ()
    """Other names the node carries (``name:en``, ``alt_name``, ``official_name``, ``int_name``,
    ``old_name``; ``;``-separated lists split), for matching a user's spelling."""


@dataclass(frozen=True)
class OsmPlaces:
    """The places of one extract, and what was left out."""

    places: tuple[OsmPlace, ...]
    unnamed: int
    """Place or border-control nodes with no ``name`` tag (not listed)."""
    bad_population: int
    """Listed places whose ``population`` tag is not a whole number (``population`` is None)."""

    def settlements(self) -> tuple[OsmPlace, ...]:
        """The places of the :data:`SETTLEMENT_KINDS`."""
        return tuple(p for p in self.places if p.kind in SETTLEMENT_KINDS)

    def crossings(self) -> tuple[OsmPlace, ...]:
        """The border crossings."""
        return tuple(p for p in self.places if p.kind == BORDER_CONTROL)


_OTHER_NAMES = ("name:en", "int_name", "alt_name", "official_name", "old_name", "short_name")


def read_places(path: str | Path) -> OsmPlaces:
    """Every named settlement node (:data:`SETTLEMENT_KINDS`) and border crossing of an extract.

    Parameters
    ----------
    path
        An OSM extract (PBF, .osm, .osm.gz, .osm.bz2).

    Returns
    -------
    OsmPlaces
        The places in file order (nodes by id, as OSM files store them), with the count of
        unnamed ones and of unreadable population tags.

    Raises
    ------
    InputFileError
        When the file does not exist or is a directory.
    NetworkError
        When it is not a readable OSM file, or holds more than :data:`MAX_PLACES` places.
    """
    import osmium

    from corridor.network.osm import check_readable

    path = Path(path)
    check_readable(path)
    found: list[OsmPlace] = []
    unnamed = bad_population = 0
    kinds = frozenset(SETTLEMENT_KINDS)
    try:
        processor = (
            osmium.FileProcessor(str(path))
            .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE))
            .with_filter(osmium.filter.KeyFilter("place", "barrier"))
        )
        for node in processor:
            if not isinstance(node, osmium.osm.Node):
                continue
            tags = node.tags
            kind = tags.get("place")
            if kind not in kinds:
                kind = BORDER_CONTROL if tags.get("barrier") == BORDER_CONTROL else None
            if kind is None or not node.location.valid():
                continue
            name = tags.get("name")
            if not name or not name.strip():
                unnamed += 1
                continue
            raw = tags.get("population")
            population = None
            if raw is not None:
                m = _POPULATION.fullmatch(raw.replace(",", "").replace(" ", ""))
                if m:
                    population = int(m.group(1))
                else:
                    bad_population += 1
            others = tuple(
                dict.fromkeys(
                    n.strip()[:MAX_NAME]
                    for key in _OTHER_NAMES
                    for n in (tags.get(key) or "").split(";")
                    if n.strip() and n.strip() != name
                )
            )
            found.append(
                OsmPlace(
                    osm_id=node.id,
                    name=name.strip()[:MAX_NAME],
                    kind=kind,
                    lon=node.location.lon,
                    lat=node.location.lat,
                    population=population,
                    names=others,
                )
            )
            if len(found) > MAX_PLACES:
                msg = (
                    f"{path}: more than {MAX_PLACES:,} named place nodes; cut an extract of the "
                    "region first (osmium extract --bbox W,S,E,N)"
                )
                raise NetworkError(msg)
    except (RuntimeError, ValueError) as exc:
        msg = (
            f"{path}: not a readable OSM file ({clipped(str(exc))}); it may be truncated or "
            "corrupt: download the extract again"
        )
        raise NetworkError(msg) from exc
    return OsmPlaces(places=tuple(found), unnamed=unnamed, bad_population=bad_population)


def extract_date(path: str | Path) -> str:
    """The date (YYYY-MM-DD) an OSM extract's header gives for its data (``timestamp`` or
    ``osmosis_replication_timestamp``), or "" when it gives none (as many clipped files).

    Examples
    --------
    >>> from corridor.bundled import bundled_scenarios
    >>> extract_date(bundled_scenarios()["helsinki-bridges"].parent / "siltasaari.osm.pbf")
    ''
    """
    import osmium

    try:
        reader = osmium.io.Reader(str(path), osmium.osm.NOTHING)
        try:
            header = reader.header()
            stamp = header.get("timestamp") or header.get("osmosis_replication_timestamp") or ""
        finally:
            reader.close()
    except (RuntimeError, ValueError):
        return ""
    m = re.match(r"(\d{4}-\d{2}-\d{2})T", stamp)
    return m.group(1) if m else ""
