"""Per-lead features at a cut-off: lead and account attributes, and event counts up to the cut-off.

The same features feed the reference models (what a black box could do with the data the
scorecard sees) and the "what the top leads have in common" table. Nothing here reads the
outcomes, and event features only count events at or before the cut-off.

- Text columns: trimmed, lower-cased; the 30 most common values kept, the rest become
  ``(other)``. E-mail-like columns become their domain. Columns whose values are nearly all
  distinct (names, ids) are left out, as are time columns (their value may be from after the
  cut-off) other than ``created_at``, which becomes the lead's age at the cut-off.
- Number columns (or text that is nearly all numbers) stay numbers.
- Events: per event type (the 30 most common), and per common value of each text property
  within a type (``form_submit.form=free-consultation``, ``page_view.url=/pricing``), the count
  up to the cut-off and in the 30 days before it; days since the last event. Re-sent events
  (equal ``event_id``) count once. Properties inside a JSON ``properties`` column are not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import sqlglot
from sqlglot import exp

from leadscore.compiler.sources import RESERVED_EVENT_COLUMNS, Kind

if TYPE_CHECKING:
    import pyarrow as pa

    from leadscore.report.history import History

TOP_VALUES = 30
TOP_EVENT_TYPES = 30
TOP_PROPERTY_VALUES = 8  # per event type and property
TOP_PROPERTY_FEATURES = 24  # per property
RECENT_DAYS = 30
OTHER = "(other)"
SKIP_LEAD_COLUMNS = frozenset({"lead_id", "account_id", "created_at"})


@dataclass
class AttributeSet:
    """Lead (and account) attributes, one row per lead, ready for models and tables."""

    categorical: pd.DataFrame  # text values, indexed by lead_id
    numeric: pd.DataFrame  # numbers, indexed by lead_id
    used: dict[str, str] = field(default_factory=dict)  # column -> how it is used
    skipped: dict[str, str] = field(default_factory=dict)  # column -> why not


def lead_attributes(history: History, exclude: set[str] | None = None) -> AttributeSet:
    """The leads' own columns and their account's columns (``account.X``), normalized."""
    exclude = (exclude or set()) | SKIP_LEAD_COLUMNS
    leads = history.lead_frame.set_index("lead_id")
    result = AttributeSet(pd.DataFrame(index=leads.index), pd.DataFrame(index=leads.index))
    _add_columns(result, leads, "", exclude)
    if history.account_frame is not None and "account_id" in leads:
        accounts = history.account_frame.drop_duplicates("account_id").set_index("account_id")
        joined = accounts.reindex(leads["account_id"].to_numpy())
        joined.index = leads.index
        _add_columns(result, joined, "account.", {"account_id"})
    return result


def _add_columns(result: AttributeSet, frame: pd.DataFrame, prefix: str, exclude: set[str]) -> None:
    for column in frame.columns:
        name = prefix + str(column)
        if column in exclude:
            continue
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            result.skipped[name] = "a time: its value may be from after the cut-off"
            continue
        if pd.api.types.is_bool_dtype(values):
            result.categorical[name] = values.map({True: "yes", False: "no"})
            result.used[name] = "category"
        elif pd.api.types.is_numeric_dtype(values):
            result.numeric[name] = values.astype(float)
            result.used[name] = "number"
        else:
            _add_text(result, name, values)


def _add_text(result: AttributeSet, name: str, values: pd.Series) -> None:
    text = values.astype("string").str.strip().str.lower()
    text = text.where(text != "", pd.NA)
    present = text.dropna()
    if present.empty:
        result.skipped[name] = "empty"
        return
    numbers = pd.to_numeric(present, errors="coerce")
    if numbers.notna().mean() >= 0.95:
        result.numeric[name] = pd.to_numeric(text, errors="coerce").astype(float)
        result.used[name] = "number"
        return
    how = "category"
    if present.str.contains("@", regex=False).mean() >= 0.8:
        text = text.str.rsplit("@", n=1).str[-1]
        present = text.dropna()
        how = "e-mail domain"
    if present.nunique() > max(50, 0.5 * len(present)):
        result.skipped[name] = "nearly every value is different (an identifier or free text)"
        return
    common = present.value_counts().index[:TOP_VALUES]
    result.categorical[name] = text.where(text.isin(common) | text.isna(), OTHER).astype(object)
    result.used[name] = how if present.nunique() <= TOP_VALUES else f"{how} (top {TOP_VALUES} values)"


def rule_flags(scores: pd.DataFrame, rule_columns: list[str]) -> pd.DataFrame:
    """``fired``/``not fired`` per rule, for the "in common" table."""
    return pd.DataFrame(
        {f"rule {c.split('.', 1)[1]}": np.where(scores[c].fillna(0).to_numpy() != 0, "fired", "not fired") for c in rule_columns},
        index=scores.index,
    )


def binned(numeric: pd.DataFrame, bins: int = 4) -> pd.DataFrame:
    """Numbers as quantile ranges (``51–200``), for tables of values."""
    out = pd.DataFrame(index=numeric.index)
    for column in numeric.columns:
        values = numeric[column]
        present = values.dropna()
        if present.nunique() <= bins:
            out[column] = values.map(lambda v: None if pd.isna(v) else f"{v:g}")
            continue
        edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)))
        index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
        labels = [f"{edges[i]:g}–{edges[i + 1]:g}" for i in range(len(edges) - 1)]
        out[column] = [None if pd.isna(v) else labels[i] for v, i in zip(values, index, strict=True)]
    return out


def event_features(history: History, cutoffs: list[datetime]) -> tuple[pd.DataFrame, list[str]]:
    """Per (cutoff, lead_id): counts by event type (and by common property values) up to the cut-off and in
    the 30 days before; days since the last event. One portable query, run by the history's engine."""
    if not history.has_events:
        return pd.DataFrame(columns=["cutoff", "lead_id"]), []
    events = _relation(history.events.name)
    kinds = _event_kinds(history, events)
    parts = []
    for name, condition in kinds:
        parts.append(f"count(*) FILTER (WHERE {condition}) AS {_quote(name)}")
        recent = f"{condition} AND e.{_TS} > c.cutoff - INTERVAL {RECENT_DAYS} DAY"
        parts.append(f"count(*) FILTER (WHERE {recent}) AS {_quote(f'{name}.{RECENT_DAYS}d')}")
    dedupe = (
        f"QUALIFY event_id IS NULL OR row_number() OVER (PARTITION BY event_id ORDER BY {_TS}) = 1"
        if "event_id" in history.event_columns
        else ""
    )
    moments = ", ".join(f"(CAST({_literal(c.isoformat(sep=' '))} AS TIMESTAMPTZ))" for c in cutoffs)
    sql = (
        f"WITH ev AS (SELECT * FROM {events} {dedupe}) "
        f"SELECT c.cutoff, e.lead_id, {''.join(p + ', ' for p in parts)}"
        f"(floor(epoch(c.cutoff)) - floor(epoch(max(e.{_TS})))) / 86400.0 AS {_quote('events.days_since_last')} "
        f"FROM ev e JOIN (VALUES {moments}) AS c(cutoff) ON e.{_TS} <= c.cutoff GROUP BY c.cutoff, e.lead_id"
    )
    frame = _run(history, sql).to_pandas()
    return frame, [c for c in frame.columns if c not in ("cutoff", "lead_id")]


