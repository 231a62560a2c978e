"""Edits of a scenario file's text: events replaced, retracted or appended, sources added.

One editor for ``corridor events accept`` and ``corridor serve`` (its ``/export`` and the text
it analyses). Every other byte of the file stays as it was (comments, key order, folded notes),
except that an ``events:`` or ``sources:`` written in flow style (``events: [...]``) or empty is
written again as a block, and a whole document in flow style is written again by the emitter.

Every value written, keys included, goes through PyYAML's emitter (:func:`dump_item`): no text
from a review file or a request is pasted into the file, so a key or a value cannot open a second
event. The edited text is then parsed again and must hold exactly the events and sources intended,
and every other top-level key as it was; otherwise :class:`EditRefused` is raised and nothing is
returned to write.

Examples
--------
>>> text = "name: x\\nevents:\\n  - id: a\\n    kind: close\\n"
>>> print(edit_events(text, added=[{"id": "b: c\\n- id: d", "kind": "close"}]), end="")
name: x
events:
  - id: a
    kind: close
  - id: "b: c\\n- id: d"
    kind: close
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from corridor.errors import EditRefused
from corridor.scenario.yaml_lines import LOADER

#: Characters YAML reads as line breaks besides ``\\n`` and ``\\r``: a string holding any break is
#: written double-quoted, where they are escapes, since a single-quoted or plain scalar folds them.
_BREAKS = "\x85\u2028\u2029"


@dataclass(frozen=True)
class Retract:
    """A file event taken out, leaving the one-line comment ``comment`` where it was."""

    comment: str


class _Dumper(yaml.SafeDumper):
    """The safe dumper, with strings holding a YAML line break double-quoted and no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(ch in value for ch in _BREAKS + "\n\r") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)

_OPTIONS: dict[str, Any] = {"allow_unicode": True, "width": 10**6}


def dump(value: Any) -> str:
    """``value`` as YAML block text (the safe emitter; no line folding; keys in their order)."""
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, default_flow_style=False, **_OPTIONS)


def _block(value: Any, levels: int) -> str:
    """``value`` as YAML, its outer ``levels`` collections as blocks and the collections inside
    them in flow style (``target: {point: [43.1, 36.3], radius_m: 500}``), as scenario files
    are written."""
    rep = _Dumper(None, sort_keys=False, **_OPTIONS)  # type: ignore[arg-type]
    node = rep.represent_data(value)
    layer: list[yaml.Node] = [node]
    depth = 0
    while layer:
        inner: list[yaml.Node] = []
        for n in layer:
            if isinstance(n, yaml.CollectionNode):
                n.flow_style = depth >= levels
                kids = [v for _, v in n.value] if isinstance(n, yaml.MappingNode) else n.value
                inner += [k for k in kids if isinstance(k, yaml.CollectionNode)]
        layer, depth = inner, depth + 1
    return yaml.serialize(node, Dumper=_Dumper, **_OPTIONS)


def dump_item(fields: Mapping[str, Any], indent: int) -> list[str]:
    """``fields`` as one item of a block list, its dash at column ``indent``."""
    return [" " * indent + line + "\n" for line in _block([dict(fields)], 2).splitlines()]


def _dump_entries(entries: Mapping[str, Any], indent: int) -> list[str]:
    return [" " * indent + line + "\n" for line in _block(dict(entries), 1).splitlines()]


def _one_line(comment: str) -> str:
    if any(ch in comment for ch in "\n\r" + _BREAKS):
        return json.dumps(comment)[1:-1]
    return comment


def _is_trailing(line: str, col: int) -> bool:
    stripped = line.strip()
    return not stripped or (stripped.startswith("#") and len(line) - len(line.lstrip()) < col)


