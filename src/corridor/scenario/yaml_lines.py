"""YAML parsed once, into Python data and a lookup of the line each key or item starts on.

libyaml's C parser (``yaml.CSafeLoader``) composes the node tree, which keeps the marks, and the
same loader's ``SafeConstructor`` builds the data from that tree: one pass over the text. Without
libyaml, the pure-Python ``SafeLoader`` does the same, about ten times slower.

Parsing is bounded, because scenario files are shared and may be hostile (see
``docs/scenario-format.md``, "Limits"): a file holds at most :data:`MAX_FILE_BYTES`, nests at
most :data:`MAX_DEPTH` levels, and its aliases (``*name``) may add at most
:data:`MAX_ALIAS_NODES` nodes to what is written out (an "alias bomb" of a few hundred bytes
otherwise expands to billions). A key written twice in one mapping is refused rather than the last
one silently winning. An impossible date (``2016-02-30``) stays a string, for the schema to report
at its line. Each refusal is a :class:`YamlRefused` holding :class:`corridor.errors.Problem`\\ s.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import yaml

from corridor.errors import Problem
from corridor.text import shown

#: The loader class: libyaml's when PyYAML was built with it.
LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
)

MAX_FILE_BYTES = 20 * 1024 * 1024
"""The largest YAML file read (20 MiB; the bundled mosul-2016 scenario is 57 kB)."""
MAX_DEPTH = 50
"""The deepest nesting of mappings and lists (a scenario needs about 8)."""
MAX_ALIAS_NODES = 10_000
"""How many YAML nodes aliases may add to those written out (a 2,000-point polygon reused four
times is within it)."""

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


class YamlRefused(yaml.YAMLError):
    """A YAML file that is refused: unreadable, too large, too deep, an alias bomb, duplicate keys.

    ``problems`` says each reason at its line.
    """

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


class YamlLines:
    """Line numbers (1-based) of YAML nodes, looked up by a pydantic-style location tuple.

    Examples
    --------
    >>> _, lines = parse_yaml("a: 1\\nb:\\n  - x\\n  - y\\n")
    >>> lines.line(("b", 1))
    4
    """

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def line(self, loc: tuple[Any, ...]) -> int:
        """The line of the deepest node of ``loc`` that exists (the document's first if none)."""
        node = self.root
        best = node.start_mark.line + 1 if node is not None else 1
        for key in loc:
            if node is None:
                break
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == str(key):
                        nxt = v
                        best = k.start_mark.line + 1
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(key, int)
                and 0 <= key < len(node.value)
            ):
                nxt = node.value[key]
                best = nxt.start_mark.line + 1
            node = nxt
        return best

    def file(self, loc: tuple[Any, ...]) -> str:
        """The file ``loc`` is written in, when not the scenario file itself ("": it is)."""
        return ""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A YAML timestamp; an impossible one (``2016-02-30``, year 0) stays its text."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(node.value)


_LENIENT: dict[type, Any] = {}


