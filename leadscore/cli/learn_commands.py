"""The learning commands: learn (a scorecard from outcomes) and learn-points (RD Station's method)."""

import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from leadscore.cli import app, handle_errors
from leadscore.cli._common import DatabaseOpt, err, for_user, now, optional, out
from leadscore.errors import InputError
from leadscore.io.files import write_text

if TYPE_CHECKING:
    from leadscore.learn.api import LearnResult

LeadsFile = Annotated[
    str, typer.Option("--leads", help="Leads: a .csv, .parquet or .jsonl file, or table:NAME in --database, with an id column.", show_default=False)
]
OutcomesFile = Annotated[
    str | None,
    typer.Option(
        "--outcomes",
        help="Outcome rows (lead_id, outcome, timestamp, amount?), a file or table:NAME: a lead with any outcome row converted.",
        show_default=False,
    ),
]
OutcomeColumn = Annotated[
    str | None,
    typer.Option("--outcome-column", help="A column of the leads that says whether each lead converted (1/0, true/false, yes/no).", show_default=False),
]
PositiveOpt = Annotated[
    str | None,
    typer.Option("--positive", help="Outcome values that count as converted, comma-separated (such as won,opportunity).", show_default=False),
]
IdColumn = Annotated[str, typer.Option("--id-column", help="The leads' id column.")]


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """Show the library's LearnWarnings as warnings on stderr (they are doubts, not errors)."""
    from leadscore.learn.fitter import LearnWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LearnWarning)
        try:
            yield
        finally:
            for warning in caught:
                if issubclass(warning.category, LearnWarning):
                    text = getattr(warning.message, "template", str(warning.message))
                    err.print(f"[yellow]warning:[/yellow] {escape(for_user(text))}", soft_wrap=True)


@app.command()
@handle_errors
def learn(
    leads: LeadsFile,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the learned scorecard (YAML).", show_default=False)],
    outcomes: OutcomesFile = None,
    outcome_column: OutcomeColumn = None,
    events: Annotated[
        str | None,
        typer.Option("--events", help="Events (lead_id, event, timestamp), a file or table:NAME, for engagement rules.", show_default=False),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Events up to this moment are features; outcomes after it are what is learned. Default: the newest event.", show_default=False),
    ] = None,
    exclude: Annotated[
        str | None,
        typer.Option("--exclude", help="Columns never to use, comma-separated: anything filled in after the outcome leaks it.", show_default=False),
    ] = None,
    positive: PositiveOpt = None,
    id_column: IdColumn = "lead_id",
    max_rules: Annotated[int, typer.Option("--max-rules", min=1, help="Most rules the scorecard may have.")] = 40,
    max_interactions: Annotated[
        int,
        typer.Option("--max-interactions", min=0, help="Most rules that combine two attributes (all: of two conditions); 0 for a purely additive scorecard."),
    ] = 5,
    points_to_double_odds: Annotated[float, typer.Option("--points-to-double-odds", min=0.1, help="Points that double the odds of converting.")] = 20.0,
    base_points: Annotated[float, typer.Option("--base-points", help="Score of a lead with the average odds.")] = 50.0,
    selection: Annotated[str, typer.Option("--selection", help="aic (default) or bic: bic keeps fewer rules.")] = "aic",
    folds: Annotated[int, typer.Option("--folds", min=0, help="Cross-validation folds for the metrics (0: skip them).")] = 5,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the folds and the models.")] = 0,
    name: Annotated[str | None, typer.Option("--name", help="The scorecard's name (default: from the output file).", show_default=False)] = None,
    database: DatabaseOpt = None,
) -> None:
    """Learn a points scorecard from outcomes: bins, value groups and event rules, with cross-validated metrics.

    The scorecard is an ordinary one (score, explain, backtest and an editor work on it), plus a calibration table from score to conversion probability.

    Exit status 2 on bad input (missing or constant outcome, fewer than 20 converted leads, unknown columns).
    """
    from leadscore.learn.api import learn_scorecard

    if selection not in ("aic", "bic"):
        raise InputError(f"--selection {selection!r}: use aic or bic")
    if folds == 1:
        raise InputError("--folds 1 cannot cross-validate: use 0 (skip) or 2 or more")
    _check_output(output)
    card_name = name or _name_of(output, "learned")
    with _warnings_to_stderr():
        result = learn_scorecard(
            leads, outcomes=optional(outcomes), outcome_column=outcome_column, events=optional(events), as_of=as_of,
            exclude=_split(exclude), id_column=id_column, positive=_split(positive) or None, folds=folds, random_state=seed,
            max_rules=max_rules, points_to_double_odds=points_to_double_odds, base_points=base_points, selection=selection,
            max_interactions=max_interactions, learned_on=now().date(), database=database,
        )
    text = result.yaml(card_name)
    write_text(output, text)
    _report(result, output)


def _check_output(output: Path) -> None:
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"--output {output}: a scorecard is a YAML file: end the name with .yaml")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"--output {output}: the folder {str(folder)!r} does not exist")


