"""The history a back-test runs on: leads, events, accounts and outcomes, read once and checked.

Inputs are loaded into one DuckDB engine as canonical views (the io layer's checks: ids,
timestamps, JSON properties); each scorecard is then scored on those views without reading or
checking them again. Outcomes are read here: ``lead_id``, ``timestamp``, an optional ``outcome``
(the kind: opportunity, won...) and an optional ``amount``. For a static file, the outcome can
instead be a column of the leads table (``outcome_column``), with no timestamps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from leadscore.engines.duckdb import DuckDBEngine
from leadscore.errors import InputError, UnsupportedError
from leadscore.io.formats import file_format
from leadscore.io.load import file_reader, kind_of, quote, row_numbering
from leadscore.io.sources import TableRef, describe, parse_source
from leadscore.report.timeline import DataSpan
from leadscore.report.timeline import describe as describe_moment
from leadscore.scoring import no_events

logger = logging.getLogger(__name__)

OUTCOME_REQUIRED = ("lead_id", "timestamp")
SHOWN = 5
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
    """Inputs loaded once on one DuckDB engine, with the lead table and outcomes in pandas."""

    engine: DuckDBEngine
    leads: TableRef
    events: TableRef
    accounts: TableRef | None
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
            [(low, high)] = self.engine.conn.execute(f"SELECT min(timestamp), max(timestamp) FROM {_name(self.events)}").fetchall()
            if low is not None:
                starts.append(pd.Timestamp(low))
                ends.append(pd.Timestamp(high))
        if self.outcomes is not None and len(self.outcomes.rows):
            starts.append(self.outcomes.rows["timestamp"].min())
            ends.append(self.outcomes.rows["timestamp"].max())
        if not starts:
            raise InputError("the data has no timestamps (no created_at, events or outcome times): give --as-of for one evaluation")
        start = min(pd.Timestamp(s) for s in starts).to_pydatetime()
        end = data_end or max(pd.Timestamp(e) for e in ends).to_pydatetime()
        if end <= start:
            raise InputError(f"the data ends ({describe_moment(end)}) before it starts ({describe_moment(start)}): check --data-end")
        return DataSpan(start, end)

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
    database: str | Path | None = None,
) -> History:
    """Read and check every input once. Exactly one of ``outcomes`` and ``outcome_column`` is needed."""
    if (outcomes is None) == (outcome_column is None):
        raise InputError(
            "give the outcomes: either an outcomes table (--outcomes: lead_id, timestamp, optional outcome and amount) "
            "or the column of the leads table that says whether each lead converted (--outcome-column)"
        )
    engine = _engine(database)
    try:
        history = _load(engine, leads, events, accounts)
        if outcome_column is not None:
            history.outcome_column = outcome_column
            history.static_labels = static_labels(history.lead_frame, outcome_column, history.sources["leads"], history.warnings)
        else:
            history.outcomes = read_outcomes(engine.conn, outcomes, history.lead_frame, outcome_kinds, history.warnings)
            history.sources["outcomes"] = describe(parse_source(outcomes))
    except BaseException:
        engine.close()
        raise
    return history


def _engine(database: str | Path | None) -> DuckDBEngine:
    text = str(database) if database is not None else ":memory:"
    if text.startswith(("postgresql://", "postgres://")):
        raise UnsupportedError("the back-test runs on DuckDB: give files, DataFrames, or a DuckDB database file (not PostgreSQL)")
    return DuckDBEngine(":memory:" if text in ("duckdb", ":memory:") else text)


def _load(engine: DuckDBEngine, leads: Any, events: Any, accounts: Any) -> History:
    sources = {"leads": describe(parse_source(leads))}
    lead_view = _materialized(engine, "leads", leads)
    if events is not None:
        sources["events"] = describe(parse_source(events))
        event_view = _materialized(engine, "events", events)
        event_columns = [str(r[0]) for r in engine.conn.execute(f"DESCRIBE SELECT * FROM {_name(event_view)}").fetchall()]
        has_events = True
    else:
        event_view = _materialized(engine, "events", no_events())
        event_columns, has_events = ["lead_id", "event", "timestamp"], False
    account_view = None
    account_frame = None
    if accounts is not None:
        sources["accounts"] = describe(parse_source(accounts))
        account_view = _materialized(engine, "accounts", accounts)
        account_frame = _frame(engine.conn, account_view)
    return History(
        engine=engine,
        leads=lead_view,
        events=event_view,
        accounts=account_view,
        lead_frame=_frame(engine.conn, lead_view),
        account_frame=account_frame,
        event_columns=event_columns,
        has_events=has_events,
        sources=sources,
    )


def _materialized(engine: DuckDBEngine, role: str, source: Any) -> TableRef:
    """Load (and check) an input once, then keep it as a temporary table: every cut-off reads it again."""
    view = engine.load(role, parse_source(source))
    table = f"__ls_bt_{role}"
    engine.conn.execute(f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS SELECT * FROM {'.'.join(quote(p) for p in view.name)}").fetchall()
    return TableRef((table,))


def _name(ref: TableRef) -> str:
    return ".".join(quote(p) for p in ref.name)


def _frame(conn: duckdb.DuckDBPyConnection, ref: TableRef) -> pd.DataFrame:
    table: pa.Table = conn.sql(f"SELECT * FROM {_name(ref)}").to_arrow_table()
    return table.to_pandas()


# -- outcomes table ------------------------------------------------------------------------------


def read_outcomes(
    conn: duckdb.DuckDBPyConnection, source: Any, lead_frame: pd.DataFrame, kinds: list[str] | None, warnings: list[str]
) -> Outcomes:
    """Read, check and reduce the outcomes to the first counted outcome per known lead."""
    parsed = parse_source(source)
    label, offset, word = _register(conn, "__ls_raw_outcomes", parsed)
    columns = {str(r[0]): str(r[1]) for r in conn.execute("DESCRIBE SELECT * FROM __ls_raw_outcomes").fetchall()}
    missing = [c for c in OUTCOME_REQUIRED if c not in columns]
    if missing:
        raise InputError(
            f"{label}: missing column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)}: outcomes need "
            f"lead_id and timestamp (the time of the outcome), optionally outcome (its kind, such as opportunity or won) "
            f"and amount; found {', '.join(columns) or 'no columns'}"
        )
    conn.execute(f"CREATE OR REPLACE TEMP TABLE __ls_outcomes AS {_canonical_outcomes(columns)}").fetchall()
    _check_rows(conn, label, offset, word, "amount" in columns)
    frame = conn.sql("SELECT lead_id, outcome, timestamp, amount FROM __ls_outcomes").to_arrow_table().to_pandas()
    if frame.empty:
        raise InputError(f"{label}: no outcomes: a back-test needs at least some leads that converted")
    used = [c for c in ("lead_id", "outcome", "timestamp", "amount") if c in columns]
    return _reduce_outcomes(frame, label, lead_frame, kinds, warnings, used)


def _register(conn: duckdb.DuckDBPyConnection, raw: str, source: Any) -> tuple[str, int, str]:
    if isinstance(source, TableRef):
        try:
            conn.execute(f"CREATE OR REPLACE TEMP TABLE {quote(raw)} AS SELECT * FROM {_name(source)}").fetchall()
        except duckdb.Error as exc:
            raise InputError(f"{source}: cannot read the table: {str(exc).splitlines()[0]}") from exc
        return str(source), 1, "row"
    if isinstance(source, Path):
        reader = file_reader(source)
        try:
            conn.execute(f"CREATE OR REPLACE TEMP TABLE {quote(raw)} AS SELECT * FROM {reader}").fetchall()
        except duckdb.Error as exc:
            raise InputError(f"{source}: cannot read it as {file_format(source).upper()}: {str(exc).splitlines()[0]}") from exc
        return row_numbering(source)
    try:
        conn.register(f"{raw}_frame", source)
        conn.execute(f"CREATE OR REPLACE TEMP TABLE {quote(raw)} AS SELECT * FROM {quote(raw + '_frame')}").fetchall()
    except (duckdb.Error, TypeError, ValueError) as exc:
        raise InputError(f"{describe(source)}: cannot read this table: {exc}") from exc
    return describe(source), 1, "row"


def _canonical_outcomes(columns: dict[str, str]) -> str:
    def text(name: str) -> str:
        return f"NULLIF(TRIM(CAST({quote(name)} AS VARCHAR)), '')"

    ts_kind = kind_of(columns["timestamp"]).value
    ts = f"CAST({quote('timestamp')} AS TIMESTAMPTZ)" if ts_kind == "timestamp" else f"TRY_CAST({text('timestamp')} AS TIMESTAMPTZ)"
    outcome = text("outcome") if "outcome" in columns else "'converted'"
    amount = f"TRY_CAST({text('amount')} AS DOUBLE)" if "amount" in columns else "CAST(NULL AS DOUBLE)"
    raw_amount = text("amount") if "amount" in columns else "CAST(NULL AS VARCHAR)"
    return (
        f"SELECT NULLIF(CAST(lead_id AS VARCHAR), '') AS lead_id, {outcome} AS outcome, {ts} AS timestamp, "
        f"{text('timestamp')} AS raw_timestamp, {amount} AS amount, {raw_amount} AS raw_amount, rowid AS row "
        f"FROM __ls_raw_outcomes"
    )


def _check_rows(conn: duckdb.DuckDBPyConnection, label: str, offset: int, word: str, has_amount: bool) -> None:
    checks = [
        ("lead_id is empty", "lead_id IS NULL"),
        ("timestamp is empty", "raw_timestamp IS NULL"),
        ("timestamp is not an ISO-8601 timestamp", "raw_timestamp IS NOT NULL AND timestamp IS NULL"),
    ]
    if has_amount:
        checks.append(("amount is not a number", "raw_amount IS NOT NULL AND amount IS NULL"))
    messages = []
    for what, condition in checks:
        rows = [r[0] for r in conn.execute(f"SELECT row FROM __ls_outcomes WHERE {condition} ORDER BY row").fetchall()]
        if rows:
            shown = ", ".join(str(r + offset) for r in rows[:SHOWN])
            more = f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
            messages.append(f"{label}: {word}{'s' if len(rows) > 1 else ''} {shown}{more}: {what}")
    if messages:
        raise InputError("\n".join(messages))


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
            f"choose among these with --outcome"
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
        raise InputError(f"{label}: no column {column!r} for --outcome-column; the leads have: {listing}")
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