def _lenient_dates(loader: type) -> Any:
    """``loader`` with impossible dates kept as text, for the schema to report at their line."""
    if loader not in _LENIENT:
        lenient: Any = type(f"LenientDates{loader.__name__}", (loader,), {})
        lenient.add_constructor(_TIMESTAMP, _timestamp_or_text)
        _LENIENT[loader] = lenient
    return _LENIENT[loader]


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def check_tree(root: yaml.Node) -> list[Problem]:
    """What makes a composed YAML tree unsafe or ambiguous to use (empty if nothing).

    One walk, without recursion, that stops as soon as the tree nests deeper than
    :data:`MAX_DEPTH` or its aliases add more than :data:`MAX_ALIAS_NODES` nodes, so that its cost
    is bounded by the size of the text. Keys written twice in one mapping are each a problem that
    names both lines.
    """
    problems: list[Problem] = []
    seen: set[int] = set()
    visits = written = 0  # nodes reached through every alias, and nodes written out
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, yaml.MappingNode):
            children = [x for pair in node.value for x in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        # scalars are counted with their parent, not walked one by one (most nodes are scalars)
        scalars = 0
        for child in children:
            if isinstance(child, yaml.ScalarNode):
                scalars += 1
            else:
                stack.append((child, depth + 1))
        visits += 1 + scalars
        first_visit = id(node) not in seen
        if first_visit:
            seen.add(id(node))
            written += 1 + scalars
            if isinstance(node, yaml.MappingNode):
                problems += _duplicate_keys(node)
        if visits - written > MAX_ALIAS_NODES:
            msg = f"aliases (*name) expand to more than {MAX_ALIAS_NODES:,} YAML nodes"
            hint = "refused as an alias bomb: write the repeated parts out, or reuse less"
            return [*problems, Problem((), msg, hint, _line(node))]
        if depth > MAX_DEPTH:
            msg = f"nested more than {MAX_DEPTH} levels deep"
            hint = "a scenario needs fewer than 10; check the brackets"
            return [*problems, Problem((), msg, hint, _line(node))]
    return problems


def _duplicate_keys(node: yaml.MappingNode) -> list[Problem]:
    problems = []
    first: dict[tuple[str, str], int] = {}
    for k, _ in node.value:
        if not isinstance(k, yaml.ScalarNode) or k.tag == _MERGE:
            continue
        key = (k.tag, k.value)
        if key in first:
            msg = (
                f"key {shown(k.value)} is written twice in one mapping (lines {first[key]} and "
                f"{_line(k)})"
            )
            hint = "keep one: YAML would silently use the last"
            problems.append(Problem((), msg, hint, _line(k)))
        else:
            first[key] = _line(k)
    return problems


def parse_yaml(text: str) -> tuple[Any, YamlLines]:
    """
    Parse one YAML document once, into its Python data and its line lookup.

    Parameters
    ----------
    text
        The YAML text.

    Returns
    -------
    tuple
        The data (``None`` for an empty document) and the :class:`YamlLines` of its nodes.

    Raises
    ------
    YamlRefused
        The text nests too deep, its aliases expand too far, or a mapping repeats a key.
    yaml.YAMLError
        The text is not valid YAML. Its ``problem`` and ``problem_mark`` are the pure-Python
        parser's, whose wording is clearer than libyaml's and is what users have seen so far.
    """
    loader = _lenient_dates(LOADER)(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:  # the pure-Python composer recurses per level
            raise YamlRefused([_too_deep()]) from None
        except yaml.YAMLError:
            if LOADER is yaml.SafeLoader:
                raise
            # only an invalid file pays for the second parse
            # (libyaml's own error says "exceeded maximum nesting depth" where Python recurses)
            with contextlib.suppress(RecursionError):
                yaml.safe_load(text)
            raise
        if node is None:
            return None, YamlLines(None)
        problems = check_tree(node)
        if problems:
            raise YamlRefused(problems)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, YamlLines(node)


def _too_deep() -> Problem:
    return Problem((), f"nested more than {MAX_DEPTH} levels deep", "check the brackets", 1)


def read_yaml_file(path: str | Path) -> tuple[Any, YamlLines]:
    """Read and parse a YAML file, within :data:`MAX_FILE_BYTES`, as UTF-8.

    Raises
    ------
    OSError
        The file cannot be read.
    YamlRefused
        The file is too large, not UTF-8 text, or refused by :func:`parse_yaml`.
    yaml.YAMLError
        The file is not valid YAML.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        msg = (
            f"the file is {size / 2**20:,.1f} MiB, more than the {MAX_FILE_BYTES // 2**20} MiB a "
            "YAML file may hold"
        )
        hint = "keep polygons in GeoJSON files next to it (`geojson: FILE`)"
        raise YamlRefused([Problem((), msg, hint, 1)])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        msg = f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start:,})"
        hint = "save the file as UTF-8"
        raise YamlRefused([Problem((), msg, hint, line)]) from None
    return parse_yaml(text)


def read_top_level(path: str | Path) -> dict[str, Any]:
    """The top-level mapping of a YAML file (empty if the document is not a mapping).

    Raises ``OSError`` if the file cannot be read and ``yaml.YAMLError`` (:class:`YamlRefused`
    included) if it is not YAML or is refused.
    """
    data, _ = read_yaml_file(path)
    return data if isinstance(data, dict) else {}
