"""E-mail nurturing: every lead receives the campaigns sent after it was created, until it unsubscribes.

Engaged leads open within hours and sometimes click; leads that went quiet rarely open any more;
an unsubscribe is an open followed by the unsubscribe link.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadscore.sample.arrays import DAY, HOUR, expand, repeat_rows, sigmoid
from leadscore.sample.campaigns import Campaigns
from leadscore.sample.dormancy import unsubscribers
from leadscore.sample.events import EVENT, EventLog
from leadscore.sample.lifetimes import Arrivals
from leadscore.sample.web import Browsing


@dataclass(frozen=True)
class Clicks:
    """Clicks on e-mail links: the lead, when, and the campaign (whose landing page it opens)."""

    lead: np.ndarray
    ts: np.ndarray
    campaign: np.ndarray


def nurture(rng: np.random.Generator, log: EventLog, propensity: np.ndarray, arrivals: Arrivals, campaigns: Campaigns,
            *, email_sends: bool) -> Clicks:
    """Log the e-mail opens, unsubscribes, clicks (and with ``email_sends`` every delivery); return the clicks."""
    n = len(propensity)
    send_ts = campaigns.send_ts
    first = np.searchsorted(send_ts, arrivals.created, side="right")
    last = np.full(n, len(send_ts))  # exclusive
    unsub_rows, unsub_camp = unsubscribers(rng, first, last - first, propensity)
    last[unsub_rows] = unsub_camp + 1
    active_last = np.clip(np.searchsorted(send_ts, arrivals.active_end, side="right"), first, last)
    p_open = sigmoid(-1.9 + 0.9 * propensity + 0.8 * rng.standard_normal(n))
    p_click = sigmoid(-2.6 + 0.6 * propensity)

    lead_a, camp_a = _opens(rng, first, active_last, p_open)
    lead_d, camp_d = _opens(rng, active_last, last, p_open * 0.06)  # gone quiet: rarely opens any more
    open_lead = np.concatenate([lead_a, lead_d])
    open_camp = np.concatenate([camp_a, camp_d])
    open_ts = send_ts[open_camp] + 60 + _delay(rng, 2.5 * HOUR, 1.4, 20 * DAY, len(open_lead))
    # the unsubscribe: the e-mail is opened, then the unsubscribe link
    unsub_ts = send_ts[unsub_camp] + _delay(rng, 3 * HOUR, 1.2, 10 * DAY, len(unsub_rows))
    open_lead = np.concatenate([open_lead, unsub_rows])
    open_camp = np.concatenate([open_camp, unsub_camp])
    open_ts = np.concatenate([open_ts, unsub_ts - rng.integers(10, 120, len(unsub_rows))])
    log.add(open_lead, open_ts, EVENT["email_open"], campaign=open_camp)
    log.add(unsub_rows, unsub_ts, EVENT["unsubscribe"], campaign=unsub_camp)
    if email_sends:
        _deliveries(rng, log, first, last, send_ts)
    return _clicks(rng, log, open_lead, open_camp, open_ts, p_click, campaigns.send_url)


def _opens(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each lead opens each of its campaigns ``lo .. hi - 1`` with probability ``p``: (lead, campaign) per open."""
    k = hi - lo
    lead = repeat_rows(rng.binomial(np.maximum(k, 0), p))
    camp = lo[lead] + (rng.random(len(lead)) * k[lead]).astype(np.int64)
    return lead, camp


def _delay(rng: np.random.Generator, median: float, sigma: float, most: int, n: int) -> np.ndarray:
    """Seconds from the sending to a reaction: log-normal around ``median``, at most ``most``."""
    return np.minimum(rng.lognormal(np.log(median), sigma, n), most).astype(np.int64)


def _deliveries(rng: np.random.Generator, log: EventLog, first: np.ndarray, last: np.ndarray, send_ts: np.ndarray) -> None:
    """An ``email_send`` for every campaign delivered to a lead, within a minute of the sending."""
    lead, camp = expand(first, np.maximum(last - first, 0))
    log.add(lead, send_ts[camp] + rng.integers(0, 60, len(lead)), EVENT["email_send"], campaign=camp)


def _clicks(rng: np.random.Generator, log: EventLog, open_lead: np.ndarray, open_camp: np.ndarray, open_ts: np.ndarray,
            p_click: np.ndarray, send_url: np.ndarray) -> Clicks:
    """Some opens are followed by a click, about half a minute later."""
    clicked = rng.random(len(open_lead)) < p_click[open_lead]
    lead, camp = open_lead[clicked], open_camp[clicked]
    ts = open_ts[clicked] + rng.lognormal(np.log(25), 0.8, len(lead)).astype(np.int64) + 1
    log.add(lead, ts, EVENT["email_click"], url=send_url[camp], campaign=camp)
    return Clicks(lead, ts, camp)


def click_through(rng: np.random.Generator, browsing: Browsing, clicks: Clicks, campaigns: Campaigns) -> None:
    """A click on an e-mail usually opens a short visit, from the campaign's landing page."""
    follow = rng.random(len(clicks.lead)) < 0.75
    browsing.sessions(clicks.lead[follow], clicks.ts[follow] + 3, campaigns.send_url[clicks.campaign[follow]])
