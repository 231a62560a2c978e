"""``corridor extract``: an article to candidate events in a review file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import (
    JsonOpt,
    ScenarioOpt,
    VerboseOpt,
    console,
    handle_errors,
    parse_date,
    resolve_scenario,
    scenario_networks,
)

app = typer.Typer()


@app.command("extract")
@handle_errors
def extract(
    file: Annotated[Path, typer.Argument(help="A news article as plain text (UTF-8).")],
    published: Annotated[
        str, typer.Option("--published", help="The article's publication date (YYYY-MM-DD).")
    ],
    scenario: ScenarioOpt = None,
    url: Annotated[str, typer.Option("--url", help="The article's URL.")] = "",
    outlet: Annotated[str, typer.Option("--outlet", help="Who published it.")] = "",
    json_: JsonOpt = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the candidates as a review file."),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Candidate events in a news article: sentences reporting (or announcing) a road cut,
    closed or reopened, ground taken, people displaced, with the scenario's names resolved."""
    import json

    from corridor.cli.common import check_outputs, write_text_output
    from corridor.errors import InputFileError
    from corridor.files import safe_stem
    from corridor.ingest.news import NewsSource, extract, news_review
    from corridor.scenario.load import load_scenario

    sc = load_scenario(resolve_scenario(scenario))
    day = parse_date(published, "--published")
    assert day is not None
    if output is not None:
        check_outputs(sc, {"-o": output}, reads={file: "the article"})
    from corridor.ingest.news import MAX_ARTICLE_CHARS

    try:
        # a file too large to be an article is refused before it is read (at most 4 bytes a
        # character in UTF-8); extract() checks the characters
        if file.stat().st_size > 4 * MAX_ARTICLE_CHARS:
            msg = (
                f"{file}: {file.stat().st_size:,} bytes, more than an article corridor reads "
                f"({MAX_ARTICLE_CHARS:,} characters); split it into articles"
            )
            raise InputFileError(msg)
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{file}: no such article; check the path"
        raise InputFileError(msg) from None
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{file}: cannot read it as UTF-8 text ({exc})"
        raise InputFileError(msg) from None
    network = scenario_networks(sc)(sc.mover_profile().base)
    source = NewsSource(published=day, outlet=outlet, url=url)
    cands = extract(text, sc, source, network=network, prefix=f"news-{safe_stem(file.stem)}")
    if output is not None:
        write_text_output(output, news_review(cands, sc, f"article {file.name}").to_yaml())
    if json_:
        keys = ["kind", "date", "date_uncertainty_days", "actor", "target", "quote"]
        keys += ["confidence", "source", "rule", "unresolved", "summary"]
        rows = []
        for c in cands:
            d = c.to_dict()
            row = {k: d[k] for k in keys}
            row["date"] = c.date.isoformat()
            row["source"] = {k: str(v) for k, v in c.source.items()}
            row["id"], row["offsets"] = c.id, c.extra.get("offsets")
            row["stance"] = c.extra.get("stance")
            row["restated"] = c.extra.get("restated", [])
            rows.append(row)
        print(json.dumps({"candidates": rows}, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{len(cands)} candidates in {file.name} ({outlet or 'news'}, {day})")
    for col in ("id", "kind", "date", "actor", "target", "conf.", "rule"):
        table.add_column(col)
    table.add_column("quote; unresolved", ratio=1)
    for c in cands:
        date = c.date.isoformat() + (
            f" ±{c.date_uncertainty_days}d" if c.date_uncertainty_days else ""
        )
        target = ", ".join(f"{k}: {v}" for k, v in c.target.items()) or "?"
        note = f'"{c.quote}"' + ("; " + "; ".join(c.unresolved) if c.unresolved else "")
        conf = f"{c.confidence:.2f}"
        table.add_row(c.id, c.kind, date, c.actor or "?", target, conf, c.rule, note)
    console().print(table)
