"""RD Station's method: the best-converting value gets 10 points, the others in proportion."""

from __future__ import annotations

import pandas as pd
import pytest

from leadscore.errors import InputError
from leadscore.learn import rd_station_points, rd_station_rules, rd_station_scorecard, scorecard_yaml
from leadscore.scoring import LeadScorer
from leadscore.spec import parse_scorecard
from tests.learn.factories import AS_OF

# director: 2/4 = 50%, analyst: 1/4 = 25%, intern: 0/2, missing: 1/2 = 50%, "Director " is "director"
LEADS = pd.DataFrame({
    "lead_id": [str(i) for i in range(12)],
    "role": ["director", "Director ", "director", "director", "analyst", "analyst", "analyst", "analyst", "intern", "intern", None, None],
    "won": [1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
})


def test_points_follow_conversion_rates_hand_computed() -> None:
    table = rd_station_points(LEADS, "role", "won")
    rows = {r["value"]: (r["leads"], r["converted"], r["rate"], r["points"]) for r in table.to_dict("records")}
    assert rows == {
        "director": (4, 2, 0.5, 10),
        None: (2, 1, 0.5, 10),
        "analyst": (4, 1, 0.25, 5),
        "intern": (2, 0, 0.0, 0),
    }


def test_min_leads_leaves_small_values_without_points() -> None:
    table = rd_station_points(LEADS, "role", "won", min_leads=3)
    points = dict(zip(table["value"], table["points"], strict=True))
    assert points["director"] == 10 and points["analyst"] == 5
    assert pd.isna(points["intern"]) and pd.isna(points[None])


def test_rules_group_equal_points_and_score_as_computed() -> None:
    table = rd_station_points(LEADS, "role", "won")
    rules = rd_station_rules(table, "role")
    assert [r["points"] for r in rules] == [10, 5]
    assert rules[0]["if"] == {"any": [{"field": "role", "in": ["director"]}, {"field": "role", "exists": False}]}
    card = parse_scorecard(scorecard_yaml(rd_station_scorecard({"role": table})))
    events = pd.DataFrame({"lead_id": pd.Series([], dtype=str), "event": pd.Series([], dtype=str), "timestamp": pd.Series([], dtype=str)})
    with LeadScorer(card, leads=LEADS, events=events) as scorer:
        scores = scorer.score(AS_OF).to_pandas().set_index("lead_id")["score"]
    assert scores.loc[["0", "1", "4", "8", "10"]].tolist() == [10, 10, 5, 0, 10]


def test_many_distinct_values_are_refused_with_advice() -> None:
    leads = pd.DataFrame({"revenue": range(100), "won": [0, 1] * 50})
    with pytest.raises(InputError, match=r"100 distinct values.*bins"):
        rd_station_points(leads, "revenue", "won")
