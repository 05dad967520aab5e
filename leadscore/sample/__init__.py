"""Realistic sample data: leads, accounts and their events, for demos, tests and benchmarks.

The data behaves like a B2B marketing database rather than uniform noise:

- a funnel: most leads are cold (the visit that created them, a page view or two, a few
  e-mail opens), a minority is engaged, few ask for a free consultation or a demo;
- activity comes in bursts: web sessions of several page views within minutes, e-mail
  campaigns sent on a schedule and opened (and sometimes clicked, then browsed) within
  hours by some recipients, webinars with registrations and attendance;
- heavy-tailed activity per lead (the top 1% of leads hold a large share of the events);
- leads go quiet: most stop interacting after a few weeks, some unsubscribe;
- re-sent duplicates: about 0.5% of the events appear twice with the same ``event_id``;
- buying committees: some accounts have several leads, bigger companies more of them;
- realistic mixes of job titles (English, Spanish, Portuguese), countries (Spain and
  Spanish-speaking Latin America, the US, Brazil, Europe...), industries and company sizes,
  with a little of the mess of real data (case, stray spaces, missing values).

Everything is vectorized with numpy (no Python loop per lead or per event), so a million
leads with twenty million events take well under a minute, and deterministic: the same
``seed`` and ``as_of`` give the same tables. Nothing here reads the clock: the caller says
when the history ends.

    >>> data = generate_sample(1000, seed=1, as_of=datetime(2025, 6, 30, tzinfo=UTC))
    >>> paths = write_sample(data, "sample", fmt="parquet")

The modules follow the funnel, in the order ``generate_sample`` runs them:

- ``population``: accounts and leads, who they are (``countries``, ``names``), fit and propensity;
- ``arrival``: the source, the creation time in local ``business_hours``, the first touch;
- ``dormancy``: how long each lead stays interested, who unsubscribes;
- ``campaigns``: the calendar of e-mails and webinars;
- ``nurture``: e-mail opens, clicks, unsubscribes;
- ``web``: the site's pages and the sessions of page views;
- ``hand_raisers``: free-consultation and demo requests;
- ``content``: newsletter sign-ups, e-book downloads, webinars;
- ``mess``: the mess of real exports (case, spaces, re-sent events);
- ``events``, ``tables``: the event log and the Arrow tables; ``data``: ``SampleData``;
- ``write``: the files.
"""

from __future__ import annotations

from leadscore.sample.data import SampleData, timeline
from leadscore.sample.events import EVENT_TYPES, FORMS
from leadscore.sample.generator import generate_sample
from leadscore.sample.write import write_sample

__all__ = ["EVENT_TYPES", "FORMS", "SampleData", "generate_sample", "timeline", "write_sample"]
