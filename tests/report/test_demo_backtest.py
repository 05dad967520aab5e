"""End to end on the sample data: realistic outcomes, a full back-test, a self-contained HTML report."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from leadscore.report import BacktestReport, backtest, sample_outcomes
from leadscore.sample import SampleData, generate_sample

EXAMPLE = Path(__file__).resolve().parents[2] / "leadscore" / "examples" / "b2b-saas.yaml"
AS_OF = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return generate_sample(2500, seed=3, as_of=AS_OF)


@pytest.fixture(scope="module")
def outcomes(sample: SampleData) -> pa.Table:
    return sample_outcomes(sample, seed=3)


@pytest.fixture(scope="module")
def report(sample: SampleData, outcomes: pa.Table) -> BacktestReport:
    return backtest(EXAMPLE, leads=sample.leads, events=sample.events, accounts=sample.accounts, outcomes=outcomes)


def test_sample_outcomes_follow_behaviour(sample: SampleData, outcomes: pa.Table) -> None:
    frame = outcomes.to_pandas()
    assert set(frame["outcome"]) == {"opportunity", "won"}
    assert frame["timestamp"].max() <= pd.Timestamp(AS_OF)  # nothing after the end of the history
    won = frame[frame["outcome"] == "won"].set_index("lead_id")
    opportunity = frame[frame["outcome"] == "opportunity"].set_index("lead_id")
    assert won.index.isin(opportunity.index).all()
    assert (won["timestamp"] > opportunity.loc[won.index, "timestamp"]).all()
    assert won["amount"].gt(0).all() and opportunity["amount"].isna().all()
    # a hand-raiser becomes an opportunity after asking, and far more often than others
    events = sample.events.to_pandas()
    asked = events[(events["event"] == "demo_request") | (events["form"] == "free-consultation")]
    first_ask = asked.groupby("lead_id")["timestamp"].min()
    raised = opportunity.index.intersection(first_ask.index)
    assert (opportunity.loc[raised, "timestamp"] > first_ask.loc[raised]).mean() > 0.9
    leads = sample.leads.column("lead_id").to_pylist()
    rate_asked = np.isin(first_ask.index, opportunity.index).mean()
    rate_other = np.isin(np.setdiff1d(leads, first_ask.index), opportunity.index).mean()
    assert rate_asked > 3 * rate_other
    # deterministic per seed
    assert sample_outcomes(sample, seed=3).equals(outcomes)


def test_example_scorecard_ranks_the_sample_well(report: BacktestReport) -> None:
    doc = report.to_dict()
    [card] = doc["scorecards"]
    summary = card["summary"]
    assert summary["roc_auc"] > 0.65
    assert summary["roc_auc_interval"][0] > 0.55
    assert summary["pr_auc"] > 2 * summary["base_rate"]
    assert summary["top_decile_lift"] > 2
    assert len(doc["settings"]["cutoffs"]) >= 3
    assert sum(row["leads"] for row in card["per_cutoff"]) == summary["rows"]
    assert all(row["leads"] > 0 and row["roc_auc"] > 0.5 for row in card["per_cutoff"])
    events_used = {c["column"]: c["uses"] for c in doc["columns"]["events"]}
    assert any("reference models" in u for u in events_used["form"])
    sql, mql = card["weekly_stages"]
    assert sql["stage"] == "SQL" and sql["mean_weekly_entries"] > 0 and sql["converted_share"] > mql["converted_share"] > 0
    assert sql["median_days_to_outcome"] is not None
    by_stage = {row["value"]: row["conversion_rate"] for row in card["by_stage"]}
    assert by_stage["SQL"] > by_stage["MQL"] > by_stage["lead"]
    assert card["top_in_common"]["values"]
    models = {m["model"]: m["roc_auc"] for m in doc["reference_models"]["models"]}
    assert set(models) == {"gradient_boosting", "naive_bayes"} and all(v > 0.55 for v in models.values())
    assert doc["time_to_outcome"]["median_days"] > 0


def test_html_report_is_self_contained(report: BacktestReport, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    report.write_html(path)
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") >= 8
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", html, re.IGNORECASE)
    assert "<script" not in html.lower()
    for section in ("summary", "ranking", "bands", "groups", "weekly", "common", "reference", "cutoffs", "columns"):
        assert f'id="{section}"' in html
    assert "job_title" in html and "free-consultation" in html  # the columns used are listed


def test_json_is_strict_and_matches_the_document(report: BacktestReport, tmp_path: Path) -> None:
    import json

    path = tmp_path / "report.json"
    report.write_json(path)
    loaded = json.loads(path.read_text())  # allow_nan=False on writing: no NaN slips through
    assert loaded["scorecards"][0]["summary"] == report.to_dict()["scorecards"][0]["summary"]
    assert loaded["reference_models"]["folds"] == 5
