"""Thresholds from capacity: which score would have handed sales N leads a week, and how good they were.

For each candidate score threshold T, over the weekly snapshots of the history:

- **weekly volume**: leads whose score first reached T that week (leads already at or above
  T at the first snapshot are not new and are not counted), per week;
- **conversion rate**: the share of those entrants whose first outcome came within the horizon
  after they reached T (weeks whose horizon runs past the end of the data are left out);
- **recall**: of the leads that converted during the period (and were watched before), the
  share that had a score of T or more at a snapshot within the horizon before converting.

With ``capacity`` the top stage (SQL) gets the lowest threshold whose weekly volume fits it,
and the next stage (MQL) the lowest whose volume fits ``second_capacity`` (default: twice the
capacity). With ``target_rate`` the top stage gets the lowest threshold whose conversion rate
reaches it (among thresholds with at least 20 entrants), the next stage half of it (or
``second_target_rate``). Only the score is considered: stage conditions on grades, levels or
fired rules (fast tracks) stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from leadscore.errors import InputError, parameter
from leadscore.moments import parse_moment
from leadscore.report.metrics import band_edges
from leadscore.report.stages import first_entry
from leadscore.report.timeline import (
    DEFAULT_HORIZON,
    describe,
    format_duration,
    parse_capacity,
    parse_duration_option,
    weekly_grid,
)

if TYPE_CHECKING:
    from leadscore.report.stages import Snapshots
    from leadscore.spec import Scorecard

MIN_ENTRANTS = 20


@dataclass
class ThresholdAdvice:
    """Candidate thresholds with what each would have done, and the proposals."""

    scorecard: str
    weeks: int
    horizon_days: float
    candidates: list[dict[str, Any]]
    proposals: list[dict[str, Any]]
    goal: dict[str, Any]
    current: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "leadscore_thresholds": 1,
            "scorecard": self.scorecard,
            "weeks": self.weeks,
            "horizon_days": self.horizon_days,
            "goal": self.goal,
            "settings": self.settings,
            "current_stages": self.current,
            "candidates": self.candidates,
            "proposals": self.proposals,
            "warnings": self.warnings,
        }


def candidates(card: Scorecard, snap: Snapshots) -> list[float]:
    """Round-number thresholds over the range of the scores seen (about 20)."""
    seen = snap.score[np.isfinite(snap.score)]
    if seen.size == 0:
        raise InputError("no lead was watched at any weekly snapshot: the data is too short for weekly volumes")
    low, high = (card.range if card.range else (float(seen.min()), float(seen.max())))
    high = min(high, float(seen.max()))
    low = max(low, float(seen.min()))
    edges = band_edges(low, high, 20)
    return [e for e in edges if low < e <= high] or [high]


def evaluate(snap: Snapshots, threshold: float, horizon: timedelta, data_end: datetime) -> dict[str, Any]:
    """Weekly volume, conversion rate and recall of one threshold."""
    grid = np.array([g.timestamp() for g in snap.grid])
    h = horizon.total_seconds()
    above = np.nan_to_num(snap.score, nan=-np.inf) >= threshold
    entry = first_entry(above)
    entered = entry >= 0
    entry_time = np.where(entered, grid[np.maximum(entry, 0)], np.nan)
    complete = entered & (entry_time + h <= data_end.timestamp())
    converted = complete & (snap.conversion > entry_time) & (snap.conversion <= entry_time + h)
    weeks = max(1, len(grid) - 1)
    watched_before = (np.isfinite(snap.score) & (grid[None, :] < snap.conversion[:, None])).any(axis=1)
    positives = watched_before & (snap.conversion > grid[0]) & (snap.conversion <= data_end.timestamp())
    flagged = np.where(above & (grid[None, :] < snap.conversion[:, None]), grid[None, :], -np.inf).max(axis=1)
    caught = positives & (snap.conversion - flagged <= h)
    return {
        "threshold": threshold,
        "entrants": int(entered.sum()),
        "weekly_volume": float(entered.sum() / weeks),
        "complete_entrants": int(complete.sum()),
        "converted": int(converted.sum()),
        "conversion_rate": float(converted.sum() / complete.sum()) if complete.any() else None,
        "recall": float(caught.sum() / positives.sum()) if positives.any() else None,
    }


def propose(
    card: Scorecard, snap: Snapshots, horizon: timedelta, data_end: datetime, stage_names: list[str], *,
    capacity: float | None = None, second_capacity: float | None = None,
    target_rate: float | None = None, second_target_rate: float | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The candidate table, the proposals for the top two qualified stages, and the goal as understood."""
    if (capacity is None) == (target_rate is None):
        raise InputError(f"give either {parameter('capacity')} (such as 40/week) or {parameter('target_rate')} (such as 0.3), not both")
    if target_rate is not None and not 0 < target_rate < 1:
        raise InputError(f"{parameter('target_rate')} {target_rate:g}: give a conversion rate between 0 and 1, such as 0.3")
    table = [evaluate(snap, t, horizon, data_end) for t in candidates(card, snap)]
    goals = _goals(stage_names, capacity, second_capacity, target_rate, second_target_rate)
    proposals = [_pick(table, card, goal) for goal in goals]
    goal = {"capacity_per_week": capacity, "target_rate": target_rate, "stages": goals}
    return table, proposals, goal


