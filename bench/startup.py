"""How fast the command line starts: medians of fresh processes, against ``python -c pass``.

Each command runs once untimed (numba's kernels compile, the network cache fills, Python writes
its bytecode, the files sit in the page cache), then ``runs`` times in a fresh process, timed
from spawn to exit with its output thrown away. The processes run without
``PYTHONDONTWRITEBYTECODE`` (some shells set it): an installed package has its bytecode (pip
writes it at install time), and compiling corridor's modules from source anew would add about
90 ms to every command. Run it alone with ``python -m bench.startup``; ``bench.run`` runs it first.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RUNS = 7
# the targets, in seconds
TARGETS = {
    "corridor --help": 0.3,
    "corridor scenarios": 0.3,
    "corridor analyze --at 2016-11-10": 0.5,  # issue 28 (issue 22: 0.6)
    "corridor timeline": 1.5,
}


def _corridor() -> list[str]:
    """The installed ``corridor`` script next to this Python, else ``python -m``."""
    script = Path(sys.executable).parent / "corridor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "corridor.cli.main"]


def commands() -> dict[str, list[str]]:
    """What is measured: bare Python, Python with numpy, and four corridor commands."""
    corridor = _corridor()
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
        "corridor --help": [*corridor, "--help"],
        "corridor scenarios": [*corridor, "scenarios"],
        # the bundled mosul-2016, the default scenario
        "corridor analyze --at 2016-11-10": [*corridor, "analyze", "--at", "2016-11-10"],
        "corridor timeline": [*corridor, "timeline"],
    }


_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _once(argv: list[str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=_ENV
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        msg = f"{' '.join(argv)} exited {done.returncode}: {' '.join(tail)}"
        raise RuntimeError(msg)
    return seconds


def bench_startup(*, runs: int = RUNS, console: Console | None = None) -> dict[str, Any]:
    """Median seconds of ``runs`` fresh processes per command, printed as a table.

    Returns
    -------
    dict
        ``{"runs": runs, "commands": {name: {"median_s", "times_s", "ratio_to_python",
        "target_s"}}}``; a command that fails has ``"error"`` instead of times.
    """
    console = console or Console(width=150)
    out: dict[str, Any] = {"runs": runs, "commands": {}}
    for name, argv in commands().items():
        try:
            _once(argv)  # warm: compiled kernels, caches, page cache
            times = [_once(argv) for _ in range(runs)]
        except RuntimeError as exc:
            out["commands"][name] = {"error": str(exc)}
            continue
        out["commands"][name] = {"median_s": statistics.median(times), "times_s": times}
    base = out["commands"]["python -c pass"].get("median_s")
    table = Table(
        "command", "median", "x python -c pass", "target", title=f"Startup ({runs} fresh runs)"
    )
    for name, r in out["commands"].items():
        r["target_s"] = TARGETS.get(name)
        if "error" in r:
            table.add_row(name, "[red]failed", "-", "-")
            console.print(f"  [red]{r['error']}", highlight=False)
            continue
        r["ratio_to_python"] = r["median_s"] / base if base else None
        target = "-"
        if r["target_s"] is not None:
            met = r["median_s"] <= r["target_s"]
            target = f"{r['target_s']:.1f} s " + ("met" if met else "[red]missed")
        table.add_row(
            name,
            f"{r['median_s'] * 1e3:,.0f} ms",
            f"{r['ratio_to_python']:.1f}x" if base else "-",
            target,
        )
    console.print(table)
    return out


def write_startup(path: Path, startup: dict[str, Any]) -> None:
    """Put ``startup`` into the results JSON at ``path``, keeping the other sections there."""
    try:
        results = json.loads(path.read_text())
    except (OSError, ValueError):
        results = {}
    results["startup"] = startup
    path.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    bench_startup()
