"""The web site: its pages, and the sessions of page views in which leads browse it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from leadscore.sample.arrays import DAY, draw, repeat_rows
from leadscore.sample.events import EVENT, EventLog

if TYPE_CHECKING:
    from leadscore.sample.lifetimes import Arrivals

BLOG = ("/blog/what-is-lead-scoring", "/blog/mql-vs-sql", "/blog/email-benchmarks", "/blog/sales-handoff",
        "/blog/b2b-funnel-metrics", "/es/blog/que-es-lead-scoring", "/es/blog/embudo-de-ventas",
        "/es/blog/automatizacion-de-marketing")
EBOOKS = ("/ebooks/lead-scoring-guide", "/ebooks/email-nurturing-playbook", "/ebooks/b2b-benchmarks-2025",
          "/es/ebooks/guia-lead-scoring")
# site pages: url, weight as the first page of a session, weight inside a session, weight inside a session
# of a lead with buying intent
PAGES = (
    ("/", 18, 6, 3), ("/pricing", 4, 9, 22), ("/es/precios", 2, 3, 8), ("/product", 8, 12, 14),
    ("/product/integrations", 2, 6, 8), ("/product/analytics", 2, 6, 8), ("/customers", 2, 5, 6),
    ("/case-studies/retail-growth", 1, 3, 5), ("/case-studies/fintech-pipeline", 1, 3, 5),
    ("/docs/getting-started", 2, 4, 5), ("/about", 1, 3, 1), ("/careers", 2, 2, 0.2), ("/contact", 1, 3, 4),
    ("/webinars", 1, 2, 1), ("/partners", 0.5, 1, 1),
    *((url, 40 / len(BLOG), 14 / len(BLOG), 4 / len(BLOG)) for url in BLOG),
    *((url, 6 / len(EBOOKS), 4 / len(EBOOKS), 2 / len(EBOOKS)) for url in EBOOKS),
)
_LANDING_WEIGHTS = np.array([p[1] for p in PAGES])
_INNER_WEIGHTS = np.array([p[2] for p in PAGES])
_INTENT_WEIGHTS = np.array([p[3] for p in PAGES])


class Urls:
    """The urls events refer to, by code: the site's pages first, then the others as they come up."""

    def __init__(self) -> None:
        self.names: list[str] = [p[0] for p in PAGES]
        self._code = {u: i for i, u in enumerate(self.names)}

    def code(self, url: str) -> int:
        if url not in self._code:
            self._code[url] = len(self.names)
            self.names.append(url)
        return self._code[url]

    def codes(self, urls: Iterable[str]) -> np.ndarray:
        return np.array([self.code(u) for u in urls])


class Browsing:
    """Web sessions: a landing page, then more pages minutes apart; leads with buying intent look further."""

    def __init__(self, rng: np.random.Generator, log: EventLog, propensity: np.ndarray) -> None:
        self.rng = rng
        self.log = log
        self.intent = propensity > 1.2  # leads that are shopping around: more pages, more pricing
        self.p_last_page = np.where(self.intent, 0.28, 0.45)

    def sessions(self, lead: np.ndarray, t0: np.ndarray, first_url: np.ndarray | None) -> None:
        """One session per lead in ``lead`` starting at ``t0``, on ``first_url`` (default: a landing page)."""
        rng = self.rng
        pages = rng.geometric(self.p_last_page[lead])
        rows = repeat_rows(pages)
        starts = np.cumsum(pages) - pages
        gaps = np.minimum(rng.lognormal(np.log(40), 1.0, len(rows)), 900)
        gaps[starts] = 0
        elapsed = np.cumsum(gaps)
        elapsed -= np.repeat(elapsed[starts], pages)
        ts = t0[rows] + elapsed.astype(np.int64)
        is_intent = self.intent[lead[rows]]
        url = draw(rng, _INNER_WEIGHTS, len(rows))
        url[is_intent] = draw(rng, _INTENT_WEIGHTS, int(is_intent.sum()))
        head = first_url if first_url is not None else draw(rng, _LANDING_WEIGHTS, len(lead))
        url[starts] = head
        self.log.add(lead[rows], ts, EVENT["page_view"], url=url)

    def pages_per_session(self) -> np.ndarray:
        """The expected pages of a session, per lead."""
        return 1.0 / self.p_last_page


def background_sessions(browsing: Browsing, propensity: np.ndarray, arrivals: Arrivals,
                        events_per_lead_mean: float | None) -> None:
    """Sessions spread over each lead's interested period, front-loaded.

    The rate is heavy-tailed and scaled so that the events per lead reach ``events_per_lead_mean``
    (everything logged so far counts towards it).
    """
    rng = browsing.rng
    n = len(propensity)
    created, active_span = arrivals.created, arrivals.active_span
    fixed = len(browsing.log)
    rate = np.exp(1.5 * propensity)  # sessions per active day, before scaling
    exposure = rate * (active_span / DAY + 0.5)
    base = 0.012
    if events_per_lead_mean is not None and n:
        need = events_per_lead_mean * n - fixed
        base = max(0.002, need / max(1e-9, float((exposure * browsing.pages_per_session()).sum())))
    lam = np.minimum(base * exposure, 4.0 * (active_span / DAY + 1))
    rows = repeat_rows(rng.poisson(lam))
    t0 = created[rows] + (active_span[rows] * rng.random(len(rows)) ** 1.6).astype(np.int64)
    browsing.sessions(rows, np.maximum(arrivals.hours.snap(rows, t0, weekend_kept=0.4), created[rows] + 60), None)