def _top(root: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    return next(((k, v) for k, v in root.value if getattr(k, "value", None) == key), None)


def _node_lines(key: yaml.Node, node: yaml.Node) -> tuple[int, int]:
    """The lines ``key: node`` spans (start, end exclusive)."""
    end = node.end_mark.line + (1 if node.end_mark.column > 0 else 0)
    return key.start_mark.line, max(end, key.start_mark.line + 1)


def _block_end(items: list[yaml.Node], lines: list[str], col: int) -> int:
    """The line after the last item of a block collection, back over trailing comments."""
    end_mark = items[-1].end_mark
    at = end_mark.line if end_mark.column == 0 else end_mark.line + 1
    last_start = items[-1].start_mark.line
    while at - 1 > last_start and at - 1 < len(lines) and _is_trailing(lines[at - 1], col):
        at -= 1
    return at


def _events_splice(
    key: yaml.Node,
    node: yaml.Node,
    lines: list[str],
    changed: Mapping[int, Mapping[str, Any] | Retract],
    added: Sequence[Mapping[str, Any]],
    kept: list[Any],
) -> tuple[int, int, list[str]]:
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        # a flow list (or none): written again as a block list
        start, end = _node_lines(key, node)
        block = (
            ["events:\n", *(line for f in kept for line in dump_item(f, 2))]
            if kept
            else ["events: []\n"]
        )
        return start, end, block
    items = node.value
    col = items[0].start_mark.column
    first_line = lines[items[0].start_mark.line]
    dash = max(first_line.rfind("-", 0, col), 0)
    starts = [it.start_mark.line for it in items]
    last_end = _block_end(items, lines, col)
    ends = [*starts[1:], last_end]
    out: list[str] = []
    remaining = 0
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        change = changed.get(i)
        if change is None:
            out += lines[a:b]
            remaining += 1
        elif isinstance(change, Retract):
            out.append(f"{' ' * dash}# {_one_line(change.comment)}\n")
        else:
            out += dump_item(change, dash)
            remaining += 1
    for fields in added:
        out += dump_item(fields, dash)
        remaining += 1
    if not remaining:
        out.append(f"{' ' * col}[]\n")
    return starts[0], last_end, out


def _sources_splice(
    key: yaml.Node, node: yaml.Node, lines: list[str], new: Mapping[str, Any], merged: dict
) -> tuple[int, int, list[str]]:
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        col = node.value[0][0].start_mark.column
        at = _block_end([node.value[-1][1]], lines, col)
        return at, at, _dump_entries(new, col)
    start, end = _node_lines(key, node)
    return start, end, ["sources:\n", *_dump_entries(merged, 2)]


def edit_events(
    text: str,
    *,
    changed: Mapping[int, Mapping[str, Any] | Retract] | None = None,
    added: Sequence[Mapping[str, Any]] = (),
    sources: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """
    ``text`` (a scenario file) with its events edited and ``sources`` added.

    Parameters
    ----------
    text
        The scenario file's text (a YAML mapping).
    changed
        By position in the file's ``events``: the event's new fields, or :class:`Retract`.
    added
        Events appended after the last one.
    sources
        Source entries added to ``sources:`` (a key already there must have the same value).

    Raises
    ------
    EditRefused
        The text is not a mapping, a source key is taken, or the edited text would not hold
        exactly the events and sources intended (see the module's docstring).

    Examples
    --------
    >>> text = "events:\\n  - {id: a}\\n  - {id: b}\\n"
    >>> print(edit_events(text, changed={0: Retract("a retracted")}), end="")
    events:
      # a retracted
      - {id: b}
    """
    changed = dict(changed or {})
    sources = dict(sources or {})
    if not changed and not added and not sources:
        return text
    data = yaml.load(text, Loader=LOADER) if text.strip() else {}
    if not isinstance(data, dict):
        msg = "the scenario file is not a YAML mapping of keys; edit it by hand"
        raise EditRefused(msg)
    old_events = data.get("events") or []
    old_sources = data.get("sources") or {}
    if not isinstance(old_events, list) or not isinstance(old_sources, dict):
        msg = "the scenario's `events:` must be a list and `sources:` a mapping to add to them"
        raise EditRefused(msg)
    kept = [
        change if not isinstance(change := changed.get(i, item), Retract) else None
        for i, item in enumerate(old_events)
    ]
    want_events = [dict(e) if isinstance(e, Mapping) else e for e in kept if e is not None]
    want_events += [dict(e) for e in added]
    for k, v in sources.items():
        if k in old_sources and old_sources[k] != v:
            msg = f"source {k!r} is already in the scenario with other fields"
            raise EditRefused(msg)
    fresh = {k: dict(v) for k, v in sources.items() if k not in old_sources}
    want_sources = {**old_sources, **fresh}
    root = yaml.compose(text, Loader=LOADER)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        out_data = dict(data)
        out_data["events"] = want_events
        if want_sources:
            out_data["sources"] = want_sources
        out = dump(out_data)
    else:
        lines = text.splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        splices: list[tuple[int, int, list[str]]] = []
        appended: list[str] = []
        if fresh:
            found = _top(root, "sources")
            if found is None:
                appended += ["sources:\n", *_dump_entries(fresh, 2)]
            else:
                splices.append(_sources_splice(*found, lines, fresh, want_sources))
        if changed or added:
            found = _top(root, "events")
            if found is None:
                appended += ["events:\n", *(line for f in added for line in dump_item(f, 2))]
            else:
                splices.append(_events_splice(*found, lines, changed, added, want_events))
        for start, end, new in sorted(splices, key=lambda s: s[0], reverse=True):
            lines[start:end] = new
        out = "".join(lines + appended)
    _verify(out, data, want_events, want_sources)
    return out


def _verify(out: str, before: dict[str, Any], events: list[Any], sources: dict) -> None:
    """Refuse ``out`` unless it holds exactly ``events``, ``sources`` and the rest of ``before``."""
    try:
        after = yaml.load(out, Loader=LOADER)
    except yaml.YAMLError as exc:
        msg = f"the edited scenario would not parse ({str(exc).splitlines()[0]}); nothing written"
        raise EditRefused(msg) from None
    if not isinstance(after, dict):
        msg = "the edited scenario would not be a YAML mapping; nothing written"
        raise EditRefused(msg)
    got = after.get("events") or []
    if got != events:
        n = len(got) if isinstance(got, list) else 0
        msg = (
            f"the edited scenario would hold {n} event(s), not the {len(events)} intended; "
            "nothing written (is a value in the review or the request tampered with?)"
        )
        raise EditRefused(msg)
    if (after.get("sources") or {}) != sources:
        msg = "the edited scenario's sources would not be those intended; nothing written"
        raise EditRefused(msg)
    rest = {k: v for k, v in after.items() if k not in ("events", "sources")}
    if rest != {k: v for k, v in before.items() if k not in ("events", "sources")}:
        msg = "the edit would change keys other than events and sources; nothing written"
        raise EditRefused(msg)
