"""The back-test loop on small exact data: no leakage, labels within the horizon, comparisons, bad input."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leadscore.errors import InputError
from leadscore.report import backtest
from leadscore.report.panel import StageOrder
from leadscore.report.stages import movements
from leadscore.spec import parse_scorecard
from tests.report.conftest import DAY, T0, TINY_CARD, tiny_history

FAST = {"weekly": False, "reference": False, "bootstrap_rounds": 20}
CUTOFFS = [T0 + 40 * DAY, T0 + 60 * DAY]


def _run(card: Path | list[Path], data: dict[str, pd.DataFrame], **options: object) -> object:
    settings = {"cutoffs": CUTOFFS, "horizon": "30d", "data_end": T0 + 150 * DAY, **FAST, **options}
    return backtest(card, leads=data["leads"], events=data["events"], outcomes=data["outcomes"], **settings)


def test_events_after_a_cutoff_never_change_its_scores(tiny_card: Path) -> None:
    data = tiny_history()
    before = _run(tiny_card, data).rows()
    # a flood of demo requests and visits after the first cut-off, for every lead
    late = pd.DataFrame({
        "lead_id": np.repeat(data["leads"]["lead_id"].to_numpy(), 3),
        "event": ["demo_request", "page_view", "page_view"] * len(data["leads"]),
        "timestamp": CUTOFFS[0] + timedelta(seconds=1),
    })
    changed = {**data, "events": pd.concat([data["events"], late], ignore_index=True)}
    after = _run(tiny_card, changed).rows()
    first = before["cutoff"] == pd.Timestamp(CUTOFFS[0])
    pd.testing.assert_frame_equal(before[first].reset_index(drop=True), after[after["cutoff"] == pd.Timestamp(CUTOFFS[0])].reset_index(drop=True))
    # ...while the second cut-off sees them
    second_before = before.loc[~first, "tiny.score"].to_numpy()
    second_after = after.loc[after["cutoff"] == pd.Timestamp(CUTOFFS[1]), "tiny.score"].to_numpy()
    assert (second_after > second_before).any()


def test_outcomes_only_make_the_label(tiny_card: Path) -> None:
    data = tiny_history()
    base = _run(tiny_card, data).rows().set_index(["cutoff", "lead_id"])
    other = data["outcomes"].assign(timestamp=data["outcomes"]["timestamp"] + 2 * DAY, amount=5000.0)
    shifted = _run(tiny_card, {**data, "outcomes": other}).rows().set_index(["cutoff", "lead_id"])
    common = base.index.intersection(shifted.index)
    assert len(common) > 50
    score_columns = [c for c in base.columns if c.startswith("tiny.")]
    pd.testing.assert_frame_equal(base.loc[common, score_columns], shifted.loc[common, score_columns])


def test_labels_follow_the_horizon_and_eligibility(tiny_card: Path) -> None:
    cutoff = T0 + 30 * DAY
    leads = pd.DataFrame({
        "lead_id": ["early", "late", "converted", "edge", "after", "never", "no-date"],
        "created_at": [T0, T0 + 40 * DAY, T0, T0, T0, T0, pd.NaT],
        "title": "clerk",
    })
    events = pd.DataFrame({"lead_id": ["early", "early"], "event": "page_view", "timestamp": [T0 + DAY, T0 + 100 * DAY]})
    outcomes = pd.DataFrame({
        "lead_id": ["converted", "edge", "after", "early"],
        "outcome": "won",
        "timestamp": [T0 + 10 * DAY, cutoff + timedelta(days=30), cutoff + timedelta(days=30, seconds=1), cutoff + 5 * DAY],
        "amount": [1.0, 2.0, 3.0, 4.0],
    })
    report = backtest(tiny_card, leads=leads, events=events, outcomes=outcomes, cutoffs=[cutoff], horizon="30d", **FAST)
    rows = report.rows().set_index("lead_id")
    # created after the cut-off, or converted before it: not evaluated; no created_at: always there
    assert sorted(rows.index) == ["after", "early", "edge", "never", "no-date"]
    assert rows["y"].to_dict() == {"early": True, "edge": True, "after": False, "never": False, "no-date": False}
    assert rows.loc["early", "amount"] == 4.0
    assert rows.loc["early", "tiny.score"] == 10  # the page view before the cut-off, not the one after


def test_report_document_has_every_section(tiny_card: Path) -> None:
    data = tiny_history()
    doc = _run(tiny_card, data, weekly=True, reference=True).to_dict()
    assert set(doc) >= {
        "leadscore_backtest", "generated_at", "settings", "data", "evaluation", "scorecards", "comparison",
        "reference_models", "time_to_outcome", "columns", "warnings",
    }
    [card] = doc["scorecards"]
    assert set(card) >= {
        "title", "summary", "deciles", "bands", "calibration", "by_grade", "by_level", "by_stage", "by_priority",
        "per_cutoff", "top_in_common", "weekly_stages",
    }
    assert card["summary"]["roc_auc"] > 0.6
    assert [s["stage"] for s in card["weekly_stages"]] == ["SQL", "MQL"]
    assert doc["settings"]["cutoffs"] == [c.isoformat() for c in CUTOFFS]
    used = {c["column"]: c["uses"] for c in doc["columns"]["leads"]}
    assert any("fit rule boss" in u for u in used["title"])
    assert any("cut-off" in u for u in used["created_at"])
    assert {c["column"] for c in doc["columns"]["outcomes"]} == {"lead_id", "outcome", "timestamp", "amount"}


def test_two_scorecards_side_by_side_with_stage_movements(tmp_path: Path, tiny_card: Path) -> None:
    lower = tmp_path / "lower.yaml"
    lower.write_text(TINY_CARD.replace("name: tiny", "name: lower").replace("{name: MQL, min_score: 40}", "{name: MQL, min_score: 20}"))
    report = _run([tiny_card, lower], tiny_history())
    doc = report.to_dict()
    html = report.to_html()
    assert "who moves between stages" in html and "enter MQL with B" in html
    assert [c["title"] for c in doc["scorecards"]] == ["tiny", "lower"]
    comparison = doc["comparison"]
    assert comparison["roc_auc_difference"] == 0  # same points: same ranking
    sql, mql = comparison["movements"]["stages"]
    assert sql["enter"]["leads"] == sql["leave"]["leads"] == 0
    assert mql["enter"]["leads"] > 0 and mql["leave"]["leads"] == 0
    assert mql["in_b"]["leads"] == mql["in_a"]["leads"] + mql["enter"]["leads"]
    assert all(20 <= e["score_b"] < 40 for e in mql["examples_enter"])


def test_movements_on_a_tiny_case() -> None:
    card = parse_scorecard(TINY_CARD)
    order = StageOrder.of(card)
    assert order.names == ["SQL", "MQL", "lead"] and order.qualified == ["SQL", "MQL"]
    y = np.array([1, 1, 0, 0], dtype=bool)
    a = pd.Series(["SQL", "MQL", "lead", "lead"])
    b = pd.Series(["SQL", "SQL", "MQL", "lead"])
    out = movements(y, a, b, order, order, pd.Series(["p", "q", "r", "s"]), np.array([90, 50, 10, 0.0]), np.array([90, 85, 45, 0.0]))
    sql, mql = out["stages"]
    assert sql["enter"] == {"leads": 1, "converted": 1, "conversion_rate": 1.0}
    assert sql["leave"]["leads"] == 0
    assert mql["enter"] == {"leads": 1, "converted": 0, "conversion_rate": 0.0}
    assert [e["lead_id"] for e in mql["examples_enter"]] == ["r"]
    cross = {(c["from"], c["to"]): c["leads"] for c in out["cross"]}
    assert cross == {("SQL", "SQL"): 1, ("MQL", "SQL"): 1, ("lead", "MQL"): 1, ("lead", "lead"): 1}


# -- bad input ----------------------------------------------------------------------------------------


def test_outcomes_for_unknown_leads_are_a_warning(tiny_card: Path) -> None:
    data = tiny_history()
    ghosts = pd.DataFrame({"lead_id": ["ghost-1", "ghost-2"], "outcome": "won", "timestamp": T0 + 50 * DAY, "amount": None})
    report = _run(tiny_card, {**data, "outcomes": pd.concat([data["outcomes"], ghosts], ignore_index=True)})
    [warning] = [w for w in report.warnings if "not in the leads table" in w]
    assert "2 outcomes" in warning and "'ghost-1'" in warning and "same lead ids" in warning


def test_outcomes_for_no_known_lead_are_refused(tiny_card: Path) -> None:
    data = tiny_history()
    ghosts = data["outcomes"].assign(lead_id="x" + data["outcomes"]["lead_id"])
    with pytest.raises(InputError, match=r"none of the .* outcomes is for a lead of the leads table"):
        _run(tiny_card, {**data, "outcomes": ghosts})


def test_no_conversion_in_the_horizon_is_refused(tiny_card: Path) -> None:
    data = tiny_history()
    later = data["outcomes"].assign(timestamp=T0 + 140 * DAY)
    with pytest.raises(InputError, match=r"no lead converted within the 30d horizon after any of the 2 cut-offs"):
        _run(tiny_card, {**data, "outcomes": later})


def test_few_conversions_are_a_warning(tiny_card: Path) -> None:
    report = _run(tiny_card, tiny_history())
    assert any("conversions" in w and "rough" in w for w in report.warnings)


def test_unknown_outcome_kind_and_missing_columns(tiny_card: Path) -> None:
    data = tiny_history()
    with pytest.raises(InputError, match=r"no outcome of kind 'won'.*opportunity"):
        _run(tiny_card, data, outcome_kinds=["won"])
    with pytest.raises(InputError, match="missing column 'timestamp'"):
        _run(tiny_card, {**data, "outcomes": data["outcomes"].rename(columns={"timestamp": "when"})})
    bad_time = data["outcomes"].astype({"timestamp": str})
    bad_time.loc[0, "timestamp"] = "last tuesday"
    with pytest.raises(InputError, match="row 1: timestamp is not an ISO-8601 timestamp"):
        _run(tiny_card, {**data, "outcomes": bad_time})


def test_horizon_longer_than_the_data(tiny_card: Path) -> None:
    data = tiny_history()
    with pytest.raises(InputError, match=r"horizon after them runs past the end of the data.*shorter horizon"):
        _run(tiny_card, data, horizon="120d")
    with pytest.raises(InputError, match=r"the horizon \(30w\) is longer than the data allows"):
        _run(tiny_card, data, horizon="30w", cutoffs=None)


# -- static files: an outcome column -----------------------------------------------------------------------


STATIC_CARD = """\
name: static
fit:
  rules:
    - {name: referral, if: {field: source, equals: referral}, points: 30}
    - {name: busy, if: {field: visits, gte: 5}, points: 20}
