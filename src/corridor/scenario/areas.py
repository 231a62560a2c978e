"""Areas and closure targets of a scenario: points with a radius, polygons, GeoJSON files, places."""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from corridor.files import is_file
from corridor.model.areas import Area
from corridor.model.scenario import Place
from corridor.model.situation import Closure
from corridor.scenario.problems import ProblemLog, listed
from corridor.scenario.schema import AreaSpec, TargetSpec
from corridor.text import clipped

Loc = tuple[str | int, ...]


class AreaReader:
    """Reads the areas of one scenario file, noting each problem in ``problems``.

    GeoJSON files are relative to ``directory``; place ids are looked up in ``places``, which the
    caller fills as it reads the file's ``places``.
    """

    def __init__(self, directory: Path, problems: ProblemLog, places: dict[str, Place]) -> None:
        self.directory = directory
        self.problems = problems
        self.places = places

    def polygon(
        self, ring: list[list[float]] | None, geojson: str | None, loc: Loc
    ) -> BaseGeometry | None:
        """The polygon of a ``polygon:`` ring or a ``geojson:`` file (None if neither is given)."""
        if geojson is not None:
            return self._geojson_polygon(geojson, (*loc, "geojson"))
        if ring is None:
            return None
        if len(ring) < 4 or ring[0] != ring[-1]:
            self.problems.add(
                (*loc, "polygon"),
                "the polygon does not close: give at least 4 [lon, lat] points and repeat the "
                "first point at the end",
            )
            return None
        try:
            poly = shapely.Polygon(ring)
        except (ValueError, GEOSException) as exc:
            self.problems.add((*loc, "polygon"), f"not a polygon ({exc})")
            return None
        return self._valid(poly, (*loc, "polygon"))

    def _geojson_polygon(self, geojson: str, loc: Loc) -> BaseGeometry | None:
        file = self.directory / geojson
        if not is_file(file):
            self.problems.add(loc, f"file {geojson!r} not found next to the scenario ({file})")
            return None
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            geoms = (
                [f["geometry"] for f in data["features"]]
                if data.get("type") == "FeatureCollection"
                else [data.get("geometry", data)]
            )
            geom = shapely.union_all([shapely.geometry.shape(g) for g in geoms])
        except (ValueError, KeyError, TypeError, AttributeError, GEOSException) as exc:
            self.problems.add(loc, f"{geojson}: not a GeoJSON polygon ({clipped(str(exc))})")
            return None
        except RecursionError:
            self.problems.add(loc, f"{geojson}: nested too deeply to be a GeoJSON polygon")
            return None
        except OSError as exc:
            self.problems.add(loc, f"{geojson}: cannot read it ({exc.strerror or exc})")
            return None
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            self.problems.add(loc, f"{geojson}: holds a {geom.geom_type}, not a polygon")
            return None
        return self._valid(geom, loc)

    def _valid(self, geom: BaseGeometry, loc: Loc) -> BaseGeometry | None:
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            self.problems.add(
                loc, f"the polygon is not valid ({reason})", "it must not cross itself"
            )
            return None
        for x, y in shapely.get_coordinates(geom).tolist():
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                self.problems.add(
                    loc,
                    f"coordinate [{x}, {y}] is outside [-180..180, -90..90]",
                    "coordinates are [lon, lat]",
                )
                return None
        return geom

    def area(self, spec: AreaSpec, loc: Loc, name: str) -> Area | None:
        """The area of a point with ``radius_m``, a polygon or a GeoJSON file."""
        given = [spec.point is not None, spec.polygon is not None, spec.geojson is not None]
        if sum(given) != 1:
            self.problems.add(loc, "give exactly one of point (with radius_m), polygon or geojson")
            return None
        if spec.point is not None:
            lon, lat = spec.point
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                self.problems.add(
                    (*loc, "point"),
                    f"[{lon}, {lat}] is not a [lon, lat] point",
                    "are the two swapped?",
                )
                return None
            if spec.radius_m is None:
                self.problems.add(loc, "a point needs radius_m (metres)")
                return None
            return Area(name=name, point=(lon, lat), radius_m=spec.radius_m)
        poly = self.polygon(spec.polygon, spec.geojson, loc)
        return Area(name=name, polygon=poly) if poly is not None else None

    def place_or_area(self, value: str | AreaSpec, loc: Loc, default_name: str) -> Area | None:
        """The area of a place id, or of an inline area (named ``default_name`` if unnamed)."""
        if isinstance(value, str):
            place = self.places.get(value)
            if place is None:
                known = listed(sorted(self.places)) or "none defined"
                self.problems.unknown(loc, "place", value, f" (places: {known})")
                return None
            return place.area
        return self.area(value, loc, value.name or default_name)

    def closure(self, t: TargetSpec, loc: Loc, label: str) -> Closure | None:
        """The closure of a target: way(s), a road by ref or name (all of it, or between two
        places), an area or a place."""
        ways = [t.way] if t.way is not None else list(t.ways or [])
        forms = [
            bool(ways),
            t.ref is not None,
            t.name is not None,
            t.point is not None,
            t.polygon is not None or t.geojson is not None,
            t.place is not None,
        ]
        if sum(forms) != 1:
            self.problems.add(
                loc,
                "name exactly one target: way(s), ref or name (with between, or alone for the "
                "whole road), point with radius_m, polygon, or place",
            )
            return None
        if t.between and t.ref is None and t.name is None:
            self.problems.add(
                (*loc, "between"), "`between` goes with a road: give `ref` or `name` too"
            )
            return None
        if ways:
            return Closure(ways=tuple(ways), label=label)
        if t.ref is not None or t.name is not None:
            if not t.between:
                return Closure(ref=t.ref, name=t.name, label=label)
            a = self.place_or_area(t.between[0], (*loc, "between", 0), "A")
            b = self.place_or_area(t.between[1], (*loc, "between", 1), "B")
            if a is None or b is None:
                return None
            return Closure(ref=t.ref, name=t.name, between=(a, b), label=label)
        if t.place is not None:
            area = self.place_or_area(t.place, (*loc, "place"), t.place)
        else:
            area = self.area(
                AreaSpec(point=t.point, radius_m=t.radius_m, polygon=t.polygon, geojson=t.geojson),
                loc,
                label,
            )
        return Closure(area=area, label=label) if area is not None else None