def _report(result: "LearnResult", output: Path) -> None:
    data, fitter = result.data, result.fitter
    n = len(data.target)
    out.print(
        f"learned from {n:,} leads, {data.positives:,} converted ({data.positives / n:.1%})"
        + (f", events up to {data.as_of.isoformat()}" if data.as_of else "")
    )
    out.print(f"columns used ({len(result.columns_used)}): " + (", ".join(result.columns_used) or "none"), markup=False)
    if result.columns_unused:
        out.print(f"columns without a rule ({len(result.columns_unused)}): " + ", ".join(result.columns_unused), markup=False)
    if data.excluded:
        out.print(f"columns not used (excluded or not features): {', '.join(data.excluded)}", markup=False)
    fit_rules = sum(r.section == "fit" for r in fitter.rules_)
    engagement_rules = len(fitter.rules_) - fit_rules
    out.print(f"scorecard: {fit_rules} fit rules, {engagement_rules} engagement rules; {fitter.points_to_double_odds:g} points double the odds")
    if result.comparison is not None:
        out.print(_metrics_table(result))
    out.print(_calibration_table(fitter.calibration_))
    out.print(f"wrote {output}")


def _metrics_table(result: "LearnResult") -> Table:
    assert result.comparison is not None
    table = Table(title="ROC AUC on held-out leads", caption=result.comparison.split, title_justify="left", caption_justify="left")
    for column, justify in (("model", "left"), ("ROC AUC", "right"), ("± sd", "right"), ("rules", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in result.comparison.table():
        rules = f"{row['rules']:.0f}" if row["rules"] is not None else ""
        table.add_row(row["model"], f"{row['auc']:.3f}", f"{row['auc_std']:.3f}", rules)
    return table


def _calibration_table(calibration: list[dict[str, Any]]) -> Table:
    table = Table(title="Calibration", caption="observed conversion by score band, training leads", title_justify="left", caption_justify="left")
    for column in ("score from", "leads", "converted"):
        table.add_column(column, justify="right")
    for band in calibration:
        table.add_row(f"{band['min_score']:g}", f"{band['leads']:,}", f"{band['probability']:.1%}")
    return table


@app.command("learn-points")
@handle_errors
def learn_points(
    leads: LeadsFile,
    field: Annotated[list[str], typer.Option("--field", help="A field to give points to (repeatable).", show_default=False)],
    outcome_column: OutcomeColumn = None,
    outcomes: OutcomesFile = None,
    positive: PositiveOpt = None,
    id_column: IdColumn = "lead_id",
    min_leads: Annotated[int, typer.Option("--min-leads", min=1, help="Values with fewer leads get no points.")] = 1,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write a scorecard with these points as fit rules.", show_default=False)
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Points per value of a field from conversion rates (RD Station's method): the best value gets 10, the others in proportion."""
    from leadscore.learn.export import scorecard_yaml
    from leadscore.learn.rd_station import rd_station_points, rd_station_scorecard
    from leadscore.learn.training import training_set
    from leadscore.spec import parse_scorecard

    if output is not None:
        _check_output(output)
    with _warnings_to_stderr():
        data = training_set(
            leads, outcomes=optional(outcomes), outcome_column=outcome_column, id_column=id_column,
            positive=_split(positive) or None, min_positives=1, database=database,
        )
    tables = {}
    for column in field:
        if column not in data.features.columns:
            raise InputError(f"--field {column!r}: not a feature column of the leads (columns: {', '.join(map(str, data.features.columns))})")
        tables[column] = rd_station_points(data.features, column, data.target, min_leads=min_leads)
        out.print(_points_table(column, tables[column]))
    if output is not None:
        text = scorecard_yaml(rd_station_scorecard(tables, name=_name_of(output, "rd-station-points")))
        parse_scorecard(text, filename=str(output))
        write_text(output, text)
        out.print(f"wrote {output}")


def _name_of(output: Path, default: str) -> str:
    """A scorecard name ([a-z0-9-]+) from the output file's name."""
    return re.sub(r"[^a-z0-9]+", "-", output.stem.lower()).strip("-") or default


def _points_table(column: str, points: Any) -> Table:
    table = Table(title=column, caption="best value: 10 points; the others in proportion to their conversion rate", title_justify="left", caption_justify="left")
    format_cell: dict[str, Callable[[Any], str]] = {
        "value": lambda v: "(missing)" if v is None else str(v),
        "leads": lambda v: f"{v:,}",
        "converted": lambda v: f"{v:,}",
        "rate": lambda v: f"{v:.1%}",
        "points": lambda v: "-" if v is None or str(v) == "<NA>" else str(v),
    }
    for name in format_cell:
        table.add_column(name, justify="left" if name == "value" else "right")
    for row in points.to_dict("records"):
        table.add_row(*(format_cell[name](row[name]) for name in format_cell))
    return table
