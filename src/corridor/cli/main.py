"""The ``corridor`` command line: the root app and its command groups, one module each.

Thin commands over network, scenario, ingest, analysis and outputs; each module is named after
the command it holds. Only typer loads to show ``--help``; every command
imports what it uses when it runs.
"""

from __future__ import annotations

import typer

from corridor.cli import (
    analyze,
    batch,
    events,
    extract,
    import_zones,  # noqa: F401 (registers `import zones` on imports.app)
    imports,
    network,
    rank,
    scenario,
    serve,
    timeline,
)
from corridor.cli import map as map_command
from corridor.cli.common import FLAGS_ONLY, end_cleanly_on_sigterm

app = typer.Typer(
    help="corridor: is the place encircled, which roads out are open, what would seal it, "
    "how much can it carry, and how did that change over time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # plain help: typer's rich help loads rich.markdown and pygments, several times the
    # cost of the rest of ``corridor --help``
    rich_markup_mode=None,
    context_settings=FLAGS_ONLY,
)
app.add_typer(analyze.app)  # analyze
app.add_typer(timeline.app)  # timeline, compare
app.add_typer(rank.app)  # rank
app.add_typer(batch.app)  # batch
app.add_typer(scenario.app)  # scenarios
app.add_typer(map_command.app)  # map
app.add_typer(network.app, name="network")  # network info
app.add_typer(scenario.group, name="scenario")  # scenario validate, scenario schema
app.add_typer(imports.app, name="import")  # import acled
app.add_typer(events.group, name="events")  # events review, events accept
app.add_typer(extract.app)  # extract
app.add_typer(serve.app)  # serve


def main() -> None:
    end_cleanly_on_sigterm()
    app()


if __name__ == "__main__":
    main()
