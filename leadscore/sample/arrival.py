"""Arrival: where each lead came from, when it was created, how long it stays interested, and its first touch.

Most leads sign up through a form on a landing page (a newsletter, an e-book, a webinar
registration, a contact form); trade-show contacts and list imports arrive in batches, without a form.
"""

from __future__ import annotations

import numpy as np

from leadscore.sample.arrays import DAY, HOUR, draw
from leadscore.sample.business_hours import BusinessHours
from leadscore.sample.campaigns import Campaigns
from leadscore.sample.countries import UTC_OFFSETS
from leadscore.sample.dormancy import interest_end
from leadscore.sample.events import EVENT, FORM, EventLog
from leadscore.sample.lifetimes import Arrivals
from leadscore.sample.web import EBOOKS, Urls

# lead source: share, creation form shares (None: no form, e.g. a list import), landing pages
SOURCES = (
    ("organic_search", 0.26, {"newsletter": 0.50, "ebook": 0.36, "contact": 0.10, "free-consultation": 0.01,
                              "webinar-registration": 0.03}, ("/blog/what-is-lead-scoring", "/blog/mql-vs-sql",
                              "/es/blog/que-es-lead-scoring", "/es/blog/embudo-de-ventas", "/blog/email-benchmarks")),
    ("paid_search", 0.14, {"ebook": 0.55, "contact": 0.25, "free-consultation": 0.04, "newsletter": 0.16},
     ("/product", "/pricing", "/es/precios", "/ebooks/lead-scoring-guide")),
    ("linkedin_ads", 0.12, {"ebook": 0.8, "webinar-registration": 0.2}, ()),
    ("referral", 0.07, {"contact": 0.6, "newsletter": 0.4}, ("/customers", "/")),
    ("direct", 0.08, {"newsletter": 0.62, "contact": 0.35, "free-consultation": 0.03}, ("/",)),
    ("webinar", 0.08, {"webinar-registration": 1.0}, ("/webinars",)),
    ("trade_show", 0.10, {}, ()),
    ("list_import", 0.08, {}, ()),
    ("partner", 0.07, {"contact": 0.5}, ("/partners",)),
)
SOURCE_NAMES = [s[0] for s in SOURCES]
# sources whose leads arrive in batches: the days (as fractions of the history) they are loaded on
_BATCHES = (("trade_show", (0.15, 0.5, 0.82)), ("list_import", (0.3, 0.7)))


def arrive(rng: np.random.Generator, country: np.ndarray, propensity: np.ndarray, *, start: int, end: int) -> Arrivals:
    """Sources and creation times between ``start`` and ``end`` (unix seconds), more lately, in business hours."""
    n = len(country)
    source = draw(rng, [s[1] for s in SOURCES], n)
    created = start + ((end - start) * rng.random(n) ** (1 / 1.25)).astype(np.int64)  # more leads lately
    hours = BusinessHours(rng, UTC_OFFSETS[country])
    created = hours.snap(np.arange(n), created, weekend_kept=0.2)
    for name, day_fractions in _BATCHES:
        rows = np.flatnonzero(source == SOURCE_NAMES.index(name))
        batch = np.array([start + int((end - start) * f) + 9 * HOUR for f in day_fractions])
        created[rows] = batch[rng.integers(0, len(batch), len(rows))] + rng.integers(0, 2 * HOUR, len(rows))
    created = np.where(created > end, created - 7 * DAY, created)  # moved past the end: the week before
    created = np.clip(created, start, end)
    return Arrivals(source, created, interest_end(rng, created, propensity, end), hours)


def first_touch(rng: np.random.Generator, log: EventLog, arrivals: Arrivals, campaigns: Campaigns, urls: Urls) -> None:
    """The form (if any) that made each lead, the landing page just before it, the e-book it got."""
    for s, (_name, _share, forms, landings) in enumerate(SOURCES):
        rows = np.flatnonzero(arrivals.source == s)
        if not len(rows) or not forms:
            continue
        rows, form = _creation_forms(rng, rows, forms)
        t = arrivals.created[rows]
        if landings:
            landing = urls.codes(landings)[rng.integers(0, len(landings), len(rows))]
            landing = np.where(form == FORM["free-consultation"], urls.code("/free-consultation"), landing)
            log.add(rows, t - rng.integers(40, 600, len(rows)), EVENT["page_view"], url=landing)
        log.add(rows, t, EVENT["form_submit"], form=form, campaign=_next_webinar(t, form, campaigns))
        ebook = form == FORM["ebook"]
        k = int(ebook.sum())
        offset = rng.integers(2, 30, k)
        pdfs = urls.codes(u + ".pdf" for u in EBOOKS)
        log.add(rows[ebook], t[ebook] + offset, EVENT["download"], url=pdfs[rng.integers(0, len(EBOOKS), k)])


def _creation_forms(rng: np.random.Generator, rows: np.ndarray, forms: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Of the leads ``rows`` of one source, those created by a form, and the form (an index of FORMS)."""
    form_names = list(forms)
    shares = np.array([forms[f] for f in form_names])
    pick = draw(rng, [*shares, max(0.0, 1 - shares.sum())], len(rows))  # the last: no form
    has_form = pick < len(form_names)
    return rows[has_form], np.array([FORM[f] for f in form_names])[pick[has_form]]


def _next_webinar(t: np.ndarray, form: np.ndarray, campaigns: Campaigns) -> np.ndarray:
    """The campaign code of the webinar a registration at ``t`` is for (the next one), else -1."""
    campaign = np.full(len(t), -1)
    registering = form == FORM["webinar-registration"]
    webinars = campaigns.webinars
    if webinars and registering.any():
        nxt = np.searchsorted(np.array([w[0] for w in webinars]), t[registering])
        campaign[registering] = np.where(nxt < len(webinars), campaigns.webinar_code(np.minimum(nxt, len(webinars) - 1)), -1)
    return campaign
