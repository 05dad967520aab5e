"""Leads whose conversion follows a known logistic model: the known answer for the learner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from leadscore.learn import event_features

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
INDUSTRY_EFFECT = {"Software": 1.2, "Finance": 0.4, "Retail": -0.6, "Education": 0.0}
EMPLOYEES_EFFECT = 0.006  # per employee, up to 400
PAGE_VIEW_EFFECT = 0.35  # per page view
INTERCEPT = -2.5


@dataclass
class Synthetic:
    leads: pd.DataFrame
    """lead_id, employees (some missing), industry (some missing), country (no effect)."""
    events: pd.DataFrame
    """lead_id, event, timestamp (ISO text), event_id; page views count, e-mail opens do not."""
    logit: np.ndarray
    """The true log-odds of each lead."""
    y: np.ndarray

    def features(self) -> pd.DataFrame:
        """Lead columns and event features, one row per lead, in the leads' order (index 0..n-1)."""
        events = event_features(self.events, self.leads["lead_id"], AS_OF)
        frame = pd.concat([self.leads.set_index("lead_id"), events], axis=1)
        return frame.reset_index(drop=True)

    def leads_with_outcome(self, column: str = "converted") -> pd.DataFrame:
        return self.leads.assign(**{column: self.y})


def synthetic(n: int = 2000, seed: int = 0) -> Synthetic:
    rng = np.random.default_rng(seed)
    ids = [f"L{seed}-{i:05d}" for i in range(n)]
    employees = rng.integers(1, 400, n).astype(float)
    employees[rng.random(n) < 0.05] = np.nan
    industry = rng.choice(list(INDUSTRY_EFFECT), n).astype(object)
    industry[rng.random(n) < 0.05] = None
    country = rng.choice(["ES", "MX", "US"], n)
    leads = pd.DataFrame({"lead_id": ids, "employees": employees, "industry": industry, "country": country})
    views = rng.poisson(2.0, n)
    opens = rng.poisson(1.0, n)
    events = _events(rng, ids, views, opens)
    logit = (
        INTERCEPT
        + EMPLOYEES_EFFECT * np.nan_to_num(employees, nan=0.0)
        + pd.Series(industry).map(INDUSTRY_EFFECT).fillna(0.0).to_numpy()
        + PAGE_VIEW_EFFECT * views
    )
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return Synthetic(leads, events, logit, y)


def _events(rng: np.random.Generator, ids: list[str], views: np.ndarray, opens: np.ndarray) -> pd.DataFrame:
    rows = []
    for lead, n_views, n_opens in zip(ids, views, opens, strict=True):
        for kind, count in (("page_view", n_views), ("email_open", n_opens)):
            for _ in range(count):
                moment = AS_OF - timedelta(days=float(rng.uniform(0.01, 90)))
                rows.append((lead, kind, moment.strftime("%Y-%m-%dT%H:%M:%SZ")))
    frame = pd.DataFrame(rows, columns=["lead_id", "event", "timestamp"])
    frame["event_id"] = [f"e{i}" for i in range(len(frame))]
    return frame


@dataclass
class Interacting:
    """Leads whose conversion has an interaction: seats raise a pro plan's odds, not a free one's."""

    leads: pd.DataFrame
    """lead_id, plan (free / pro), seats, country (no effect)."""
    events: pd.DataFrame
    """lead_id, event, timestamp, event_id: page views raise the odds a little."""
    logit: np.ndarray
    y: np.ndarray

    def features(self) -> pd.DataFrame:
        events = event_features(self.events, self.leads["lead_id"], AS_OF)
        return pd.concat([self.leads.set_index("lead_id"), events], axis=1).reset_index(drop=True)


def interacting(n: int = 3000, seed: int = 0) -> Interacting:
    """logit = -2 + 0.2 views + (plan = pro) (3 if seats >= 50 else -2.5): no additive model ranks it."""
    rng = np.random.default_rng(seed)
    ids = [f"I{seed}-{i:05d}" for i in range(n)]
    plan = rng.choice(["free", "pro"], n)
    seats = rng.integers(1, 100, n).astype(float)
    country = rng.choice(["ES", "MX", "US"], n)
    leads = pd.DataFrame({"lead_id": ids, "plan": plan, "seats": seats, "country": country})
    views = rng.poisson(1.5, n)
    events = _events(rng, ids, views, np.zeros(n, dtype=int))
    logit = -2.0 + 0.2 * views + np.where(plan == "pro", np.where(seats >= 50, 3.0, -2.5), 0.0)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return Interacting(leads, events, logit, y)
