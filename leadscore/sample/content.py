"""Content: newsletter sign-ups, gated e-books (page, form, download) and webinars (registration, attendance)."""

from __future__ import annotations

import numpy as np

from leadscore.sample.arrays import DAY, HOUR, chosen, repeat_rows
from leadscore.sample.campaigns import Campaigns
from leadscore.sample.events import EVENT, FORM, EventLog
from leadscore.sample.lifetimes import Arrivals
from leadscore.sample.web import BLOG, EBOOKS, Urls


def newsletter_signups(rng: np.random.Generator, log: EventLog, propensity: np.ndarray, arrivals: Arrivals,
                       urls: Urls) -> None:
    """Newsletter subscriptions after the lead was created, from a blog post."""
    rows = chosen(rng, 0.05 * np.exp(0.5 * propensity))
    t = arrivals.moments(rng, rows)
    offset = rng.integers(30, 400, len(rows))
    post = urls.codes(BLOG)[rng.integers(0, len(BLOG), len(rows))]
    log.add(rows, t - offset, EVENT["page_view"], url=post)
    log.add(rows, t, EVENT["form_submit"], form=FORM["newsletter"])


def ebook_downloads(rng: np.random.Generator, log: EventLog, propensity: np.ndarray, arrivals: Arrivals,
                    urls: Urls) -> None:
    """Gated content: the e-book's page, its form, the download; engaged leads get several."""
    rows = repeat_rows(rng.poisson(np.clip(0.12 * np.exp(0.7 * propensity), 0, 5)))
    t = arrivals.moments(rng, rows)
    book = rng.integers(0, len(EBOOKS), len(rows))
    log.add(rows, t - rng.integers(30, 300, len(rows)), EVENT["page_view"], url=urls.codes(EBOOKS)[book])
    log.add(rows, t, EVENT["form_submit"], form=FORM["ebook"])
    log.add(rows, t + rng.integers(2, 30, len(rows)), EVENT["download"], url=urls.codes(u + ".pdf" for u in EBOOKS)[book])


def webinars(rng: np.random.Generator, log: EventLog, propensity: np.ndarray, arrivals: Arrivals,
             campaigns: Campaigns, end: int) -> None:
    """Register a few days before (from the webinar's page), about half attend, for part of the hour."""
    n = len(propensity)
    created, active_end = arrivals.created, arrivals.active_end
    for w, (w_ts, _name, page) in enumerate(campaigns.webinars):
        code = campaigns.webinar_code(w)
        reg_ts = w_ts - rng.integers(HOUR, 10 * DAY, n)
        alive = (created < reg_ts) & (reg_ts <= end)
        p = np.where(reg_ts <= active_end, 0.035 * np.exp(0.7 * propensity), 0.002)
        rows = np.flatnonzero(alive & (rng.random(n) < np.clip(p, 0, 0.8)))
        log.add(rows, reg_ts[rows] - rng.integers(20, 200, len(rows)), EVENT["page_view"], url=page)
        log.add(rows, reg_ts[rows], EVENT["form_submit"], form=FORM["webinar-registration"], campaign=code, url=page)
        if w_ts + HOUR <= end:
            rows = rows[rng.random(len(rows)) < 0.55]
            percent = np.clip(np.round(rng.beta(2.2, 1.3, len(rows)) * 100), 3, 100)
            log.add(rows, w_ts + rng.integers(0, 15 * 60, len(rows)), EVENT["webinar"], campaign=code, percent=percent)