def _goals(
    stages: list[str], capacity: float | None, second_capacity: float | None, target: float | None, second_target: float | None
) -> list[dict[str, Any]]:
    if not stages:
        raise InputError("the scorecard has no stage above its catch-all stage: there is no threshold to set")
    top = {"stage": stages[0]}
    if capacity is not None:
        top |= {"capacity_per_week": capacity}
    else:
        top |= {"target_rate": target}
    goals = [top]
    if len(stages) > 1:
        second = {"stage": stages[1]}
        if capacity is not None:
            value = second_capacity if second_capacity is not None else 2 * capacity
            second |= {"capacity_per_week": value, "default": second_capacity is None}
        else:
            value = second_target if second_target is not None else (target or 0) / 2
            second |= {"target_rate": value, "default": second_target is None}
        goals.append(second)
    return goals


def _pick(table: list[dict[str, Any]], card: Scorecard, goal: dict[str, Any]) -> dict[str, Any]:
    stages = [s for s in card.stages if s.name == goal["stage"]]
    current = [s.min_score for s in stages if s.min_score is not None]
    others = sorted({k for s in stages for k, v in s.model_dump().items() if v is not None and k not in ("name", "min_score")})
    base = {"stage": goal["stage"], "current_min_score": min(current) if current else None, "other_conditions": others}
    if "capacity_per_week" in goal:
        fits = [row for row in table if row["weekly_volume"] <= goal["capacity_per_week"]]
        if not fits:
            best = table[-1]
            return base | {"threshold": best["threshold"], "row": best, "reason": (
                f"even the highest threshold ({best['threshold']:g}) gives {best['weekly_volume']:.1f} leads a week, more than "
                f"{goal['capacity_per_week']:g}"
            )}
        row = fits[0]
        return base | {"threshold": row["threshold"], "row": row, "reason": (
            f"the lowest threshold giving at most {goal['capacity_per_week']:g} new leads a week"
        )}
    target = goal["target_rate"]
    reach = [r for r in table if r["complete_entrants"] >= MIN_ENTRANTS and (r["conversion_rate"] or 0) >= target]
    if not reach:
        rated = [r for r in table if r["complete_entrants"] >= MIN_ENTRANTS and r["conversion_rate"] is not None]
        best = max(rated, key=lambda r: r["conversion_rate"]) if rated else None
        detail = f"; the best is {best['conversion_rate']:.1%} at {best['threshold']:g}" if best else ""
        return base | {"threshold": None, "row": None, "reason": f"no threshold (with {MIN_ENTRANTS}+ entrants) reaches {target:.1%}{detail}"}
    row = reach[0]
    return base | {"threshold": row["threshold"], "row": row, "reason": f"the lowest threshold whose entrants converted at {target:.1%} or more"}




