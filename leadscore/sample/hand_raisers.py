"""Hand-raisers: the few leads that ask for a free consultation or a demo, after looking at pricing.

The better the fit and the more engaged, the likelier; late in their interested period.
"""

from __future__ import annotations

import numpy as np

from leadscore.sample.arrays import chosen, sigmoid
from leadscore.sample.events import EVENT, FORM, EventLog
from leadscore.sample.lifetimes import Arrivals
from leadscore.sample.population import Leads
from leadscore.sample.web import Urls


def raise_hands(rng: np.random.Generator, log: EventLog, leads: Leads, arrivals: Arrivals, urls: Urls) -> None:
    """Free-consultation forms, then demo requests."""
    z, fit = leads.propensity, leads.fit
    rows, t = _after_pricing(rng, log, arrivals, urls, sigmoid(-5.2 + 1.0 * z + 0.8 * fit), "/free-consultation")
    log.add(rows, t, EVENT["form_submit"], form=FORM["free-consultation"])
    rows, t = _after_pricing(rng, log, arrivals, urls, sigmoid(-5.4 + 1.0 * z + 0.9 * fit), "/demo")
    log.add(rows, t, EVENT["demo_request"], url=urls.code("/demo"))


def _after_pricing(rng: np.random.Generator, log: EventLog, arrivals: Arrivals, urls: Urls, p: np.ndarray,
                   page: str) -> tuple[np.ndarray, np.ndarray]:
    """The leads that raise their hand (probability ``p``) and when; logs their visit to pricing, then ``page``."""
    rows = chosen(rng, p)
    t = arrivals.moments(rng, rows, (2.0, 1.3))
    log.add(rows, t - rng.integers(180, 900, len(rows)), EVENT["page_view"], url=urls.code("/pricing"))
    log.add(rows, t - rng.integers(30, 170, len(rows)), EVENT["page_view"], url=urls.code(page))
    return rows, t
