"""The commands: init, validate, score, explain, top, sql, schema, demo."""

import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadscore.cli import app, handle_errors
from leadscore.cli._common import (
    AccountsOpt,
    AsOfOpt,
    DatabaseOpt,
    EventsOpt,
    IdColumnOpt,
    LeadsOpt,
    ScorecardArg,
    err,
    for_user,
    is_interactive,
    optional,
    out,
    parse_as_of,
)
from leadscore.errors import InputError
from leadscore.io.sources import TABLE_PREFIX

if TYPE_CHECKING:
    from leadscore.engines import Engine

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SAMPLE_AS_OF = datetime(2026, 6, 1, 12, tzinfo=UTC)
"""The sample data of init and demo ends here, so the docs' commands give the same results any day."""


@app.command()
@handle_errors
def score(
    scorecard: ScorecardArg,
    leads: LeadsOpt,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Where to write one row per lead: .csv, .parquet, .jsonl, or table:NAME.")
    ],
    events: EventsOpt = None,
    accounts: AccountsOpt = None,
    id_column: IdColumnOpt = None,
    as_of: AsOfOpt = None,
    database: DatabaseOpt = None,
    accounts_output: Annotated[
        str | None,
        typer.Option("--accounts-output", help="Also write one row per account (needs an accounts: roll-up in the scorecard)."),
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option("--memory-limit", help="DuckDB only: at most this much memory (e.g. 8GB); beyond it, work spills to disk."),
    ] = None,
    events_unique: Annotated[
        bool,
        typer.Option(
            "--events-unique",
            help="The events never repeat an event_id (e.g. it is a primary key): skip removing re-sent events. Faster on big data.",
        ),
    ] = False,
) -> None:
    """Score every lead and write fit, engagement, score, grade, level, priority, stage, label and each rule's points.

    Exit status 0 on success; 2 when the scorecard is refused or an input is unreadable
    (the errors go to stderr and no output is written).
    """
    from leadscore.cli.render import progress_display
    from leadscore.engines import connect
    from leadscore.io.files import check_output_file
    from leadscore.io.sources import TableRef, parse_source
    from leadscore.scoring import LeadScorer, check_targets
    from leadscore.spec import load_scorecard

    card = load_scorecard(scorecard)
    moment = parse_as_of(as_of)
    outputs = {"output": output, "accounts_output": accounts_output}
    inputs = {"leads": leads, "events": optional(events), "accounts": optional(accounts)}
    for target in (output, accounts_output):
        parsed = parse_source(target) if target else None
        if parsed is not None and not isinstance(parsed, TableRef):
            check_output_file(Path(parsed))
    if accounts_output and card.accounts is None:
        raise InputError("--accounts-output needs an 'accounts:' roll-up section in the scorecard")
    check_targets(None, outputs, inputs)
    started = time.monotonic()
    with progress_display(err, enabled=is_interactive()) as report, connect(database, progress=report, memory_limit=memory_limit) as engine:
        _check_tables_kept(engine, outputs)
        check_targets(engine, outputs, inputs)  # table names as the database resolves them
        with LeadScorer(
            card, leads=leads, events=optional(events), accounts=optional(accounts), engine=engine,
            unique_events=events_unique, id_column=id_column,
        ) as scorer:
            scorer.write(output, moment, accounts_output=accounts_output)
    err.print(f"scored as of {moment.isoformat()} → {output} in {time.monotonic() - started:.1f}s", markup=False)


def _check_tables_kept(engine: "Engine", outputs: dict[str, str | None]) -> None:
    """Refuse a table output to a database that is gone when the command ends (DuckDB in memory)."""
    for name, value in outputs.items():
        if value and value.startswith(TABLE_PREFIX) and not engine.keeps_tables:
            raise InputError(
                f"--{name.replace('_', '-')} {value}: without --database the tables are in a DuckDB database in memory, "
                "lost when the command ends: give --database a DuckDB file or a postgresql:// URL"
            )


