"""Fuzz batch specs: mutated and byte-edited specs given to ``corridor batch``.

Every run ends with exit 0 or 2, never an uncaught exception or a traceback; a refused spec is
one ``spec.yaml:LINE: ...`` line per problem (each at most 600 characters) and runs nothing; a
failing run is one ``error:`` line. Bounded as the other fuzz tests (``CORRIDOR_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from corridor.cli.main import app
from fuzz.test_fuzz_cli import FUZZ, MAX_ERROR, mutated, text_edits, workdir

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: A small spec: two dates of the valley, both plans, a few samples (a valid mutant runs in ~2 s).
BASE: dict[str, Any] = {
    "scenarios": ["valley.yaml", {"scenario": "valley.yaml", "plans": ["hold-west"]}],
    "dates": ["2020-01-05", "2020-01-12"],
    "movers": ["civilians"],
    "plans": [None],
    "samples": 2,
    "seed": 1,
}
#: What the attack of issue 29 tried, as whole values.
HOSTILE = st.sampled_from(
    [
        {"from": "2020-01-01", "to": "2020-01-31", "every_days": 0},
        {"from": "2020-01-01", "to": "2020-01-31", "every_days": -1},
        {"from": "1000-01-01", "to": "8999-12-31", "every_days": 1},
        "2016-02-30",
        "1e9",
        1e9,
        -5,
        10**12,
        True,
        None,
        [],
        {},
        "../../etc/passwd",
        "a" * 300,
    ]
)
runner = CliRunner()
SPEC_LINE = re.compile(r"^\S.*?:\d+: ")


def _run(tmp: Path, text: bytes) -> None:
    for name in ("valley.yaml", "roads.geojson"):
        shutil.copy(EXAMPLES / name, tmp / name)
    spec = tmp / "spec.yaml"
    spec.write_bytes(text)
    out = tmp / "out"
    res = runner.invoke(app, ["batch", str(spec), "-o", str(out), "--workers", "1"])
    shown = f"corridor batch -> exit {res.exit_code}\n{text[:2000]!r}\n{res.output[-3000:]}"
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        exc = res.exception
        raise AssertionError(f"uncaught {type(exc).__name__}: {exc}\n{shown}") from exc
    assert res.exit_code in (0, 2), shown
    assert "Traceback" not in res.output, shown
    if res.exit_code == 2:
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert lines, f"exit 2 without a message\n{shown}"
        refused = [ln for ln in lines if SPEC_LINE.match(ln)]
        if refused:  # the spec: one line per problem, and nothing ran
            assert refused == lines and not out.exists(), shown
        else:  # the run: `failed:` lines per task, one `error:` line at the end
            errors = [ln for ln in lines if ln.startswith("error: ")]
            assert len(errors) == 1, shown
        assert all(len(ln) <= MAX_ERROR for ln in lines), shown


@st.composite
def hostile(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(mutated(BASE))
    if isinstance(data, dict) and draw(st.booleans()):
        data[draw(st.sampled_from(["dates", "samples", "seed", "plans", "movers"]))] = draw(HOSTILE)
    return data


@FUZZ
@given(data=hostile())
def test_mutated_batch_spec(data: Any) -> None:
    with workdir() as tmp:
        _run(tmp, yaml.safe_dump(data, sort_keys=False).encode())


@FUZZ
@given(text=text_edits(yaml.safe_dump(BASE, sort_keys=False).encode()))
def test_edited_batch_spec_text(text: bytes) -> None:
    with workdir() as tmp:
        _run(tmp, text)