def _event_kinds(history: History, events: str) -> list[tuple[str, str]]:
    """(feature name, SQL condition on ``e``): each common event type, and each common value of a
    text property within a type (which form was sent, which page was seen)."""
    types = _run(
        history, f"SELECT event FROM {events} GROUP BY event ORDER BY count(*) DESC, event LIMIT {TOP_EVENT_TYPES}"
    ).column(0).to_pylist()
    kinds = [(f"events.{t}", f"e.event = {_literal(t)}") for t in types]
    for column in history.event_columns:
        if column in RESERVED_EVENT_COLUMNS or history.events.kind(column) is not Kind.TEXT:
            continue
        value = f"lower(trim(e.{_quote(column)}))"
        rows = _run(
            history,
            f"SELECT event, lower(trim({_quote(column)})) AS v, count(*) AS n FROM {events} "
            f"WHERE NULLIF(trim({_quote(column)}), '') IS NOT NULL GROUP BY 1, 2 "
            f"QUALIFY row_number() OVER (PARTITION BY event ORDER BY count(*) DESC, lower(trim({_quote(column)}))) <= {TOP_PROPERTY_VALUES} "
            f"ORDER BY n DESC, event, v LIMIT {TOP_PROPERTY_FEATURES}",
        ).to_pylist()
        kinds += [
            (f"events.{r['event']}.{column}={r['v']}", f"e.event = {_literal(r['event'])} AND {value} = {_literal(r['v'])}")
            for r in rows
        ]
    return kinds


_TS = '"timestamp"'


def _quote(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def _literal(value: str) -> str:
    return exp.Literal.string(value).sql("duckdb")


def _relation(name: tuple[str, ...]) -> str:
    return ".".join(_quote(p) for p in name)


def _run(history: History, sql: str) -> pa.Table:
    """Run a query written in DuckDB's SQL on the history's engine, in the engine's dialect."""
    return history.engine.execute(sqlglot.parse_one(sql, read="duckdb"))


def model_features(history: History, attributes: AttributeSet, base: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The reference models' feature table, row-aligned with ``base`` (cutoff, lead_id)."""
    cutoffs = [c.to_pydatetime() for c in pd.unique(base["cutoff"])]
    events, event_columns = event_features(history, cutoffs)
    frame = base[["cutoff", "lead_id"]].copy()
    if event_columns:
        events["cutoff"] = pd.to_datetime(events["cutoff"], utc=True).astype(frame["cutoff"].dtype)
        frame = frame.merge(events, on=["cutoff", "lead_id"], how="left")
        counts = [c for c in event_columns if c != "events.days_since_last"]
        frame[counts] = frame[counts].fillna(0)
    lead_ids = frame["lead_id"]
    extra: dict[str, np.ndarray] = {}
    if "created_at" in history.lead_frame:
        created = history.lead_frame.set_index("lead_id")["created_at"]
        extra["lead.age_days"] = ((frame["cutoff"] - lead_ids.map(created)).dt.total_seconds() / 86400).to_numpy()
    for column in attributes.numeric.columns:
        extra[column] = lead_ids.map(attributes.numeric[column]).to_numpy(dtype=float)
    for column in attributes.categorical.columns:
        extra[column] = lead_ids.map(attributes.categorical[column]).astype(object).to_numpy()
    frame = pd.concat([frame, pd.DataFrame(extra, index=frame.index)], axis=1)
    features = [c for c in frame.columns if c not in ("cutoff", "lead_id")]
    return frame[features].reset_index(drop=True), features


__all__ = ["AttributeSet", "binned", "event_features", "lead_attributes", "model_features", "rule_flags"]
