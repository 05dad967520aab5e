"""Small, exact data for the back-test tests: a tiny scorecard and a few dozen leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)

TINY_CARD = """\
name: tiny
range: [0, 100]
fit:
  rules:
    - {name: boss, if: {field: title, equals: boss}, points: 20}
  grades: {A: 20, B: 0}
engagement:
  rules:
    - {name: demo, event: demo_request, points: 60}
    - {name: visits, event: page_view, per: event, points: 10, max: 30}
  levels: {1: 60, 2: 10}
stages:
  - {name: SQL, min_score: 80}
  - {name: MQL, min_score: 40}
  - {name: lead}
"""


@pytest.fixture
def tiny_card(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_CARD)
    return path


def tiny_history(n: int = 60, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Leads created over 60 days; page views; demo requests that usually lead to an opportunity."""
    rng = np.random.default_rng(seed)
    ids = [f"L{i:03d}" for i in range(n)]
    created = [T0 + timedelta(hours=int(h)) for h in rng.integers(0, 60 * 24, n)]
    boss = rng.random(n) < 0.3
    leads = pd.DataFrame({"lead_id": ids, "created_at": created, "title": np.where(boss, "boss", "clerk")})
    events, outcomes = [], []
    for lead, start, is_boss in zip(ids, created, boss, strict=True):
        for _ in range(rng.poisson(3)):
            events.append((lead, "page_view", start + timedelta(hours=int(rng.integers(1, 40 * 24)))))
        if rng.random() < (0.5 if is_boss else 0.2):
            demo = start + timedelta(hours=int(rng.integers(5 * 24, 40 * 24)))
            events.append((lead, "demo_request", demo))
            if rng.random() < 0.8:
                outcomes.append((lead, "opportunity", demo + timedelta(days=int(rng.integers(5, 25))), None))
        elif rng.random() < 0.05:
            outcomes.append((lead, "opportunity", start + 30 * DAY, None))
    events.append((ids[0], "page_view", T0 + 150 * DAY))  # the data runs to T0 + 150 days
    return {
        "leads": leads,
        "events": pd.DataFrame(events, columns=["lead_id", "event", "timestamp"]),
        "outcomes": pd.DataFrame(outcomes, columns=["lead_id", "outcome", "timestamp", "amount"]),
    }


def write_csvs(data: dict[str, pd.DataFrame], folder: Path) -> dict[str, Path]:
    paths = {}
    for name, frame in data.items():
        out = frame.copy()
        for column in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[column]) or (len(out) and isinstance(out[column].iloc[0], datetime)):
                out[column] = pd.to_datetime(out[column], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        paths[name] = folder / f"{name}.csv"
        out.to_csv(paths[name], index=False)
    return paths
