"""``corridor import acled``: outside data (an ACLED export) to candidate events in a review
file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli.common import (
    ScenarioOpt,
    VerboseOpt,
    err_console,
    handle_errors,
    parse_date,
    resolve_scenario,
    scenario_networks,
)

if TYPE_CHECKING:
    from corridor.ingest.acled import AcledRow

app = typer.Typer(help="Turn outside data into candidate events to review.", no_args_is_help=True)


@app.command("acled")
@handle_errors
def import_acled(
    file: Annotated[Path, typer.Argument(help="An ACLED export (CSV).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The review file to write (YAML; - prints it).")
    ],
    scenario: ScenarioOpt = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="First date kept (default: the scenario's start).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last date kept (default: the scenario's end).")
    ] = None,
    radius_km: Annotated[
        float | None,
        typer.Option(
            "--radius-km",
            min=0,
            help="Keep rows within this distance of a scenario place (default: rows inside the "
            "scenario network's bounds).",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Write a new review file over an existing one instead of updating it.",
        ),
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Candidate events from an ACLED export, for the rows in the scenario's area and window.

    When -o names a review file that already exists (an earlier export of the same area), it is
    updated by ACLED's event_id_cnty and timestamp: rows changed upstream are replaced and
    marked `upstream: {status: changed}` with what changed, rows no longer in the export marked
    deleted, new rows added, and unchanged rows kept as the analyst left them (--replace writes
    a new file instead)."""
    from corridor.cli.common import check_outputs, is_stdout, write_text_output
    from corridor.ingest.acled import acled_review, iter_acled, reimport
    from corridor.ingest.review import Review, read_review
    from corridor.scenario.load import load_scenario

    sc = load_scenario(resolve_scenario(scenario))
    start, end = parse_date(from_, "--from"), parse_date(to, "--to")
    check_outputs(sc, {"-o": output}, reads={file: "the ACLED export"})
    earlier: Review | None = None
    if not replace and not is_stdout(output) and output.is_file() and _is_review(output):
        earlier = read_review(output)  # a mistake in it is one line; nothing is overwritten
    network = scenario_networks(sc)(sc.mover_profile().base)
    bounds = network.bounds if radius_km is None else None
    read = [0]
    seen: set[str] | None = set() if earlier is not None else None

    def counted() -> Iterator[AcledRow]:
        for row in iter_acled(file):
            read[0] += 1
            yield row

    review = acled_review(
        counted(),
        sc,
        bounds=bounds,
        start=start,
        end=end,
        radius_km=radius_km,
        origin=f"ACLED export {file.name}",
        network=network,
        seen=seen,
    )
    said_update = ""
    if earlier is not None:
        merged = reimport(earlier, review, seen or set())
        review = merged.review
        parts = ("unchanged", "changed", "deleted", "outside", "new", "older")
        said_update = (
            f"; {output.name} updated: "
            + ", ".join(f"{merged.counts[k]} {k}" for k in parts if merged.counts[k])
            if merged.counts
            else f"; {output.name} updated: nothing to compare"
        )
    write_text_output(output, review.to_yaml())
    kinds: dict[str, int] = {}
    for c in review.candidates:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    dups = sum(1 for c in review.candidates if c.duplicate_of)
    said = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
    unmatched = ", ".join(review.unmatched_actors) or "none"
    err_console().print(
        f"{read[0]} rows read, {len(review.candidates)} in the scenario's area and window "
        f"({said}; {dups} duplicate{'s' if dups != 1 else ''}); actors matching no scenario "
        f"actor: {unmatched}{said_update}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _is_review(path: Path) -> bool:
    """Whether ``path`` starts like a review file (``review:`` at the top, after comments)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    return line.startswith("review:")
    except OSError:
        return False
    return False