def propose_thresholds(
    scorecard: Scorecard | str | Path,
    *,
    leads: Any,
    events: Any = None,
    accounts: Any = None,
    outcomes: Any,
    outcome_kinds: list[str] | None = None,
    capacity: str | float | None = None,
    target_rate: float | None = None,
    mql_capacity: str | float | None = None,
    mql_target_rate: float | None = None,
    horizon: str | timedelta = DEFAULT_HORIZON,
    data_end: str | datetime | None = None,
    database: str | Path | None = None,
) -> ThresholdAdvice:
    """Score thresholds for the top two stages (SQL, MQL) from sales capacity or a target conversion rate.

    ``capacity`` is leads per week for the top stage (``"40/week"``, ``"160/month"`` or a number
    per week); ``mql_capacity`` for the next one (default: twice ``capacity``). Or
    ``target_rate`` (such as 0.3) and ``mql_target_rate`` (default: half of it).
    """
    from leadscore.report.backtest import load_cards
    from leadscore.report.history import load_history
    from leadscore.report.panel import CardScores, StageOrder
    from leadscore.report.stages import entries_summary, snapshots

    if (capacity is None) == (target_rate is None):
        raise InputError(f"give either {parameter('capacity')} (such as 40/week) or {parameter('target_rate')} (such as 0.3), not both")
    [(title, card)] = load_cards(scorecard)
    horizon_td = parse_duration_option(horizon, "horizon")
    per_week = parse_capacity(capacity) if capacity is not None else None
    mql_per_week = parse_capacity(mql_capacity) if mql_capacity is not None else None
    history = load_history(leads=leads, events=events, accounts=accounts, outcomes=outcomes, outcome_kinds=outcome_kinds, database=database)
    try:
        span = history.span(parse_moment(data_end, "data_end") if data_end is not None else None)
        grid = weekly_grid(span)
        if len(grid) < 3:
            raise InputError(f"the data covers {span.days:.0f} days: weekly volumes need at least three weekly snapshots (about three weeks)")
        if grid[1] + horizon_td > span.end:
            raise InputError(
                f"the {format_duration(horizon_td)} horizon is longer than the data after the first weeks ({describe(grid[1])} → "
                f"{describe(span.end)}): no week can show whether its leads converted. Use a shorter {parameter('horizon')} or more history"
            )
        scores = CardScores(card, history, title)
        snap = snapshots(history, scores, grid)
        order = StageOrder.of(card)
        table, proposals, goal = propose(
            card, snap, horizon_td, span.end, order.qualified,
            capacity=per_week, second_capacity=mql_per_week, target_rate=target_rate, second_target_rate=mql_target_rate,
        )
        current = [
            {"stage": stage, **{k: v for k, v in entries_summary(snap, _stage_entry(snap, order, stage), horizon_td, span.end).items() if k != "weeks"}}
            for stage in order.qualified
        ]
    finally:
        history.close()
    return ThresholdAdvice(
        scorecard=title, weeks=len(grid) - 1, horizon_days=horizon_td / timedelta(days=1), candidates=table,
        proposals=proposals, goal=goal, current=current, warnings=list(history.warnings),
        settings={"data_start": span.start.isoformat(), "data_end": span.end.isoformat(), "first_week": grid[0].date().isoformat()},
    )


def _stage_entry(snap: Snapshots, order: Any, stage: str) -> np.ndarray:
    level = order.names.index(stage)
    return first_entry((snap.rank >= 0) & (snap.rank <= level))


__all__ = ["MIN_ENTRANTS", "ThresholdAdvice", "candidates", "evaluate", "propose", "propose_thresholds"]
