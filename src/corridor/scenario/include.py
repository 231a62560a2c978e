"""``include: [FRAGMENT.yaml, ...]``: scenario fragments read as if written in the scenario.

A fragment is a YAML mapping of the scenario's list sections (``zones``, ``events``, ``places``,
``sides``, ``actors``, ``closures``, ``plans``) and its ``sources``; its items are appended to the
scenario's own, in ``include`` order, after the scenario's (``corridor import zones`` writes
fragments). Paths are relative to the file that names them: an ``include`` to the including
file, a ``geojson:`` inside a fragment to the fragment's directory. A problem inside a fragment
is named at its own line (``fronts.yaml:12: zones[3].from: ...``), with the item's position in
the merged scenario.

Bounded like the scenario file itself: each fragment within ``MAX_FILE_BYTES`` and the YAML
limits, at most :data:`MAX_INCLUDE_DEPTH` levels of fragments including fragments,
:data:`MAX_INCLUDED_FILES` fragments and :data:`MAX_INCLUDED_BYTES` in all; a fragment that
includes itself or an including file is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from corridor.errors import Problem
from corridor.scenario.yaml_lines import YamlLines, YamlRefused, read_yaml_file
from corridor.text import shown

MAX_INCLUDE_DEPTH = 4
"""How deep fragments may include fragments (the scenario's own ``include`` is level 1)."""
MAX_INCLUDED_FILES = 256
"""The most fragments one scenario reads, all levels together."""
MAX_INCLUDED_BYTES = 64 * 1024 * 1024
"""The most bytes of fragments one scenario reads (64 MiB), all together."""

LIST_KEYS = ("places", "sides", "actors", "zones", "events", "closures", "plans")
"""The list sections a fragment may hold; ``sources`` (a mapping) too."""


@dataclass(frozen=True)
class _Part:
    """Items ``start:stop`` of a merged list come from ``file``'s own list at ``offset``."""

    start: int
    stop: int
    file: str
    lines: YamlLines
    offset: int


class IncludedLines(YamlLines):
    """Line numbers in a scenario and its fragments: the main file's, except for list items and
    source keys a fragment brought, which are looked up in that fragment (``file(loc)`` names
    it; "" for the scenario file)."""

    def __init__(self, main: YamlLines) -> None:
        super().__init__(main.root)
        self.parts: dict[str, list[_Part]] = {}
        self.source_files: dict[str, tuple[str, YamlLines]] = {}

    def _part(self, loc: tuple[Any, ...]) -> _Part | None:
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            for part in self.parts.get(loc[0], ()):
                if part.start <= loc[1] < part.stop:
                    return part
        return None

    def line(self, loc: tuple[Any, ...]) -> int:
        part = self._part(loc)
        if part is not None:
            return part.lines.line((loc[0], loc[1] - part.start + part.offset, *loc[2:]))
        if len(loc) >= 2 and loc[0] == "sources" and str(loc[1]) in self.source_files:
            return self.source_files[str(loc[1])][1].line(loc)
        return super().line(loc)

    def file(self, loc: tuple[Any, ...]) -> str:
        part = self._part(loc)
        if part is not None:
            return part.file
        if len(loc) >= 2 and loc[0] == "sources" and str(loc[1]) in self.source_files:
            return self.source_files[str(loc[1])][0]
        return super().file(loc)


class _Reader:
    def __init__(self, scenario: Path) -> None:
        self.scenario_dir = scenario.parent
        self.main = os.fspath(scenario)
        self.files = 0
        self.bytes = 0
        self.problems: list[Problem] = []

    def problem(self, file: str, line: int, loc: tuple[Any, ...], message: str, hint: str = ""):
        file = "" if file == self.main else file  # the scenario's own lines name no file
        self.problems.append(Problem(loc, message, hint, line, file=file))

    def read(
        self,
        data: dict[str, Any],
        lines: YamlLines,
        here: Path,
        label: str,
        merged: dict[str, Any],
        out_lines: IncludedLines,
        chain: tuple[Path, ...],
    ) -> None:
        """Append the fragments ``data`` (from file ``here``, shown as ``label``) includes."""
        names = data.get("include")
        if names is None:
            return
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.problem(
                label,
                lines.line(("include",)),
                ("include",),
                "include is a list of YAML file names, relative to this file",
                "e.g. `include: [fronts.yaml]`",
            )
            return
        for k, name in enumerate(names):
            loc = ("include", k)
            line = lines.line(loc)
            target = (here.parent / name).resolve()
            shown_name = _label(here.parent / name)
            if len(chain) >= MAX_INCLUDE_DEPTH:
                self.problem(
                    label,
                    line,
                    loc,
                    f"fragments nest more than {MAX_INCLUDE_DEPTH} levels deep",
                    "include the fragments from the scenario itself",
                )
                continue
            if target in chain:
                cycle = " -> ".join(_label(p) for p in (*chain, target))
                self.problem(
                    label,
                    line,
                    loc,
                    f"include cycle: {cycle}",
                    "a fragment may not include a file that includes it",
                )
                continue
            if not target.is_file():
                self.problem(
                    label,
                    line,
                    loc,
                    f"fragment {shown(name)} not found ({shown_name})",
                    "paths are relative to the file that names them",
                )
                continue
            self.files += 1
            self.bytes += target.stat().st_size
            if self.files > MAX_INCLUDED_FILES or self.bytes > MAX_INCLUDED_BYTES:
                self.problem(
                    label,
                    line,
                    loc,
                    f"more than {MAX_INCLUDED_FILES} fragments or "
                    f"{MAX_INCLUDED_BYTES // 2**20} MiB of them in all",
                    "merge fragments, or keep polygons in GeoJSON files",
                )
                return
            try:
                frag, frag_lines = read_yaml_file(target)
            except YamlRefused as exc:
                self.problems += [_in(p, shown_name) for p in exc.problems]
                continue
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                what = getattr(exc, "problem", None) or str(exc)
                self.problem(
                    shown_name,
                    mark.line + 1 if mark is not None else 1,
                    (),
                    f"not valid YAML ({what})",
                    "check indentation and quoting",
                )
                continue
            except OSError as exc:
                self.problem(label, line, loc, f"cannot read {shown_name} ({exc.strerror or exc})")
                continue
            if frag is None:
                continue
            if not isinstance(frag, dict):
                self.problem(
                    shown_name,
                    1,
                    (),
                    "a fragment is a YAML mapping of lists (zones:, events:, ...)",
                )
                continue
            given = here.parent / name  # as the user wrote it, for the names in messages
            self.merge(frag, frag_lines, given, shown_name, merged, out_lines)
            self.read(frag, frag_lines, given, shown_name, merged, out_lines, (*chain, target))

    def merge(
        self,
        frag: dict[str, Any],
        frag_lines: YamlLines,
        path: Path,
        label: str,
        merged: dict[str, Any],
        out_lines: IncludedLines,
    ) -> None:
        allowed = (*LIST_KEYS, "sources", "include")
        for key in frag:
            if key not in allowed:
                self.problem(
                    label,
                    frag_lines.line((key,)),
                    (key,),
                    f"a fragment holds {', '.join(LIST_KEYS)}, sources and include, not "
                    f"{shown(str(key))}",
                    "write it in the scenario file itself",
                )
        rebase = path.parent.resolve() != self.scenario_dir.resolve()
        for key in LIST_KEYS:
            items = frag.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                self.problem(label, frag_lines.line((key,)), (key,), f"{key} is a list")
                continue
            if rebase:
                items = [_rebased(x, path.parent, self.scenario_dir) for x in items]
            mine = merged.get(key)
            if mine is None:
                mine = merged[key] = []
            if not isinstance(mine, list):
                continue  # the scenario's own value is wrong: the schema says so
            start = len(mine)
            mine.extend(items)
            out_lines.parts.setdefault(key, []).append(
                _Part(start, len(mine), label, frag_lines, 0)
            )
        sources = frag.get("sources")
        if sources is not None:
            if not isinstance(sources, dict):
                self.problem(
                    label,
                    frag_lines.line(("sources",)),
                    ("sources",),
                    "sources is a mapping of keys to sources",
                )
                return
            mine_s = merged.setdefault("sources", {})
            if not isinstance(mine_s, dict):
                return
            for k, v in sources.items():
                if k in mine_s:
                    where = out_lines.file(("sources", k)) or "the scenario"
                    self.problem(
                        label,
                        frag_lines.line(("sources", k)),
                        ("sources", k),
                        f"source {shown(str(k))} is already defined in {where}",
                        "give it another key, or drop one of them",
                    )
                    continue
                mine_s[k] = v
                out_lines.source_files[str(k)] = (label, frag_lines)


def _label(path: Path) -> str:
    """A fragment's name in messages: as the user would write it from where they are."""
    return os.path.normpath(path)


def _in(problem: Problem, file: str) -> Problem:
    return Problem(
        problem.loc,
        problem.message,
        problem.hint,
        problem.line,
        problem.refers_to,
        problem.loc_in_message,
        file=file,
    )


def _rebased(item: Any, fragment_dir: Path, scenario_dir: Path) -> Any:
    """``item`` with every ``geojson:`` file name made relative to the scenario's directory
    (written relative to the fragment's)."""
    if isinstance(item, dict):
        out = {}
        for k, v in item.items():
            if k == "geojson" and isinstance(v, str):
                v = os.path.relpath(fragment_dir / v, scenario_dir)
            else:
                v = _rebased(v, fragment_dir, scenario_dir)
            out[k] = v
        return out
    if isinstance(item, list):
        return [_rebased(x, fragment_dir, scenario_dir) for x in item]
    return item


def with_includes(
    data: dict[str, Any], lines: YamlLines, path: Path
) -> tuple[dict[str, Any], YamlLines, list[Problem]]:
    """The scenario ``data`` with its fragments merged in, the lines of both, and the problems
    met reading the fragments (empty when all is well). ``data`` without ``include`` is returned
    as it is.

    Examples
    --------
    >>> import tempfile
    >>> from corridor.scenario.yaml_lines import parse_yaml
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "more.yaml").write_text("zones:\\n  - {id: b, actor: x, polygon: []}\\n")
    >>> data, lines = parse_yaml("include: [more.yaml]\\nzones:\\n  - {id: a}\\n")
    >>> merged, lines, problems = with_includes(data, lines, d / "s.yaml")
    >>> [z["id"] for z in merged["zones"]], lines.file(("zones", 1)).endswith("more.yaml"), problems
    (['a', 'b'], True, [])
    >>> lines.line(("zones", 1))
    2
    """
    if "include" not in data:
        return data, lines, []
    merged = {
        k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
        for k, v in data.items()
    }
    out_lines = IncludedLines(lines)
    reader = _Reader(path)
    reader.read(data, lines, path, os.fspath(path), merged, out_lines, (path.resolve(),))
    return merged, out_lines, reader.problems