@app.command()
@handle_errors
def validate(
    scorecard: ScorecardArg,
    leads: Annotated[str | None, typer.Option("--leads", help="Check the fields against these leads' columns.")] = None,
    events: Annotated[str | None, typer.Option("--events", help="Check event types and properties against these events.")] = None,
    accounts: AccountsOpt = None,
    id_column: IdColumnOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Check a scorecard: errors (exit 2) with file:line:column, and warnings for fields the data lacks.

    Data given is checked as score checks it (exit 2 on a bad row, with its line).
    """
    from rich.markup import escape

    from leadscore.spec import load_scorecard
    from leadscore.validation import data_warnings, scorecard_warnings

    card = load_scorecard(scorecard)
    warnings = scorecard_warnings(card)
    if leads or events or accounts:
        warnings += data_warnings(
            card, leads=optional(leads), events=optional(events), accounts=optional(accounts), database=database, id_column=id_column
        )
    for warning in warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(str(scorecard))}: {escape(for_user(warning))}", soft_wrap=True)
    out.print(
        f"ok: {escape(str(scorecard))}: {len(card.fit.rules)} fit rules, {len(card.engagement.rules)} engagement rules, "
        f"{len(card.stages)} stages" + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else "")
    )


@app.command()
@handle_errors
def explain(
    scorecard: ScorecardArg,
    lead_ids: Annotated[list[str], typer.Argument(help="One or more lead ids.", show_default=False)],
    leads: LeadsOpt,
    events: EventsOpt = None,
    accounts: AccountsOpt = None,
    id_column: IdColumnOpt = None,
    as_of: AsOfOpt = None,
    database: DatabaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Show why a lead has its score: every rule, whether it fired, its points, the decay and the events behind it."""
    from leadscore.cli.render import render_explanation
    from leadscore.scoring import LeadScorer

    moment = parse_as_of(as_of)
    with LeadScorer(scorecard, leads=leads, events=optional(events), accounts=optional(accounts), engine=database, id_column=id_column) as scorer:
        explanations = [scorer.explain(lead_id, moment) for lead_id in lead_ids]
    if as_json:
        out.print_json(json.dumps([e.to_dict() for e in explanations], default=str))
        return
    for explanation in explanations:
        render_explanation(out, explanation)


@app.command()
@handle_errors
def top(
    scorecard: ScorecardArg,
    leads: LeadsOpt,
    events: EventsOpt = None,
    accounts: AccountsOpt = None,
    id_column: IdColumnOpt = None,
    as_of: AsOfOpt = None,
    database: DatabaseOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many leads to show.")] = 20,
    stage: Annotated[list[str] | None, typer.Option("--stage", help="Only leads in this stage (repeatable).")] = None,
    grade: Annotated[list[str] | None, typer.Option("--grade", help="Only leads of this grade (repeatable).")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="Only leads with this label (repeatable).")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Also write the list to a file.")] = None,
) -> None:
    """The call list: leads in priority order (A1 first), then by score, with the rules that fired."""
    from leadscore.cli.render import render_top
    from leadscore.ranking import check_filters, prioritize
    from leadscore.scoring import LeadScorer
    from leadscore.spec import load_scorecard

    card = load_scorecard(scorecard)
    check_filters(card, stages=stage, grades=grade, labels=label)  # before reading any input
    moment = parse_as_of(as_of)
    if output:
        from leadscore.io.files import check_output_file
        from leadscore.scoring import check_targets

        check_output_file(Path(output))
        check_targets(None, {"output": output}, {"leads": leads, "events": optional(events), "accounts": optional(accounts)})
    with LeadScorer(card, leads=leads, events=optional(events), accounts=optional(accounts), engine=database, id_column=id_column) as scorer:
        table = scorer.score(moment)
    ranked = prioritize(table, card, stages=stage, grades=grade, labels=label)
    if output:
        from leadscore.engines.files import write_arrow

        write_arrow(ranked, Path(output))
    render_top(out, ranked.slice(0, min(limit, ranked.num_rows)), card, total=ranked.num_rows)


@app.command()
@handle_errors
def sql(
    scorecard: ScorecardArg,
    dialect: Annotated[str, typer.Option("--dialect", help="duckdb, postgres, spark, bigquery or snowflake.")] = "duckdb",
    as_of: AsOfOpt = None,
    leads_table: Annotated[str, typer.Option("--leads-table", help="Name of the leads table.")] = "leads",
    events_table: Annotated[str, typer.Option("--events-table", help="Name of the events table.")] = "events",
    accounts_table: Annotated[str, typer.Option("--accounts-table", help="Name of the accounts table.")] = "accounts",
    json_properties: Annotated[
        bool, typer.Option("--json-properties", help="Events carry their properties in a JSON 'properties' column.")
    ] = False,
) -> None:
    """Print the one SQL query the scorecard compiles to, to run in your warehouse.

    The tables are assumed to have the canonical columns (leads: lead_id, created_at, account_id
    and the fields the rules read; events: lead_id, event, timestamp, event_id and the properties).
    """
    from leadscore.compiler import compile_sql
    from leadscore.compiler.dialects import normalize_dialect
    from leadscore.compiler.sources import default_sources
    from leadscore.spec import load_scorecard

    card = load_scorecard(scorecard)
    dialect = normalize_dialect(dialect)
    sources = default_sources(card, leads_table, events_table, accounts_table, json_properties=json_properties)
    out.print(compile_sql(card, sources, as_of=parse_as_of(as_of), dialect=dialect) + ";", markup=False, highlight=False, soft_wrap=True)


@app.command()
@handle_errors
def schema() -> None:
    """Print the JSON Schema of a scorecard, for editors to complete and check YAML."""
    from leadscore.spec import Scorecard

    document = Scorecard.model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "leadscore scorecard (contract v1)"
    out.print(json.dumps(document, indent=2), markup=False, highlight=False, soft_wrap=True)


@app.command()
@handle_errors
def init(
    directory: Annotated[Path, typer.Argument(help="The folder to create (must be empty or new).")],
    leads_count: Annotated[int, typer.Option("--leads", min=10, help="How many sample leads to make.")] = 500,
) -> None:
    """Start a project: an example scorecard and sample leads, accounts and events."""
    from leadscore.sample import generate_sample, write_sample

    if directory.exists() and any(directory.iterdir()):
        raise InputError(f"{directory}: not empty; choose a new folder")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "b2b-saas.yaml", directory / "scorecard.yaml")
    data = generate_sample(leads_count, seed=7, as_of=SAMPLE_AS_OF)
    write_sample(data, directory / "data", fmt="csv")
    out.print(f"created {directory}/scorecard.yaml and sample data in {directory}/data/ (activity up to {SAMPLE_AS_OF:%Y-%m-%d})")
    out.print("next:")
    out.print(
        f"  leadscore score {directory}/scorecard.yaml --leads {directory}/data/leads.csv "
        f"--events {directory}/data/events.csv --accounts {directory}/data/accounts.csv "
        f"--as-of {SAMPLE_AS_OF:%Y-%m-%dT%H:%M:%SZ} --output scores.csv",
        markup=False,
    )


