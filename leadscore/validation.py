"""Warnings about a valid scorecard: settings with no effect, fields or events the data lacks."""

from __future__ import annotations

from typing import Any

from leadscore.compiler.sources import RESERVED_EVENT_COLUMNS, Kind, Table
from leadscore.engines import Engine, connect
from leadscore.errors import parameter
from leadscore.io.sources import parse_source
from leadscore.spec import Scorecard
from leadscore.spec.rules import Mode

SAMPLE_ROWS = 100_000


def scorecard_warnings(card: Scorecard) -> list[str]:
    """Things a valid scorecard says that do nothing, or likely not what was meant."""
    warnings = []
    for i, rule in enumerate(card.engagement.rules):
        where = f"engagement.rules[{i}] ({rule.name!r})"
        if rule.decay is not None and rule.mode in (Mode.THRESHOLD, Mode.INACTIVITY):
            warnings.append(f"{where}: decay has no effect on {rule.mode.value} rules (their window bounds them)")
        if rule.points == 0:
            warnings.append(f"{where}: 0 points: the rule never changes a score")
    for i, fit_rule in enumerate(card.fit.rules):
        if fit_rule.points == 0:
            warnings.append(f"fit.rules[{i}] ({fit_rule.name!r}): 0 points: the rule never changes a score")
    unconditional = [i for i, s in enumerate(card.stages) if not _has_condition(s.model_dump(exclude_none=True))]
    if unconditional and unconditional[0] < len(card.stages) - 1:
        first = unconditional[0]
        warnings.append(f"stages[{first}] ({card.stages[first].name!r}) always matches: the stages below it are never reached")
    if not unconditional:
        warnings.append("no stage without conditions at the end: some leads will have no stage")
    return warnings


def _has_condition(stage: dict[str, Any]) -> bool:
    return any(key != "name" for key in stage)


def data_warnings(
    card: Scorecard,
    *,
    leads: Any = None,
    events: Any = None,
    accounts: Any = None,
    database: str | None = None,
    id_column: str | None = None,
) -> list[str]:
    """Fields, properties and event types the scorecard reads that the data does not have.

    The data is checked as scoring checks it (ids, timestamps, JSON properties...).

    Raises:
        InputError: a source that scoring would refuse, for the same reason.
    """
    warnings: list[str] = []
    with connect(database) as engine:
        lead_columns = engine.load("leads", parse_source(leads), id_column=id_column).columns if leads is not None else None
        account_columns = engine.load("accounts", parse_source(accounts)).columns if accounts is not None else None
        events_table = engine.load("events", parse_source(events)) if events is not None else None
        for field in card.lead_fields():
            if field.startswith("account."):
                column = field.removeprefix("account.")
                if accounts is None and leads is not None:
                    warnings.append(f"field {field!r}: no {parameter('accounts')} given, so it is missing for every lead")
                elif account_columns is not None and column not in account_columns:
                    warnings.append(f"field {field!r}: the accounts have no column {column!r} ({_listing(account_columns)})")
            elif lead_columns is not None and field not in lead_columns:
                warnings.append(f"field {field!r}: the leads have no column {field!r} ({_listing(lead_columns)})")
        if events_table is not None:
            warnings += _event_warnings(card, engine, events_table)
    return warnings


def _event_warnings(card: Scorecard, engine: Engine, table: Table) -> list[str]:
    from sqlglot import exp

    from leadscore.compiler.query import table_expression

    warnings = []
    source = table_expression(table, "e")
    types_query = exp.select(exp.column("event", table="e", quoted=True)).from_(source).distinct().limit(10_000)
    present = {r["event"] for r in engine.execute(types_query).to_pylist()}
    for event_type in card.event_types():
        if event_type not in present:
            warnings.append(f"event type {event_type!r} does not occur in the events")
    keys: set[str] = set()
    if table.kind("properties") is Kind.JSON:
        keys = engine.json_keys(table, "properties", SAMPLE_ROWS)
    for prop in card.event_properties():
        if prop in table.columns and prop not in RESERVED_EVENT_COLUMNS:
            continue
        if prop in keys:
            continue
        where = "columns or properties keys" if table.kind("properties") is Kind.JSON else "columns"
        warnings.append(f"event property {prop!r}: not among the events' {where}, so it is missing for every event")
    return warnings


def _listing(columns: dict[str, Any]) -> str:
    names = list(columns)
    return "found " + ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
