"""Stages over time: who enters MQL/SQL each week, how many of them converted, and how fast.

Leads are scored at weekly snapshots (Mondays 00:00 UTC). A lead *enters* a stage in the week
that ends at the first snapshot where its stage is that stage or a higher one; leads already
there at the first snapshot entered before the observed period and are not counted. A lead that
had converted by a snapshot is no longer watched. An entrant *converted* when its first outcome
came within the horizon after the entry snapshot; weeks whose horizon runs past the end of the
data are marked incomplete and have no converted share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leadscore.report.panel import StageOrder, eligible
from leadscore.report.timeline import WEEK

if TYPE_CHECKING:
    from leadscore.report.history import History
    from leadscore.report.panel import CardScores


@dataclass
class Snapshots:
    """Scores and stage ranks at weekly snapshots, leads × snapshots (NaN / -1 when not watched)."""

    grid: list[datetime]
    lead_ids: pd.Index
    score: np.ndarray  # float, NaN when the lead is not watched at that snapshot
    rank: np.ndarray  # int, -1 when not watched
    conversion: np.ndarray  # seconds since epoch of the first outcome, NaN if none


def snapshots(history: History, card: CardScores, grid: list[datetime]) -> Snapshots:
    ids = pd.Index(history.lead_frame["lead_id"].to_numpy())
    order = StageOrder.of(card.card)
    score = np.full((len(ids), len(grid)), np.nan)
    rank = np.full((len(ids), len(grid)), -1, dtype=np.int64)
    for j, moment in enumerate(grid):
        watched = ids.get_indexer(eligible(history, moment))
        frame = card.at(moment, keep=False)[["score", "stage"]].reindex(ids[watched])
        score[watched, j] = frame["score"].to_numpy(dtype=float)
        rank[watched, j] = order.rank(frame["stage"])
    conversion = np.full(len(ids), np.nan)
    if history.outcomes is not None:
        first = history.outcomes.first.reindex(ids)
        conversion = np.array([t.timestamp() if pd.notna(t) else np.nan for t in first])
    return Snapshots(grid, ids, score, rank, conversion)


def first_entry(reached: np.ndarray) -> np.ndarray:
    """Snapshot index of the first True per row after the first snapshot; -1 for none (or already there at the start)."""
    has = reached.any(axis=1)
    first = np.where(has, reached.argmax(axis=1), -1)
    return np.where(first == 0, -1, first)


def entries_summary(snap: Snapshots, entry: np.ndarray, horizon: timedelta, data_end: datetime) -> dict[str, Any]:
    """Weekly entries, the converted share of complete weeks, and days from entry to outcome."""
    grid_seconds = np.array([g.timestamp() for g in snap.grid])
    weeks = []
    entered = entry >= 0
    entry_time = np.where(entered, grid_seconds[np.maximum(entry, 0)], np.nan)
    converted = entered & (snap.conversion > entry_time) & (snap.conversion <= entry_time + horizon.total_seconds())
    for j in range(1, len(snap.grid)):
        mask = entry == j
        complete = snap.grid[j] + horizon <= data_end
        n, conv = int(mask.sum()), int(converted[mask].sum())
        weeks.append({
            "week": (snap.grid[j] - WEEK).date().isoformat(),
            "entries": n,
            "converted": conv if complete else None,
            "converted_share": (conv / n if n else None) if complete else None,
            "complete": complete,
        })
    complete_weeks = [w for w in weeks if w["complete"]]
    n_complete = sum(w["entries"] for w in complete_weeks)
    later = entered & (snap.conversion > entry_time)
    days = (snap.conversion[later] - entry_time[later]) / 86400
    return {
        "weeks": weeks,
        "mean_weekly_entries": float(np.mean([w["entries"] for w in weeks])) if weeks else None,
        "entries": int(entered.sum()),
        "converted_share": (sum(w["converted"] for w in complete_weeks) / n_complete) if n_complete else None,
        "complete_weeks": len(complete_weeks),
        "median_days_to_outcome": float(np.median(days)) if days.size else None,
        "converted_after_entry": int(later.sum()),
    }


def weekly_stages(snap: Snapshots, order: StageOrder, horizon: timedelta, data_end: datetime) -> list[dict[str, Any]]:
    """For each qualified stage (MQL, SQL...): weekly entries into it or a higher stage."""
    out = []
    for stage in order.qualified:
        level = order.names.index(stage)
        reached = (snap.rank >= 0) & (snap.rank <= level)
        out.append({"stage": stage, **entries_summary(snap, first_entry(reached), horizon, data_end)})
    return out


def days_to_outcome(history: History) -> dict[str, Any]:
    """Days from a lead's creation to its first counted outcome (converted leads with created_at)."""
    if history.outcomes is None or "created_at" not in history.lead_frame:
        return {"median_days": None, "leads": 0}
    created = history.lead_frame.set_index("lead_id")["created_at"]
    first = history.outcomes.first
    days = ((first - created.reindex(first.index)).dt.total_seconds() / 86400).dropna()
    days = days[days >= 0]
    if days.empty:
        return {"median_days": None, "leads": 0}
    return {
        "median_days": float(days.median()),
        "p25_days": float(days.quantile(0.25)),
        "p75_days": float(days.quantile(0.75)),
        "leads": len(days),
    }


