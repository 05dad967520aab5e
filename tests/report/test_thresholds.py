"""Thresholds from capacity: weekly volume, conversion and recall on a known case."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leadscore.errors import InputError
from leadscore.report import propose_thresholds
from leadscore.report.stages import Snapshots
from leadscore.report.thresholds import evaluate, propose
from leadscore.spec import parse_scorecard
from tests.report.conftest import DAY, T0, TINY_CARD, tiny_history

GRID = [T0 + timedelta(weeks=k) for k in range(5)]
NAN = np.nan


def _known() -> Snapshots:
    """Four leads over five weekly snapshots (NaN: not watched yet)."""
    score = np.array([
        [0, 10, 50, 90, 90],  # climbs: reaches 50 at snapshot 2, 80 at 3; never converts
        [0, 60, 60, 60, 60],  # reaches 60 at snapshot 1, converts a day after snapshot 2
        [70, 70, 70, 70, 70],  # already high at the first snapshot: not a new entrant
        [NAN, NAN, 20, 20, 20],  # created later: enters 20 at its first snapshot
    ], dtype=float)
    conversion = np.array([NAN, (GRID[2] + DAY).timestamp(), NAN, NAN])
    return Snapshots(GRID, pd.Index(["a", "b", "c", "d"]), score, np.zeros_like(score, dtype=np.int64), conversion)


def test_volume_conversion_and_recall_of_one_threshold() -> None:
    snap, end = _known(), GRID[-1] + 60 * DAY
    at50 = evaluate(snap, 50, timedelta(days=30), end)
    assert at50["entrants"] == 2 and at50["weekly_volume"] == pytest.approx(0.5)
    assert at50["conversion_rate"] == pytest.approx(0.5)  # b converted 8 days after reaching 50; a never
    assert at50["recall"] == pytest.approx(1.0)  # b was at 60 the snapshot before it converted
    at80 = evaluate(snap, 80, timedelta(days=30), end)
    assert (at80["entrants"], at80["conversion_rate"], at80["recall"]) == (1, 0.0, 0.0)
    at20 = evaluate(snap, 20, timedelta(days=30), end)
    assert at20["entrants"] == 3  # a, b and the new lead d


def test_capacity_picks_the_lowest_threshold_that_fits() -> None:
    card = parse_scorecard(TINY_CARD)
    snap, end = _known(), GRID[-1] + 60 * DAY
    table, proposals, goal = propose(card, snap, timedelta(days=30), end, ["SQL", "MQL"], capacity=0.25)
    sql, mql = proposals
    assert sql["stage"] == "SQL" and sql["threshold"] == 65  # only a reaches 65 or more: 1 lead in 4 weeks
    assert sql["row"]["weekly_volume"] == pytest.approx(0.25)
    assert mql["stage"] == "MQL" and mql["threshold"] == 25  # twice the capacity by default: a and b
    assert goal["stages"][1]["default"] is True
    volumes = [row["weekly_volume"] for row in table]
    assert volumes == sorted(volumes, reverse=True)


def test_target_rate() -> None:
    card = parse_scorecard(TINY_CARD)
    snap = _known()
    _, [sql, _mql], _ = propose(card, snap, timedelta(days=30), GRID[-1] + 60 * DAY, ["SQL", "MQL"], target_rate=0.4)
    assert sql["threshold"] is None and "no threshold (with 20+ entrants)" in sql["reason"]
    with pytest.raises(InputError, match="either capacity"):
        propose(card, snap, timedelta(days=30), GRID[-1], ["SQL"], capacity=1, target_rate=0.3)


def test_propose_thresholds_on_history(tiny_card: Path) -> None:
    data = tiny_history()
    advice = propose_thresholds(
        tiny_card, leads=data["leads"], events=data["events"], outcomes=data["outcomes"], capacity="1/week", horizon="30d"
    )
    doc = advice.to_dict()
    assert [p["stage"] for p in doc["proposals"]] == ["SQL", "MQL"]
    sql, mql = doc["proposals"]
    assert sql["current_min_score"] == 80 and mql["current_min_score"] == 40
    assert sql["row"]["weekly_volume"] <= 1 and mql["row"]["weekly_volume"] <= 2
    assert sql["threshold"] >= mql["threshold"]
    assert [c["stage"] for c in doc["current_stages"]] == ["SQL", "MQL"]
    with pytest.raises(InputError, match="horizon is longer than the data"):
        propose_thresholds(tiny_card, leads=data["leads"], events=data["events"], outcomes=data["outcomes"], capacity=5, horizon="30w")
