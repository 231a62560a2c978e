"""Problems found in a scenario file: collected with their lines, then raised together."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from corridor.errors import Problem, ScenarioError
from corridor.io.yaml_lines import YamlLines


class ProblemLog:
    """The problems found in one scenario file, each placed at its line.

    ``index_map`` is for a file checked with some list items set aside: for each list key, the
    position in the file of each item that was kept, so that ``events[1]`` of what was checked is
    reported as ``events[2]`` of the file when ``events[1]`` of the file was set aside.
    """

    def __init__(self, lines: YamlLines, index_map: dict[str, list[int]] | None = None) -> None:
        self.lines = lines
        self.index_map = index_map or {}
        self.found: list[Problem] = []

    def add(
        self,
        loc: tuple[str | int, ...],
        message: str,
        hint: str = "",
        *,
        refers_to: tuple[str, str] | None = None,
    ) -> None:
        """Note a problem at ``loc``; ``refers_to`` is the ``(kind, id)`` an unknown id names."""
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            kept = self.index_map.get(loc[0])
            if kept is not None:
                loc = (loc[0], kept[loc[1]], *loc[2:])
        self.found.append(Problem(loc, message, hint, self.lines.line(loc), refers_to))

    def unknown(
        self, loc: tuple[str | int, ...], kind: str, id_: str, detail: str = "", hint: str = ""
    ) -> None:
        """Note that ``loc`` names an id of ``kind`` that does not exist.

        The message reads ``no {kind} with id {id_!r}{detail}``.
        """
        self.add(loc, f"no {kind} with id {id_!r}{detail}", hint, refers_to=(kind, id_))


# pydantic names the union member that failed in the location; these are not keys of the file
_UNION_MEMBERS = {"str", "int", "list[str]", "SourceSpec"}


def pydantic_problems(exc: ValidationError, lines: YamlLines) -> list[Problem]:
    """The problems pydantic found, one per location and kind, in the file's words."""
    problems = []
    seen = set()
    for err in exc.errors():
        loc = tuple(
            x
            for x in err["loc"]
            if not (isinstance(x, str) and (x in _UNION_MEMBERS or "[" in x or x.endswith("Spec")))
        )
        key = (loc, err["type"])
        if key in seen:
            continue
        seen.add(key)
        line = lines.line(loc)
        where = Problem(loc, "").where or "(top level)"
        if err["type"] == "extra_forbidden":
            problem = Problem(
                loc,
                f"unknown key {where!r}",
                "check the spelling (see docs/scenario-format.md)",
                line,
                loc_in_message=True,
            )
        elif err["type"] == "missing":
            problem = Problem(loc, f"{where} is required", line=line, loc_in_message=True)
        else:
            problem = Problem(loc, f"{err['msg']} (got {err.get('input')!r})", line=line)
        problems.append(problem)
    return problems


def scenario_error(path: Path, problems: list[Problem]) -> ScenarioError:
    """One error for every problem: the first in the message, all in ``problems``."""
    lines = [p.format(path) for p in problems]
    n = len(lines)
    msg = lines[0] + (
        f" (and {n - 1} more problem(s); run `corridor scenario validate {path}`)" if n > 1 else ""
    )
    return ScenarioError(msg, lines, problems)


def file_error(path: Path, line: int, message: str, hint: str = "") -> ScenarioError:
    """An error with the file as a whole (not YAML, not a mapping), at ``line``."""
    return scenario_error(path, [Problem((), message, hint, line)])
