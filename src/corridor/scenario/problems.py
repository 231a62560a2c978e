"""Problems found in a scenario file: collected with their lines, then raised together."""

from __future__ import annotations

import difflib
import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from corridor.errors import Problem, ScenarioError
from corridor.scenario.schema import ScenarioSpec
from corridor.scenario.yaml_lines import YamlLines
from corridor.text import shown


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
        loc = self.in_file(loc)
        line, file = self.lines.line(loc), self.lines.file(loc)
        self.found.append(Problem(loc, message, hint, line, refers_to, file=file))

    def in_file(self, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
        """``loc`` of what was checked as a location in the file (see ``index_map``)."""
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            kept = self.index_map.get(loc[0])
            if kept is not None:
                return (loc[0], kept[loc[1]], *loc[2:])
        return loc

    def line(self, loc: tuple[str | int, ...]) -> int:
        """The line in the file of ``loc`` of what was checked."""
        return self.lines.line(self.in_file(loc))

    def unknown(
        self, loc: tuple[str | int, ...], kind: str, id_: str, detail: str = "", hint: str = ""
    ) -> None:
        """Note that ``loc`` names an id of ``kind`` that does not exist.

        The message reads ``no {kind} with id {id_!r}{detail}``.
        """
        self.add(loc, f"no {kind} with id {shown(id_)}{detail}", hint, refers_to=(kind, id_))


def listed(names: typing.Iterable[str], *, most: int = 12) -> str:
    """Names joined by commas, the first ``most`` of them and how many more.

    Examples
    --------
    >>> listed(["a", "b", "c"], most=2)
    'a, b and 1 more'
    """
    names = list(names)
    text = ", ".join(shown(n)[1:-1] if len(n) > 60 else n for n in names[:most])
    return text + (f" and {len(names) - most:,} more" if len(names) > most else "")


def number_hint(text: str) -> str:
    """``write the number without separators (22000)`` for ``"22,000"``; else ""."""
    digits = re.sub(r"[\s,.'_]", "", text)
    return f"write the number without separators ({int(digits)})" if digits.isdigit() else ""


# pydantic names the union member that failed in the location; these are not keys of the file
_UNION_MEMBERS = {"str", "int", "constrained-int", "list[str]", "list[constrained-int]"}


def _is_member(key: str | int) -> bool:
    return isinstance(key, str) and (
        key in _UNION_MEMBERS or "[" in key or key in _SPECS or key.endswith("Spec")
    )


_SPECS: dict[str, type[BaseModel]] = {}


def _specs() -> dict[str, type[BaseModel]]:
    if not _SPECS:
        todo: list[type[BaseModel]] = [ScenarioSpec]
        while todo:
            model = todo.pop()
            if model.__name__ not in _SPECS:
                _SPECS[model.__name__] = model
                for f in model.model_fields.values():
                    todo += _models_in(f.annotation)
    return _SPECS


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += [m for m in _models_in(arg) if m not in out]
    return out


def _is_dict(annotation: Any) -> bool:
    return typing.get_origin(annotation) is dict or any(
        _is_dict(a) for a in typing.get_args(annotation)
    )


def _field_at(raw_loc: tuple[str | int, ...]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The model a raw pydantic location leads into, and the field it ends on (None if unknown)."""
    specs = _specs()
    model: type[BaseModel] | None = ScenarioSpec
    field: FieldInfo | None = None
    dict_key_next = False
    for key in raw_loc:
        if isinstance(key, int):
            continue
        if dict_key_next:
            dict_key_next = False
            continue
        if key in specs:
            model = specs[key]
            continue
        if _is_member(key):
            continue
        if model is None:
            return None, None
        field = next((f for name, f in model.model_fields.items() if key in (name, f.alias)), None)
        if field is None:
            return None, None
        models = _models_in(field.annotation)
        dict_key_next = _is_dict(field.annotation)
        model = models[0] if len(models) == 1 else None
    return model, field


def _keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _did_you_mean(raw_loc: tuple[str | int, ...]) -> str:
    """``did you mean `radius_m`?`` for a misspelt key, else a pointer to the format."""
    model, _ = _field_at(raw_loc[:-1])
    key = raw_loc[-1]
    if model is not None and isinstance(key, str):
        close = difflib.get_close_matches(key, _keys(model), n=1, cutoff=0.6)
        if close:
            return f"did you mean `{close[0]}`?"
    return "check the spelling (see docs/scenario-format.md)"


def _bounds_text(field: FieldInfo | None) -> str:
    """``allowed: more than 0, at most 100`` from a field's constraints ("" if it has none)."""
    if field is None:
        return ""
    metas = list(field.metadata)
    todo = [field.annotation]
    while todo:
        ann = todo.pop()
        if typing.get_origin(ann) is typing.Annotated:
            for m in getattr(ann, "__metadata__", ()):
                metas += list(m.metadata) if isinstance(m, FieldInfo) else [m]
        todo += typing.get_args(ann)
    words = []
    for m in metas:
        for attr, word in _BOUND_WORDS:
            value = getattr(m, attr, None)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, int | float) and not isinstance(value, bool):
                words.append(f"{word} {value:,}")
    return "allowed: " + ", ".join(words) if words else ""


_BOUND_WORDS = (("gt", "more than"), ("ge", "at least"), ("lt", "less than"), ("le", "at most"))
_RANGE_ERRORS = {
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "finite_number",
}


def pydantic_problems(exc: ValidationError, lines: YamlLines) -> list[Problem]:
    """The problems pydantic found, one per location and kind, in the file's words.

    Where a value may take several forms (a place id or an inline area), the forms that do not
    match the value's own kind are not reported: a mapping given as ``origin`` reports what is
    wrong inside it, not that it is not a string.
    """
    errors = _without_union_noise(exc.errors())
    problems = []
    seen = set()
    for err in errors:
        raw = tuple(err["loc"])
        loc = tuple(x for x in raw if not _is_member(x))
        key = (loc, err["type"])
        if key in seen:
            continue
        seen.add(key)
        line, file = lines.line(loc), lines.file(loc)
        where = Problem(loc, "").where or "(top level)"
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            problem = Problem(
                loc,
                f"unknown key {shown(where)}",
                _did_you_mean(raw),
                line,
                loc_in_message=True,
                file=file,
            )
        elif err["type"] == "missing":
            problem = Problem(
                loc, f"{where} is required", line=line, loc_in_message=True, file=file
            )
        elif err["type"] == "value_error":
            problem = Problem(loc, err["msg"].removeprefix("Value error, "), line=line, file=file)
        else:
            hint = ""
            if err["type"] in _RANGE_ERRORS:
                hint = _bounds_text(_field_at(raw)[1])
            elif err["type"] == "int_parsing" and isinstance(value, str):
                hint = number_hint(value)
            problem = Problem(loc, f"{err['msg']} (got {shown(value)})", hint, line, file=file)
        problems.append(problem)
    return problems


def _without_union_noise(errors: list[Any]) -> list[Any]:
    """Drop "should be a valid string" and the like for the forms of a union that the value is
    not, when another form says what is wrong with the value."""
    bases: dict[tuple[Any, ...], list[int]] = {}
    for i, err in enumerate(errors):
        raw = tuple(err["loc"])
        first = next((j for j, x in enumerate(raw) if _is_member(x)), None)
        if first is not None:
            bases.setdefault(raw[:first], []).append(i)
    drop: set[int] = set()
    for base, members in bases.items():
        mismatch = {
            i
            for i in members
            if str(errors[i]["type"]).endswith("_type")
            and len([x for x in errors[i]["loc"] if not _is_member(x)]) == len(base)
        }
        if len(mismatch) < len(members):
            drop |= mismatch
    return [e for i, e in enumerate(errors) if i not in drop]


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