@app.command()
@handle_errors
def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the sample data and the scores.")] = Path("demo-output"),
    leads_count: Annotated[int, typer.Option("--leads", min=10, help="How many sample leads to make.")] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the sample data.")] = 7,
) -> None:
    """Make realistic sample data, score it on DuckDB, and show the top leads and a summary."""
    from leadscore.cli.render import render_summary, render_top
    from leadscore.ranking import prioritize
    from leadscore.sample import generate_sample, write_sample
    from leadscore.scoring import LeadScorer

    as_of = SAMPLE_AS_OF
    started = time.monotonic()
    data = generate_sample(leads_count, seed=seed, as_of=as_of)
    folder = output / "data"
    write_sample(data, folder, fmt="csv")
    card_path = output / "scorecard.yaml"
    output.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "b2b-saas.yaml", card_path)
    err.print(
        f"made {data.leads.num_rows:,} leads, {data.accounts.num_rows:,} accounts and {data.events.num_rows:,} events in {folder}/"
    )
    with LeadScorer(card_path, leads=folder / "leads.csv", events=folder / "events.csv", accounts=folder / "accounts.csv") as scorer:
        scorer.write(output / "scores.csv", as_of)
        table = scorer.score(as_of)
        card = scorer.card
    ranked = prioritize(table, card)
    render_top(out, ranked.slice(0, 10), card, total=ranked.num_rows, title=f"Top 10 leads as of {as_of:%Y-%m-%d}")
    render_summary(out, table, card)
    out.print(f"\nscores written to {output / 'scores.csv'} ({time.monotonic() - started:.1f}s). Try:")
    out.print(
        f"  .venv/bin/leadscore explain {card_path} {ranked.column('lead_id')[0].as_py()} --leads {folder}/leads.csv "
        f"--events {folder}/events.csv --accounts {folder}/accounts.csv --as-of {as_of:%Y-%m-%dT%H:%M:%SZ}",
        markup=False,
        soft_wrap=True,
    )
