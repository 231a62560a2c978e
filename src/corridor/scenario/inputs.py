"""The files a scenario reads: the scenario file, its network, and each file it names.

One home for that list: the output guards (an output never replaces an input) and the batch
runner's task identity (a task reruns when any of these files changes) both use it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corridor.model.scenario import Scenario

#: In a scenario file, the keys whose values name a file next to it.
NAMED_FILE = re.compile(
    r"""["']?(?:geojson|osm)["']?[ \t]*:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s,{}\[\]#"']+))"""
)


def scenario_inputs(scenario: Scenario) -> dict[Path, str]:
    """Every file a command reads for ``scenario``, each with what it is: the scenario file, its
    network, the fragments it includes (``include:``) and each file they name (``geojson:`` and
    ``osm:`` values, read from the files' text: a name in a comment is protected too, which costs
    nothing)."""
    path = Path(scenario.path)
    inputs = {path: "the scenario file", Path(scenario.network_path): "the scenario's network"}
    fragments = [Path(f) for f in sorted(set(scenario.files.values()))]
    inputs.update({f: "a fragment the scenario includes" for f in fragments})
    for file in (path, *fragments):
        try:
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in NAMED_FILE.finditer(text):
            name = next(g for g in match.groups() if g is not None).strip()
            if name:
                inputs.setdefault(file.parent / name, f"a file {file.name} names")
    return inputs


def inputs_digest(scenario: Scenario) -> str:
    """A digest of what ``scenario``'s answers depend on: corridor's version and the resolved path
    and bytes of each of its input files (:func:`scenario_inputs`; a named file that does not
    exist counts as absent). Editing any of them changes it.

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> sc, _ = bundled("mosul-2016")
    >>> len(inputs_digest(sc)), inputs_digest(sc) == inputs_digest(sc)
    (64, True)
    """
    from corridor._version import __version__

    h = hashlib.sha256(f"corridor {__version__}\n".encode())
    for file in sorted({p.expanduser().resolve() for p in scenario_inputs(scenario)}):
        h.update(f"{file}\n".encode())
        try:
            with file.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        except OSError:
            h.update(b"(absent)")
        h.update(b"\n")
    return h.hexdigest()
