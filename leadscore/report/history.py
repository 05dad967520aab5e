"""The history a back-test runs on: leads, events, accounts and outcomes, read once and checked.

Inputs are loaded into one engine (DuckDB or PostgreSQL) as canonical tables, with the same
checks as scoring (ids, timestamps, JSON properties); each scorecard is then scored on those
tables without reading or checking them again. Outcomes are the engine's ``outcomes`` role:
``lead_id``, ``timestamp``, an optional ``outcome`` (the kind: opportunity, won...) and an
optional ``amount``. For a static file, the outcome can instead be a column of the leads table
(``outcome_column``), with no timestamps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlglot import exp

from leadscore.compiler.query import table_expression
from leadscore.compiler.sources import Table
from leadscore.engines import Engine, connect
from leadscore.errors import InputError, parameter
from leadscore.io.sources import describe, parse_source
from leadscore.report.timeline import DataSpan
from leadscore.report.timeline import describe as describe_moment
from leadscore.scoring import Sources, no_events

logger = logging.getLogger(__name__)

TRUE_WORDS = frozenset({"1", "1.0", "true", "t", "yes", "y", "won", "converted", "si", "sí", "x"})
FALSE_WORDS = frozenset({"0", "0.0", "false", "f", "no", "n", "lost", "not converted"})


@dataclass
class Outcomes:
    """What happened to the leads: the first counted outcome per lead, and every counted row."""

    rows: pd.DataFrame  # lead_id, outcome, timestamp, amount (counted kinds, known leads)
    first: pd.Series  # lead_id -> time of the first counted outcome
    kinds_found: dict[str, int]
    kinds_counted: list[str]
    columns: list[str]
    label: str


@dataclass
class History:
    """Inputs loaded once on one engine, with the lead table and outcomes in pandas."""

    engine: Engine
    leads: Table
    events: Table
    accounts: Table | None
    lead_frame: pd.DataFrame
    account_frame: pd.DataFrame | None
    event_columns: list[str]
    has_events: bool
    outcomes: Outcomes | None = None
    static_labels: pd.Series | None = None  # lead_id -> bool, for an outcome column
    outcome_column: str | None = None
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def sources_of_scoring(self) -> Sources:
        """The canonical tables a scorecard is scored on."""
        return Sources(self.leads, self.events, self.accounts)

    def count_events(self) -> int:
        [count] = self.engine.execute(exp.select(exp.Count(this=exp.Star())).from_(table_expression(self.events, "e"))).column(0).to_pylist()
        return int(count)

    @property
    def is_static(self) -> bool:
        return self.static_labels is not None

    def span(self, data_end: datetime | None = None) -> DataSpan:
        """From the first lead or event to the last event or outcome (or ``data_end``)."""
        starts, ends = [], []
        created = self.lead_frame.get("created_at")
        if created is not None and created.notna().any():
            starts.append(created.min())
            ends.append(created.max())
        if self.has_events:
            low, high = self._event_span()
            if low is not None:
                starts.append(pd.Timestamp(low))
                ends.append(pd.Timestamp(high))
        if self.outcomes is not None and len(self.outcomes.rows):
            starts.append(self.outcomes.rows["timestamp"].min())
            ends.append(self.outcomes.rows["timestamp"].max())
        if not starts:
            raise InputError(f"the data has no timestamps (no created_at, events or outcome times): give {parameter('as_of')} for one evaluation")
        start = min(pd.Timestamp(s) for s in starts).to_pydatetime()
        end = data_end or max(pd.Timestamp(e) for e in ends).to_pydatetime()
        if end <= start:
            raise InputError(f"the data ends ({describe_moment(end)}) before it starts ({describe_moment(start)}): check {parameter('data_end')}")
        return DataSpan(start, end)

    def _event_span(self) -> tuple[Any, Any]:
        ts = exp.column(exp.to_identifier("timestamp", quoted=True), table="e")
        query = exp.select(exp.Min(this=ts), exp.Max(this=ts.copy())).from_(table_expression(self.events, "e"))
        [row] = self.engine.execute(query).to_pylist()
        low, high = row.values()
        return low, high

    def close(self) -> None:
        self.engine.close()


def load_history(
    *,
    leads: Any,
    events: Any = None,
    accounts: Any = None,
    outcomes: Any = None,
    outcome_column: str | None = None,
    outcome_kinds: list[str] | None = None,
    database: str | Path | Engine | None = None,
) -> History:
    """Read and check every input once. Exactly one of ``outcomes`` and ``outcome_column`` is needed.

    ``database``: the engine (or its ``--database`` value) that reads ``table:`` inputs and runs the
    scoring; DuckDB in memory by default.
    """
    if (outcomes is None) == (outcome_column is None):
        raise InputError(
            f"give the outcomes: either an outcomes table ({parameter('outcomes')}: lead_id, timestamp, optional outcome and amount) "
            f"or the column of the leads table that says whether each lead converted ({parameter('outcome_column')})"
        )
    engine = connect(database)
    try:
        history = _load(engine, leads, events, accounts)
        if outcome_column is not None:
            history.outcome_column = outcome_column
            history.static_labels = static_labels(history.lead_frame, outcome_column, history.sources["leads"], history.warnings)
        else:
            history.outcomes = read_outcomes(engine, outcomes, history.lead_frame, outcome_kinds, history.warnings)
            history.sources["outcomes"] = describe(parse_source(outcomes))
    except BaseException:
        engine.close()
        raise
    return history


def _load(engine: Engine, leads: Any, events: Any, accounts: Any) -> History:
    sources = {"leads": describe(parse_source(leads))}
    lead_table = _materialized(engine, "leads", leads)
    if events is not None:
        sources["events"] = describe(parse_source(events))
        event_table = _materialized(engine, "events", events)
        event_columns = list(event_table.columns)
        has_events = True
    else:
        event_table = _materialized(engine, "events", no_events())
        event_columns, has_events = ["lead_id", "event", "timestamp"], False
    account_table = None
    account_frame = None
    if accounts is not None:
        sources["accounts"] = describe(parse_source(accounts))
        account_table = _materialized(engine, "accounts", accounts)
        account_frame = engine.fetch(account_table).to_pandas()
    return History(
        engine=engine,
        leads=lead_table,
        events=event_table,
        accounts=account_table,
        lead_frame=engine.fetch(lead_table).to_pandas(),
        account_frame=account_frame,
        event_columns=event_columns,
        has_events=has_events,
        sources=sources,
    )


def _materialized(engine: Engine, role: str, source: Any) -> Table:
    """Load (and check) an input once, then keep it as a temporary table: every cut-off reads it again."""
    return engine.materialize(engine.load(role, parse_source(source)))


# -- outcomes table ------------------------------------------------------------------------------


def read_outcomes(engine: Engine, source: Any, lead_frame: pd.DataFrame, kinds: list[str] | None, warnings: list[str]) -> Outcomes:
    """Read, check and reduce the outcomes to the first counted outcome per known lead."""
    parsed = parse_source(source)
    label = describe(parsed)
    table = engine.load("outcomes", parsed)
    used = [c for c in ("lead_id", "outcome", "timestamp", "amount") if table.has(c)]
    frame = engine.fetch(table, used).to_pandas()
    if "outcome" not in frame:
        frame["outcome"] = "converted"
    if "amount" not in frame:
        frame["amount"] = float("nan")
    frame = frame[["lead_id", "outcome", "timestamp", "amount"]]
    if frame.empty:
        raise InputError(f"{label}: no outcomes: a back-test needs at least some leads that converted")
    return _reduce_outcomes(frame, label, lead_frame, kinds, warnings, used)


def _reduce_outcomes(
    frame: pd.DataFrame, label: str, lead_frame: pd.DataFrame, kinds: list[str] | None, warnings: list[str], used: list[str]
) -> Outcomes:
    frame = frame.assign(outcome=frame["outcome"].fillna("(none)").astype(str))
    found = {str(k): int(v) for k, v in frame["outcome"].value_counts().items()}
    counted = _counted_kinds(found, kinds, label)
    frame = frame[frame["outcome"].str.lower().isin({k.lower() for k in counted})]
    known = set(lead_frame["lead_id"].astype(str))
    unknown = ~frame["lead_id"].isin(known)
    if unknown.all():
        examples = ", ".join(repr(x) for x in frame["lead_id"].head(3))
        raise InputError(
            f"{label}: none of the {len(frame):,} outcomes is for a lead of the leads table (such as {examples}): "
            f"check that both use the same lead_id"
        )
    if unknown.any():
        examples = ", ".join(repr(x) for x in frame.loc[unknown, "lead_id"].drop_duplicates().head(3))
        warnings.append(
            f"{label}: {int(unknown.sum()):,} outcome{'s' if unknown.sum() > 1 else ''} ({unknown.mean():.1%}) are for "
            f"leads not in the leads table (such as {examples}): ignored. Check that both files use the same lead ids "
            f"and that the leads export is complete"
        )
    frame = frame[~unknown].sort_values("timestamp", kind="stable")
    _warn_before_creation(frame, lead_frame, label, warnings)
    first = frame.groupby("lead_id", sort=False)["timestamp"].min()
    return Outcomes(frame.reset_index(drop=True), first, found, counted, used, label)


def _counted_kinds(found: dict[str, int], kinds: list[str] | None, label: str) -> list[str]:
    if not kinds:
        return list(found)
    lower = {k.lower(): k for k in found}
    unknown = [k for k in kinds if k.lower() not in lower]
    if unknown:
        listing = ", ".join(f"{k} ({n:,})" for k, n in found.items())
        raise InputError(
            f"{label}: no outcome of kind {', '.join(repr(k) for k in unknown)}: the outcome column holds {listing}; "
            f"choose among these with {parameter('outcome_kinds')}"
        )
    return [lower[k.lower()] for k in kinds]


def _warn_before_creation(frame: pd.DataFrame, lead_frame: pd.DataFrame, label: str, warnings: list[str]) -> None:
    if "created_at" not in lead_frame:
        return
    created = lead_frame.set_index("lead_id")["created_at"]
    before = frame["timestamp"] < frame["lead_id"].map(created)
    if before.any():
        warnings.append(
            f"{label}: {int(before.sum()):,} outcome{'s' if before.sum() > 1 else ''} happened before the lead was created "
            f"(created_at): those leads count as converted from their outcome on; check the time zones of both files"
        )


# -- outcome column of the leads table -------------------------------------------------------------


def static_labels(lead_frame: pd.DataFrame, column: str, label: str, warnings: list[str]) -> pd.Series:
    """``Converted`` → a boolean per lead; refuses a missing, constant or unreadable column."""
    if column not in lead_frame:
        listing = ", ".join(c for c in lead_frame.columns if c != "lead_id")
        raise InputError(f"{label}: no column {column!r} for {parameter('outcome_column')}; the leads have: {listing}")
    values = lead_frame[column]
    text = values.astype("string").str.strip().str.lower()
    text = text.where(text != "", pd.NA)
    is_true = text.isin(TRUE_WORDS)
    is_false = text.isin(FALSE_WORDS)
    other = text.notna() & ~is_true & ~is_false
    if other.any():
        examples = ", ".join(repr(v) for v in values[other].astype(str).drop_duplicates().head(5))
        raise InputError(
            f"{label}: column {column!r} has values that are not yes/no: {examples} ({int(other.sum()):,} rows); "
            f"use 1/0, true/false or yes/no (empty means unknown)"
        )
    missing = text.isna()
    if missing.all():
        raise InputError(f"{label}: column {column!r} is empty for every lead: nothing to validate against")
    labels = pd.Series(is_true.to_numpy(dtype=bool), index=lead_frame["lead_id"].to_numpy())[~missing.to_numpy(dtype=bool)]
    if labels.nunique() < 2:
        value = "converted" if labels.iloc[0] else "not converted"
        raise InputError(
            f"{label}: column {column!r} says {value!r} for every lead: a back-test needs both converted and "
            f"not converted leads; check the column, or export leads of both kinds"
        )
    if missing.any():
        warnings.append(
            f"{label}: {int(missing.sum()):,} leads ({missing.mean():.1%}) have no value in {column!r}: left out of the evaluation"
        )
    return labels


__all__ = ["History", "Outcomes", "load_history", "read_outcomes", "static_labels"]
