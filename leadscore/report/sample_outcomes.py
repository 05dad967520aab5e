"""Outcomes for the sample data: opportunities and won deals that follow what the leads did.

``leadscore.sample`` makes leads, accounts and events; this makes what happened next, so that a
back-test on the sample data has something real to find. The rules are a plausible B2B funnel,
deliberately not the example scorecard's rules (a scorecard should have to discover them):

- a request for a free consultation or a demo usually becomes an opportunity within days,
  more often for a good fit (a senior title, a mid-size or large company in a target
  industry, inside the territory, a company e-mail, a referral or partner source);
- other leads become opportunities less often, more so the more they looked at pricing,
  clicked e-mails, attended webinars and downloaded content, and rarely after unsubscribing;
  the opportunity follows their last sign of intent by one to a few weeks;
- about a third of opportunities are won a month or so later, with an amount that grows with
  the size of the company;
- everything has noise: some strong leads never buy, some quiet ones do.

Outcomes are only kept up to ``observed_until`` (default: the sample's ``as_of``), as in a
real export: what happens later is not known yet.

    >>> data = generate_sample(3000, seed=1, as_of=datetime(2026, 6, 1, tzinfo=UTC))  # doctest: +SKIP
    >>> outcomes = sample_outcomes(data, seed=1)  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from leadscore.sample import SampleData

DAY = 86_400
TIMESTAMP = pa.timestamp("us", tz="UTC")

_DECISION = ("ceo", "founder", "fundador", "cofundador", "director", "diretor", "head", "vp", "chief", "gerente general", "managing")
_MANAGER = ("manager", "gerente", "jefe", "jefa", "responsable", "coordinador", "coordenador")
_JUNIOR = ("student", "estudiante", "estudante", "intern", "becario", "practicante", "estagi")
_INDUSTRY = {
    "software": 0.5, "saas": 0.6, "it services": 0.4, "financial services": 0.3, "banking": 0.2, "e-commerce": 0.3,
    "telecommunications": 0.3, "education": -0.4, "government": -0.5, "non-profit": -0.5, "hospitality": -0.2,
    "marketing agency": 0.2, "logistics": 0.1, "consulting": 0.1, "real estate": -0.1,
}
_SOURCE = {"referral": 0.5, "partner": 0.4, "trade_show": 0.1, "webinar": 0.1, "list_import": -0.5, "linkedin_ads": 0.0}
_TERRITORY = {"us", "es", "mx", "ar", "co", "cl", "pe", "uy", "ec"}
_PERSONAL = ("@gmail.", "@hotmail.", "@outlook.", "@yahoo.", "@icloud.", "@uol.")


def sample_outcomes(data: SampleData, *, seed: int = 0, observed_until: datetime | None = None) -> pa.Table:
    """Outcomes (lead_id, outcome, timestamp, amount) for sample data made by ``generate_sample``."""
    return generate_outcomes(
        data.leads, data.events, data.accounts, observed_until=observed_until or data.as_of, seed=seed
    )


def generate_outcomes(
    leads: pa.Table, events: pa.Table, accounts: pa.Table | None, *, observed_until: datetime, seed: int = 0
) -> pa.Table:
    """Outcomes for leads shaped like the sample data (canonical columns, aware timestamps)."""
    rng = np.random.default_rng(seed)
    lead_frame = leads.to_pandas()
    fit = _fit(lead_frame, accounts.to_pandas() if accounts is not None else None)
    behaviour = _behaviour(events.to_pandas(), lead_frame)
    n = len(lead_frame)
    created = _seconds(lead_frame["created_at"]) if "created_at" in lead_frame else np.zeros(n)
    opp_time = _opportunities(rng, fit, behaviour, created)
    won_time, amount = _wins(rng, fit, opp_time, lead_frame, accounts)
    end = observed_until.timestamp()
    rows = []
    for kind, times, values in (("opportunity", opp_time, np.full(n, np.nan)), ("won", won_time, amount)):
        keep = np.isfinite(times) & (times <= end)
        rows.append(pd.DataFrame({
            "lead_id": lead_frame["lead_id"].to_numpy()[keep],
            "outcome": kind,
            "timestamp": pd.to_datetime(np.floor(times[keep]), unit="s", utc=True),
            "amount": values[keep],
        }))
    frame = pd.concat(rows, ignore_index=True).sort_values(["timestamp", "lead_id"], kind="stable").reset_index(drop=True)
    return pa.table({
        "lead_id": pa.array(frame["lead_id"].astype(str).tolist(), pa.string()),
        "outcome": pa.array(frame["outcome"].tolist(), pa.string()),
        "timestamp": pa.array(frame["timestamp"].dt.as_unit("us"), TIMESTAMP),
        "amount": pa.array(frame["amount"].to_numpy(), pa.float64(), from_pandas=True),
    })


def _seconds(values: pd.Series) -> np.ndarray:
    out = np.full(len(values), np.nan)
    present = values.notna().to_numpy()
    out[present] = values[present].astype("datetime64[us, UTC]").astype("int64").to_numpy() / 1e6
    return out


def _contains_any(text: pd.Series, words: tuple[str, ...]) -> np.ndarray:
    lowered = text.fillna("").astype(str).str.lower()
    hit = np.zeros(len(text), dtype=bool)
    for word in words:
        hit |= lowered.str.contains(word, regex=False).to_numpy()
    return hit


def _fit(leads: pd.DataFrame, accounts: pd.DataFrame | None) -> np.ndarray:
    """How well the lead matches who buys (log-odds units)."""
    title = leads.get("job_title", pd.Series([None] * len(leads)))
    junior = _contains_any(title, _JUNIOR)
    decision = _contains_any(title, _DECISION) & ~junior
    manager = _contains_any(title, _MANAGER) & ~decision & ~junior
    fit = np.select([junior, decision, manager, title.isna().to_numpy()], [-1.2, 0.7, 0.35, -0.1], 0.0)
    employees = np.full(len(leads), np.nan)
    industry = pd.Series([""] * len(leads))
    if accounts is not None and "account_id" in leads:
        joined = accounts.set_index("account_id").reindex(leads["account_id"].to_numpy())
        employees = pd.to_numeric(joined.get("employees"), errors="coerce").to_numpy(dtype=float)
        industry = joined.get("industry", industry).fillna("").astype(str).str.strip().str.lower().reset_index(drop=True)
    fit += np.select(
        [np.isnan(employees), employees < 10, employees <= 50, employees <= 1000], [-0.35, -0.5, 0.0, 0.45], 0.25
    )
    fit += industry.map(_INDUSTRY).fillna(0.0).to_numpy()
    country = leads.get("country", pd.Series([None] * len(leads))).fillna("").astype(str).str.strip().str.lower()
    fit += np.where(country.isin(_TERRITORY).to_numpy(), 0.2, np.where(country.to_numpy() == "", 0.0, -0.6))
    fit -= 0.3 * _contains_any(leads.get("email", pd.Series([None] * len(leads))), _PERSONAL)
    fit += leads.get("source", pd.Series([None] * len(leads))).map(_SOURCE).fillna(0.0).to_numpy()
    return fit


def _behaviour(events: pd.DataFrame, leads: pd.DataFrame) -> pd.DataFrame:
    """Per lead: first hand-raise, signs of intent and their last time."""
    if "event_id" in events:
        events = events.drop_duplicates("event_id")
    events = events.assign(t=_seconds(events["timestamp"]))
    form = events.get("form", pd.Series([None] * len(events), index=events.index)).fillna("")
    url = events.get("url", pd.Series([None] * len(events), index=events.index)).fillna("")
    percent = pd.to_numeric(events.get("percent", pd.Series([np.nan] * len(events), index=events.index)), errors="coerce")
    kind = events["event"]
    flags = pd.DataFrame({
        "lead_id": events["lead_id"],
        "t": events["t"],
        "raise": ((kind == "form_submit") & (form == "free-consultation")) | (kind == "demo_request"),
        "pricing": (kind == "page_view") & url.str.contains("/pricing|/precios", regex=True),
        "click": kind == "email_click",
        "webinar": (kind == "webinar") & (percent >= 50),
        "download": kind == "download",
        "view": kind == "page_view",
        "unsub": kind == "unsubscribe",
    })
    grouped = flags.groupby("lead_id")
    counts = grouped[["pricing", "click", "webinar", "download", "view", "unsub"]].sum()
    intent = flags[flags["pricing"] | flags["click"] | flags["webinar"] | flags["download"]]
    out = pd.DataFrame(index=leads["lead_id"].to_numpy())
    out = out.join(counts)
    out["first_raise"] = flags[flags["raise"]].groupby("lead_id")["t"].min()
    out["last_intent"] = intent.groupby("lead_id")["t"].max()
    out["last_event"] = grouped["t"].max()
    return out.fillna(dict.fromkeys(counts.columns, 0))


def _opportunities(rng: np.random.Generator, fit: np.ndarray, b: pd.DataFrame, created: np.ndarray) -> np.ndarray:
    n = len(fit)
    noise = rng.normal(0, 0.7, n)
    raised = b["first_raise"].notna().to_numpy()
    p_raise = _sigmoid(0.2 + 0.9 * fit + noise)
    engaged = (
        0.35 * np.log1p(b["pricing"]) + 0.25 * np.log1p(b["click"]) + 0.5 * np.minimum(b["webinar"], 2)
        + 0.2 * np.log1p(b["download"]) + 0.12 * np.log1p(b["view"]) - 1.6 * (b["unsub"] > 0)
    ).to_numpy()
    p_other = _sigmoid(-3.9 + 0.9 * fit + engaged + noise)
    p = np.where(raised, p_raise, p_other)
    happens = rng.random(n) < p
    anchor = np.where(raised, b["first_raise"], b["last_intent"].fillna(b["last_event"]))
    anchor = np.where(np.isnan(anchor.astype(float)), created + rng.exponential(20 * DAY, n), anchor.astype(float))
    delay = np.where(raised, rng.lognormal(np.log(6 * DAY), 0.8, n), rng.lognormal(np.log(12 * DAY), 0.9, n))
    return np.where(happens, anchor + delay, np.nan)


def _wins(
    rng: np.random.Generator, fit: np.ndarray, opp_time: np.ndarray, leads: pd.DataFrame, accounts: pa.Table | None
) -> tuple[np.ndarray, np.ndarray]:
    n = len(fit)
    won = np.isfinite(opp_time) & (rng.random(n) < _sigmoid(-0.8 + 0.7 * fit + rng.normal(0, 0.5, n)))
    when = np.where(won, opp_time + rng.lognormal(np.log(30 * DAY), 0.6, n), np.nan)
    employees = np.full(n, np.nan)
    if accounts is not None and "account_id" in leads:
        joined = accounts.to_pandas().set_index("account_id").reindex(leads["account_id"].to_numpy())
        employees = pd.to_numeric(joined.get("employees"), errors="coerce").to_numpy(dtype=float)
    size = np.select([np.isnan(employees), employees <= 50, employees <= 1000], [1.0, 1.0, 3.0], 8.0)
    amount = np.round(rng.lognormal(np.log(6000 * size), 0.6, n) / 100) * 100
    return when, np.where(won, amount, np.nan)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


__all__ = ["generate_outcomes", "sample_outcomes"]
