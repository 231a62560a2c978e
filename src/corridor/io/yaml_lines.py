"""YAML parsed once, into Python data and a lookup of the line each key or item starts on.

libyaml's C parser (``yaml.CSafeLoader``) composes the node tree, which keeps the marks, and the
same loader's ``SafeConstructor`` builds the data from that tree: one pass over the text. Without
libyaml, the pure-Python ``SafeLoader`` does the same, about ten times slower.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: The loader class: libyaml's when PyYAML was built with it.
LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
)


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
    yaml.YAMLError
        The text is not valid YAML. Its ``problem`` and ``problem_mark`` are the pure-Python
        parser's, whose wording is clearer than libyaml's and is what users have seen so far.
    """
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError:
        if LOADER is yaml.SafeLoader:
            raise
        # only an invalid file pays for the second parse
        yaml.safe_load(text)
        raise
    finally:
        loader.dispose()
    return data, YamlLines(node)


def read_top_level(path: str | Path) -> dict[str, Any]:
    """The top-level mapping of a YAML file (empty if the document is not a mapping).

    Raises ``OSError`` if the file cannot be read and ``yaml.YAMLError`` if it is not YAML.
    """
    data, _ = parse_yaml(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}
