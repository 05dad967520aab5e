"""A back-test on real leads (X Education, ../shared/data): an outcome column, no events."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from leadscore.report import backtest
from tests.conftest import SHARED

LEADS = SHARED / "data" / "x-education-leads" / "Leads.csv"
# The columns the dataset's README names as filled in by sales after contact (they leak the outcome).
LEAKY = ["Tags", "Lead Quality", "Lead Profile", "Asymmetrique Activity Index", "Asymmetrique Profile Index",
         "Asymmetrique Activity Score", "Asymmetrique Profile Score", "Last Activity", "Last Notable Activity"]

CARD = """\
name: x-education
fit:
  rules:
    - {name: add-form, if: {field: Lead Origin, equals: Lead Add Form}, points: 30}
    - {name: working, if: {field: What is your current occupation, equals: Working Professional}, points: 25}
    - {name: engaged-on-site, if: {field: Total Time Spent on Website, gte: 600}, points: 20}
    - {name: olark-chat, if: {field: Lead Source, equals: Olark Chat}, points: -5}
    - {name: no-email, if: {field: Do Not Email, equals: "Yes"}, points: -15}
stages:
  - {name: MQL, min_score: 30}
  - {name: lead}
"""


@pytest.mark.shared
def test_x_education_outcome_column(tmp_path: Path) -> None:
    if not LEADS.is_file():
        pytest.skip(f"{LEADS} is not here (the real datasets live in ../shared/data)")
    frame = pd.read_csv(LEADS).drop(columns=[*LEAKY, "Unnamed: 37", "Lead Number"], errors="ignore")
    frame = frame.rename(columns={"Prospect ID": "lead_id"})
    card = tmp_path / "card.yaml"
    card.write_text(CARD)
    doc = backtest(card, leads=frame, outcome_column="Converted", as_of="2026-06-01", reference=False, bootstrap_rounds=50).to_dict()
    summary = doc["scorecards"][0]["summary"]
    assert summary["rows"] == len(frame)
    assert summary["base_rate"] == pytest.approx(0.3854, abs=0.001)
    assert summary["roc_auc"] > 0.7
    used = {c["column"]: c["uses"] for c in doc["columns"]["leads"]}
    assert used["Converted"] == ["label: the outcome (never a feature)"]
    assert any("fit rule add-form" in u for u in used["Lead Origin"])
