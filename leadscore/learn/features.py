"""Engagement features from events, computed exactly as the scorecard engine reads events.

For each event type T and each lead, up to ``as_of``:

- ``event_count[T]``: how many T events the lead has (``at_least: N`` rules read this);
- ``event_days_since[T]``: days from the lead's newest T event to ``as_of`` (NaN: none);
  ``within: Dd`` rules hold when it is below D.

As the engine does (docs/semantics.md): only events with ``timestamp <= as_of`` exist;
events with an equal ``event_id`` for the same lead count once; events of leads not in
the leads table are ignored; a timestamp without an offset is UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from leadscore.errors import InputError
from leadscore.learn.rules import count_column, recency_column
from leadscore.moments import parse_moment

DEFAULT_MAX_EVENT_TYPES = 20


def utc_timestamps(values: pd.Series, what: str) -> pd.Series:
    """Timestamps as tz-aware UTC (no offset means UTC); bad ones raise InputError naming the rows."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.tz_localize("UTC")
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    bad = parsed.isna() & text.notna() & (text != "")
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad.to_numpy())[:5])
        raise InputError(f"{what}: {int(bad.sum())} value(s) are not ISO-8601 timestamps (rows {rows}): write 2026-06-01 or 2026-06-01T12:00:00Z")
    return parsed


def clean_events(events: pd.DataFrame, lead_ids: Sequence[str], as_of: datetime) -> pd.DataFrame:
    """The events the engine would see at ``as_of``: known leads, not after as_of, one per event_id."""
    missing = [c for c in ("lead_id", "event", "timestamp") if c not in events.columns]
    if missing:
        raise InputError(
            f"events: missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
            f"(events need lead_id, event, timestamp; found {', '.join(map(str, events.columns))})"
        )
    columns = ["lead_id", "event", "timestamp"] + (["event_id"] if "event_id" in events.columns else [])
    frame = events[columns].copy()
    frame["lead_id"] = frame["lead_id"].astype("string")
    frame["event"] = frame["event"].astype("string")
    frame["timestamp"] = utc_timestamps(frame["timestamp"], "events: timestamp")
    frame = frame[frame["lead_id"].isin(set(lead_ids)) & frame["event"].notna() & frame["timestamp"].notna()]
    if "event_id" in frame.columns:
        frame = _dedupe(frame)
    return frame[frame["timestamp"] <= pd.Timestamp(as_of)]


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """Events with an equal event_id for one lead count once: the earliest copy, then the smallest type."""
    ids = frame["event_id"].astype("string").str.strip()
    has_id = ids.notna() & (ids != "")
    keyed = frame[has_id].assign(_id=ids[has_id]).sort_values(["lead_id", "_id", "timestamp", "event"], kind="stable")
    kept = keyed.drop_duplicates(["lead_id", "_id"], keep="first").drop(columns="_id")
    return pd.concat([frame[~has_id], kept])


def event_features(
    events: pd.DataFrame,
    lead_ids: Sequence[str],
    as_of: datetime | str,
    *,
    event_types: Sequence[str] | None = None,
    max_event_types: int = DEFAULT_MAX_EVENT_TYPES,
) -> pd.DataFrame:
    """``event_count[T]`` and ``event_days_since[T]`` per lead (rows in ``lead_ids`` order).

    Args:
        events: a DataFrame with ``lead_id``, ``event``, ``timestamp`` (and optional ``event_id``).
        lead_ids: the leads, as text.
        as_of: events after this moment do not exist yet.
        event_types: the types to make features of; default: the ``max_event_types`` types
            that the most leads have.
        max_event_types: how many types to keep when ``event_types`` is not given.
    """
    moment = parse_moment(as_of, "as_of")
    ids = [str(i) for i in lead_ids]
    frame = clean_events(events, ids, moment)
    if event_types is None:
        reach = frame.groupby("event")["lead_id"].nunique()
        event_types = [str(t) for t in reach.sort_values(ascending=False, kind="stable").index[:max_event_types]]
    grouped = frame.groupby(["lead_id", "event"])["timestamp"]
    counts = grouped.size().unstack(fill_value=0)
    newest = grouped.max().unstack()
    out = {}
    index = pd.Index(ids, dtype="string")
    for event in sorted(event_types):
        count = counts[event].reindex(index, fill_value=0) if event in counts.columns else pd.Series(0, index=index)
        out[count_column(event)] = count.to_numpy(dtype=float)
        if event in newest.columns:
            age = (pd.Timestamp(moment) - newest[event].reindex(index)).dt.total_seconds() / 86400.0
            out[recency_column(event)] = age.to_numpy(dtype=float, na_value=np.nan)
        else:
            out[recency_column(event)] = np.full(len(ids), np.nan)
    return pd.DataFrame(out, index=pd.Index(ids, name="lead_id"))
