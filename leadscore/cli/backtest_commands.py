"""CLI commands of the back-test part: backtest, thresholds, sample-outcomes (registered on leadscore.cli.app)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from leadscore.cli import app, handle_errors
from leadscore.cli._common import (
    AccountsOpt,
    DatabaseOpt,
    EventsOpt,
    LeadsOpt,
    ScorecardArg,
    err,
    now,
    optional,
    out,
    parse_as_of,
)
from leadscore.errors import InputError

if TYPE_CHECKING:
    from leadscore.report.thresholds import ThresholdAdvice

OutcomesOpt = Annotated[
    str | None,
    typer.Option(
        "--outcomes",
        help="Outcomes: lead_id, timestamp, optional outcome (opportunity, won...) and amount; a file or table:NAME.",
        show_default=False,
    ),
]
OutcomeKindOpt = Annotated[
    list[str] | None,
    typer.Option("--outcome", help="Which outcome kinds count as converted (repeatable or comma-separated; default: any).", show_default=False),
]
HorizonOpt = Annotated[str, typer.Option("--horizon", help="A conversion counts when it comes within this long after the cut-off.")]
DataEndOpt = Annotated[
    str | None,
    typer.Option("--data-end", help="The data (outcomes too) is complete up to this moment. Default: the last event or outcome.", show_default=False),
]


@app.command()
@handle_errors
def backtest(
    scorecards: Annotated[list[Path], typer.Argument(help="One scorecard, or two to compare (A then B).", show_default=False)],
    leads: LeadsOpt,
    events: EventsOpt = None,
    accounts: AccountsOpt = None,
    outcomes: OutcomesOpt = None,
    outcome_column: Annotated[
        str | None,
        typer.Option("--outcome-column", help="Instead of --outcomes: the leads column saying whether each lead converted (static file).", show_default=False),
    ] = None,
    outcome: OutcomeKindOpt = None,
    horizon: HorizonOpt = "90d",
    cutoffs: Annotated[
        str | None, typer.Option("--cutoffs", help="Cut-offs, comma-separated (2026-01-01,2026-02-01). Default: every 4 weeks.", show_default=False)
    ] = None,
    every: Annotated[str | None, typer.Option("--every", help="Lay cut-offs this far apart (1w, 4w, 30d).", show_default=False)] = None,
    data_end: DataEndOpt = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="With --outcome-column: score as of this moment (default: the last event, or now).", show_default=False)
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the HTML report here (self-contained, opens offline).", show_default=False)] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON here.", show_default=False)] = None,
    reference: Annotated[bool, typer.Option("--reference/--no-reference", help="Cross-validate the reference models (gradient boosting, naive Bayes).")] = True,
    weekly: Annotated[bool, typer.Option("--weekly/--no-weekly", help="Score at weekly snapshots for MQL/SQL volumes per week.")] = True,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the cross-validation folds and the bootstrap.")] = 0,
    database: DatabaseOpt = None,
) -> None:
    """Validate a scorecard against real outcomes: score at past cut-offs (no leakage), label, measure.

    Reports ROC AUC, PR AUC, lift and gains by decile, conversion by score band, grade, level,
    stage and label, calibration, MQL/SQL per week and how many converted, time to outcome, what
    the top leads have in common, and reference models. With two scorecards: the same side by
    side and who would enter or leave each stage. Exit status 2 on bad input.
    """
    from leadscore.report import backtest as run_backtest

    if not 1 <= len(scorecards) <= 2:
        raise InputError(f"give one scorecard, or two to compare (got {len(scorecards)})")
    for target in (report, json_path):
        _check_target(target)
    started = time.monotonic()
    result = run_backtest(
        [*scorecards], leads=leads, events=optional(events), accounts=optional(accounts), outcomes=optional(outcomes),
        outcome_column=optional(outcome_column), outcome_kinds=_kinds(outcome), horizon=horizon, cutoffs=optional(cutoffs),
        every=optional(every), data_end=optional(data_end), as_of=optional(as_of), reference=reference, weekly=weekly,
        database=database, seed=seed, now=now(),
    )
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", soft_wrap=True)
    _render_backtest(result.to_dict())
    if report:
        result.write_html(report)
    if json_path:
        result.write_json(json_path)
    written = " and ".join(str(p) for p in (report, json_path) if p)
    err.print(f"back-test done in {time.monotonic() - started:.1f}s" + (f" → {written}" if written else ""))


@app.command()
@handle_errors
def thresholds(
    scorecard: ScorecardArg,
    leads: LeadsOpt,
    outcomes: Annotated[str, typer.Option("--outcomes", help="Outcomes: lead_id, timestamp, optional outcome and amount.", show_default=False)],
    events: EventsOpt = None,
    accounts: AccountsOpt = None,
    outcome: OutcomeKindOpt = None,
    capacity: Annotated[
        str | None, typer.Option("--capacity", help="Leads sales can take: 40/week, 160/month (sets the top stage, e.g. SQL).", show_default=False)
    ] = None,
    target_rate: Annotated[
        float | None, typer.Option("--target-rate", help="Or: the conversion rate the top stage should reach, e.g. 0.3.", show_default=False)
    ] = None,
    mql_capacity: Annotated[
        str | None, typer.Option("--mql-capacity", help="Capacity for the next stage (MQL). Default: twice --capacity.", show_default=False)
    ] = None,
    mql_target_rate: Annotated[
        float | None, typer.Option("--mql-target-rate", help="Target rate for the next stage (MQL). Default: half --target-rate.", show_default=False)
    ] = None,
    horizon: HorizonOpt = "90d",
    data_end: DataEndOpt = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the table and proposals as JSON here.", show_default=False)] = None,
    database: DatabaseOpt = None,
) -> None:
    """Propose MQL/SQL score thresholds from sales capacity (or a target conversion rate), from history.

    For each candidate threshold: how many new leads a week would have reached it, how many of
    them converted within the horizon, and what share of all conversions it would have caught.
    """
    from leadscore.report import propose_thresholds

    _check_target(json_path)
    advice = propose_thresholds(
        scorecard, leads=leads, events=optional(events), accounts=optional(accounts), outcomes=outcomes, outcome_kinds=_kinds(outcome),
        capacity=optional(capacity), target_rate=target_rate, mql_capacity=optional(mql_capacity), mql_target_rate=mql_target_rate,
        horizon=horizon, data_end=optional(data_end), database=database,
    )
    for warning in advice.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", soft_wrap=True)
    _render_thresholds(advice)
    if json_path:
        from leadscore.io.files import write_text

        write_text(json_path, json.dumps(advice.to_dict(), indent=2, default=str))


@app.command("sample-outcomes")
@handle_errors
def sample_outcomes_command(
    leads: LeadsOpt,
    events: Annotated[str, typer.Option("--events", help="The sample events (from leadscore demo or init).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the outcomes: .csv, .parquet or .jsonl.")],
    accounts: AccountsOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    observed_until: Annotated[
        str | None, typer.Option("--observed-until", help="Keep outcomes up to this moment (default: the last event).", show_default=False)
    ] = None,
) -> None:
    """Make realistic outcomes (opportunities, won deals with amounts) for the sample data, to try backtest."""
    from leadscore.engines import connect
    from leadscore.engines.files import write_arrow
    from leadscore.io.files import check_output_file
    from leadscore.io.sources import parse_source
    from leadscore.report.sample_outcomes import generate_outcomes

    check_output_file(output)
    tables = {}
    with connect() as engine:
        for role, source in (("leads", leads), ("events", events), ("accounts", optional(accounts))):
            if source is not None:
                tables[role] = engine.fetch(engine.load(role, parse_source(source)))
    end = parse_as_of(observed_until, "observed_until") if observed_until else _last_time(tables["events"])
    result = generate_outcomes(tables["leads"], tables["events"], tables.get("accounts"), observed_until=end, seed=seed)
    write_arrow(result, output)
    err.print(f"wrote {result.num_rows:,} outcomes for {len(set(result.column('lead_id').to_pylist())):,} leads → {output}")


# -- helpers -------------------------------------------------------------------------------------------


def _kinds(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [k.strip() for v in values for k in v.split(",") if k.strip()] or None


def _check_target(path: Path | None) -> None:
    from leadscore.io.files import check_writable

    if path is not None:
        check_writable(path)


def _last_time(events: Any) -> Any:
    import pyarrow.compute as pc

    return pc.max(events.column("timestamp")).as_py()


def _fmt_pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _render_backtest(doc: dict[str, Any]) -> None:
    e = doc["evaluation"]
    out.print(
        f"evaluated {e['rows']:,} lead × cut-off rows ({e['leads']:,} leads, {e['cutoffs']} cut-off{'s' if e['cutoffs'] > 1 else ''}), "
        f"{e['converted']:,} converted ({_fmt_pct(e['base_rate'])})"
    )
    view = Table(title="Back-test", title_justify="left")
    for name in ("scorecard", "ROC AUC", "95% interval", "PR AUC", "top-decile lift", "top 30% gain"):
        view.add_column(name, justify="left" if name == "scorecard" else "right")
    for card in doc["scorecards"]:
        s = card["summary"]
        ci = s.get("roc_auc_interval")
        view.add_row(card["title"], _fmt(s["roc_auc"]), f"{ci[0]:.3f}–{ci[1]:.3f}" if ci else "—", _fmt(s["pr_auc"]),
                     _fmt(s["top_decile_lift"], 2) + "×", _fmt_pct(s["top_30pct_gain"]))
    reference = doc.get("reference_models") or {}
    for model in reference.get("models") or []:
        view.add_row(f"[dim]{model['title']} (reference, CV)[/dim]", _fmt(model["roc_auc"]), "", _fmt(model["pr_auc"]), "", "")
    out.print(view)
    if reference.get("skipped"):
        out.print(f"reference models not computed: {reference['skipped']}")
    for card in doc["scorecards"]:
        for stage in card.get("weekly_stages") or []:
            out.print(
                f"{card['title']}: {stage['stage']}: {stage['mean_weekly_entries']:.1f} new a week, "
                f"{_fmt_pct(stage['converted_share'])} converted, median {_fmt(stage['median_days_to_outcome'], 0)} days to outcome"
            )
    comparison = doc.get("comparison")
    if comparison:
        ci = comparison.get("roc_auc_difference_interval")
        out.print(
            f"B − A ROC AUC: {comparison['roc_auc_difference']:+.3f}" + (f" (95% interval {ci[0]:+.3f} to {ci[1]:+.3f})" if ci else "")
        )
        for move in comparison["movements"]["stages"]:
            out.print(
                f"{move['stage']}: B adds {move['enter']['leads']:,} rows (converted {_fmt_pct(move['enter']['conversion_rate'])}), "
                f"drops {move['leave']['leads']:,} (converted {_fmt_pct(move['leave']['conversion_rate'])})"
            )


def _render_thresholds(advice: ThresholdAdvice) -> None:
    picks = {p["threshold"]: p["stage"] for p in advice.proposals if p["threshold"] is not None}
    view = Table(title=f"Thresholds for {advice.scorecard} ({advice.weeks} weeks, horizon {advice.horizon_days:g} days)", title_justify="left")
    for name in ("score ≥", "new leads / week", "converted", "recall", "entrants", ""):
        view.add_column(name, justify="right" if name else "left")
    for row in advice.candidates:
        mark = f"← {picks[row['threshold']]}" if row["threshold"] in picks else ""
        view.add_row(f"{row['threshold']:g}", f"{row['weekly_volume']:.1f}", _fmt_pct(row["conversion_rate"]), _fmt_pct(row["recall"]),
                     f"{row['entrants']:,}", mark)
    out.print(view)
    for stage in advice.current:
        out.print(f"now: {stage['stage']}: {stage['mean_weekly_entries']:.1f} new a week, {_fmt_pct(stage['converted_share'])} converted")
    for p in advice.proposals:
        current = f" (now min_score {p['current_min_score']:g})" if p["current_min_score"] is not None else ""
        if p["threshold"] is None:
            out.print(f"{p['stage']}: no proposal: {p['reason']}")
            continue
        row = p["row"]
        out.print(
            f"proposed {p['stage']}: min_score {p['threshold']:g}{current}: {row['weekly_volume']:.1f} a week, "
            f"{_fmt_pct(row['conversion_rate'])} converted, recall {_fmt_pct(row['recall'])} — {p['reason']}"
        )
    others = sorted({c for p in advice.proposals for c in p.get("other_conditions", [])})
    if others:
        out.print(
            f"note: the thresholds count the score only; the stages' other conditions ({', '.join(others)}) stay as they are "
            "and can add leads (a fast track) or hold some back"
        )