# -- two scorecards ---------------------------------------------------------------------------------


def movements(
    y: np.ndarray, stages_a: pd.Series, stages_b: pd.Series, order_a: StageOrder, order_b: StageOrder, lead_ids: pd.Series,
    scores_a: np.ndarray, scores_b: np.ndarray, *, example_rows: np.ndarray | None = None, examples: int = 10,
) -> dict[str, Any]:
    """Stage by stage under A and B: a cross table, and who enters or leaves each shared qualified stage."""
    frame = pd.DataFrame({"a": stages_a.fillna("(none)").to_numpy(), "b": stages_b.fillna("(none)").to_numpy(), "y": y})
    cells = frame.groupby(["a", "b"])["y"].agg(["size", "sum"]).reset_index()
    cross = [
        {"from": r.a, "to": r.b, "leads": int(r.size), "converted": int(r.sum), "conversion_rate": float(r.sum / r.size)}
        for r in cells.itertuples(index=False)
    ]
    rank_a, rank_b = order_a.rank(stages_a), order_b.rank(stages_b)
    shared = [s for s in order_b.qualified if s in order_a.qualified]
    pick = np.ones(len(y), dtype=bool) if example_rows is None else example_rows
    moves = []
    for stage in shared:
        in_a = rank_a <= order_a.names.index(stage)
        in_b = rank_b <= order_b.names.index(stage)
        moves.append({
            "stage": stage,
            "enter": _group(y, in_b & ~in_a),
            "leave": _group(y, in_a & ~in_b),
            "stay_in": _group(y, in_a & in_b),
            "stay_out": _group(y, ~in_a & ~in_b),
            "in_a": _group(y, in_a),
            "in_b": _group(y, in_b),
            "examples_enter": _examples(lead_ids, pick & in_b & ~in_a, y, scores_a, scores_b, examples),
            "examples_leave": _examples(lead_ids, pick & in_a & ~in_b, y, scores_a, scores_b, examples),
        })
    return {"cross": cross, "stages": moves}


def _group(y: np.ndarray, mask: np.ndarray) -> dict[str, Any]:
    n = int(mask.sum())
    return {"leads": n, "converted": int(y[mask].sum()), "conversion_rate": float(y[mask].mean()) if n else None}


def _examples(
    lead_ids: pd.Series, mask: np.ndarray, y: np.ndarray, scores_a: np.ndarray, scores_b: np.ndarray, limit: int
) -> list[dict[str, Any]]:
    rows = np.flatnonzero(mask)
    rows = rows[np.argsort(-np.abs(scores_b[rows] - scores_a[rows]), kind="stable")][:limit]
    return [
        {"lead_id": str(lead_ids.iloc[i]), "score_a": float(scores_a[i]), "score_b": float(scores_b[i]), "converted": bool(y[i])}
        for i in rows
    ]


__all__ = ["Snapshots", "days_to_outcome", "entries_summary", "first_entry", "movements", "snapshots", "weekly_stages"]