stages:
  - {name: MQL, min_score: 30}
  - {name: lead}
"""


def _static_leads(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    source = rng.choice(["referral", "ads", "organic"], n)
    visits = rng.poisson(4, n)
    converted = rng.random(n) < np.where(source == "referral", 0.5, 0.15) + 0.04 * np.minimum(visits, 5)
    return pd.DataFrame({"lead_id": [f"S{i}" for i in range(n)], "source": source, "visits": visits, "Converted": converted.astype(int)})


def test_static_outcome_column(tmp_path: Path) -> None:
    card = tmp_path / "static.yaml"
    card.write_text(STATIC_CARD)
    report = backtest(card, leads=_static_leads(), outcome_column="Converted", as_of="2026-06-01", reference=True, bootstrap_rounds=20)
    doc = report.to_dict()
    assert doc["settings"]["mode"] == "outcome column" and doc["settings"]["cutoffs"] is None
    assert doc["scorecards"][0]["summary"]["roc_auc"] > 0.6
    assert doc["reference_models"]["models"][0]["roc_auc"] > 0.55
    assert "Converted" not in doc["reference_models"]["features"]
    used = {c["column"]: c["uses"] for c in doc["columns"]["leads"]}
    assert used["Converted"] == ["label: the outcome (never a feature)"]
    html = report.to_html()
    assert "<svg" in html and "column <code>Converted</code>" in html and 'id="weekly"' not in html


def test_static_outcome_column_problems(tmp_path: Path) -> None:
    card = tmp_path / "static.yaml"
    card.write_text(STATIC_CARD)
    leads = _static_leads()
    with pytest.raises(InputError, match=r"no column 'Convertd' for outcome_column; the leads have: source, visits, Converted"):
        backtest(card, leads=leads, outcome_column="Convertd")
    with pytest.raises(InputError, match=r"says 'not converted' for every lead.*needs both converted and not converted"):
        backtest(card, leads=leads.assign(Converted=0), outcome_column="Converted")
    with pytest.raises(InputError, match=r"values that are not yes/no: 'maybe'"):
        backtest(card, leads=leads.assign(Converted="maybe"), outcome_column="Converted")
    with pytest.raises(InputError, match="reads the outcome column 'visits'"):
        backtest(card, leads=leads, outcome_column="visits")
    with pytest.raises(InputError, match="either an outcomes table"):
        backtest(card, leads=leads)
