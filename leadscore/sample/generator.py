"""``generate_sample``: the marketing funnel, step by step, from one random generator."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from leadscore.sample import content, tables
from leadscore.sample.arrays import DAY
from leadscore.sample.arrival import arrive, first_touch
from leadscore.sample.campaigns import schedule
from leadscore.sample.data import SampleData
from leadscore.sample.events import EventLog
from leadscore.sample.hand_raisers import raise_hands
from leadscore.sample.mess import resent
from leadscore.sample.nurture import click_through, nurture
from leadscore.sample.population import populate
from leadscore.sample.web import Browsing, Urls, background_sessions


def generate_sample(
    n_leads: int = 5000,
    *,
    seed: int = 7,
    as_of: datetime,
    days: int = 180,
    events_per_lead_mean: float | None = 20.0,
    duplicate_rate: float = 0.005,
    email_sends: bool = False,
) -> SampleData:
    """Generate ``n_leads`` leads, their accounts and ``days`` days of their events up to ``as_of``.

    Args:
        n_leads: number of leads; about 0.43 accounts per lead are made.
        seed: the random seed; the same seed and ``as_of`` give the same tables.
        as_of: the end of the history (no event is later). A naive datetime is taken as UTC.
        days: how far back leads were created and events go.
        events_per_lead_mean: the mean number of events per lead to aim for, approximately: web
            sessions are scaled to reach it; e-mail, forms and webinars are not, so a target below
            about 7 is not reached. ``None``: the model's own volume (about 13 per lead).
        duplicate_rate: the share of events re-sent a second time with the same ``event_id``.
        email_sends: also emit an ``email_send`` event for every campaign e-mail delivered
            (many more rows: about 25 per lead over 180 days).

    Returns:
        SampleData with ``leads`` (lead_id, created_at, account_id, email, job_title, country,
        source), ``accounts`` (account_id, name, employees, industry, country) and ``events``
        (event_id, lead_id, event, timestamp, form, url, campaign, percent), sorted about by time.
    """
    if n_leads < 0:
        raise ValueError("n_leads must be >= 0")
    if days < 1:
        raise ValueError("days must be >= 1")
    as_of = _utc(as_of)
    end = int(np.floor(as_of.timestamp()))
    start = end - days * DAY
    rng = np.random.default_rng(seed)

    # the order of the steps is the order of the random draws: changing it changes the data
    accounts, leads = populate(rng, n_leads)
    arrivals = arrive(rng, leads.country, leads.propensity, start=start, end=end)
    urls = Urls()
    campaigns = schedule(start, end, urls)
    log = EventLog()
    first_touch(rng, log, arrivals, campaigns, urls)
    browsing = Browsing(rng, log, leads.propensity)
    clicks = nurture(rng, log, leads.propensity, arrivals, campaigns, email_sends=email_sends)
    click_through(rng, browsing, clicks, campaigns)
    raise_hands(rng, log, leads, arrivals, urls)
    content.newsletter_signups(rng, log, leads.propensity, arrivals, urls)
    content.ebook_downloads(rng, log, leads.propensity, arrivals, urls)
    content.webinars(rng, log, leads.propensity, arrivals, campaigns, end)
    background_sessions(browsing, leads.propensity, arrivals, events_per_lead_mean)

    columns = log.in_time_order(end)
    event_num = np.arange(1, len(columns[0]) + 1, dtype=np.int64)
    take = resent(rng, len(event_num), duplicate_rate)
    lead_id, account_id = tables.lead_ids(n_leads), tables.account_ids(len(accounts))
    events = tables.events_table(tuple(a[take] for a in columns), event_num[take], lead_id, urls.names, campaigns.names)
    return SampleData(
        leads=tables.leads_table(rng, leads, accounts, arrivals, lead_id, account_id),
        accounts=tables.accounts_table(accounts, account_id),
        events=events,
        as_of=as_of,
        seed=seed,
        campaigns=campaigns.table(),
    )


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
