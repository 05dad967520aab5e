"""The marketing calendar: weekly newsletters, product updates, monthly webinars, quarterly offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from leadscore.sample.arrays import DAY, HOUR, timestamps
from leadscore.sample.web import BLOG, Urls

WEBINAR_TOPICS = ("lead-scoring-101", "mql-to-sql-handoff", "email-nurturing", "predictive-scoring",
                  "account-based-marketing", "marketing-automation-latam")

Sending = tuple[int, str, int]  # unix seconds, name, url code (an e-mail's landing page, a webinar's page)


@dataclass(frozen=True)
class Campaigns:
    """The e-mails sent to every subscribed lead and the webinars, in the history's window.

    Campaign codes: the e-mails are ``0 .. len(emails) - 1`` in time order, webinar ``w`` is
    ``len(emails) + w``.
    """

    emails: list[Sending]
    webinars: list[Sending]

    @property
    def names(self) -> list[str]:
        return [c[1] for c in self.emails] + [w[1] for w in self.webinars]

    @property
    def send_ts(self) -> np.ndarray:
        return np.array([c[0] for c in self.emails], dtype=np.int64)

    @property
    def send_url(self) -> np.ndarray:
        return np.array([c[2] for c in self.emails], dtype=np.int64)

    def webinar_code(self, w: int | np.ndarray) -> int | np.ndarray:
        """The campaign code of webinar ``w`` (an index of ``webinars``)."""
        return len(self.emails) + w

    def table(self) -> pa.Table:
        """One row per campaign: its name, when it was sent (or held) and its kind."""
        return pa.table({
            "campaign": pa.array(self.names, pa.string()),
            "sent_at": timestamps(np.array([c[0] for c in self.emails] + [w[0] for w in self.webinars], dtype=np.int64)),
            "kind": pa.array(["email"] * len(self.emails) + ["webinar"] * len(self.webinars), pa.string()),
        })


def schedule(start: int, end: int, urls: Urls) -> Campaigns:
    """The campaigns between ``start`` and ``end`` (unix seconds); webinars from ``start`` on, even after ``end``."""
    emails: list[Sending] = []
    webinars: list[Sending] = []
    for i, day in enumerate(range(start // DAY - 30, end // DAY + 30)):
        date = datetime.fromtimestamp(day * DAY, UTC)
        weekday = date.weekday()
        if weekday == 1:  # weekly newsletter, Tuesdays 14:00 UTC
            emails.append((day * DAY + 14 * HOUR, f"newsletter-{date:%Y-%m-%d}", urls.code(BLOG[i % len(BLOG)])))
        if weekday == 3 and date.day <= 7:  # monthly product update, first Thursday
            emails.append((day * DAY + 15 * HOUR, f"product-update-{date:%Y-%m}", urls.code("/product")))
        if weekday == 2 and 15 <= date.day <= 21:  # monthly webinar, third Wednesday 16:00 UTC, invite and reminder
            topic = WEBINAR_TOPICS[len(webinars) % len(WEBINAR_TOPICS)]
            name = f"webinar-{topic}-{date:%Y-%m}"
            page = urls.code(f"/webinars/{topic}")
            webinars.append((day * DAY + 16 * HOUR, name, page))
            emails.append((day * DAY - 9 * DAY + 13 * HOUR, f"invite-{name}", page))
            emails.append((day * DAY - 2 * DAY + 13 * HOUR, f"reminder-{name}", page))
        if date.day == 10 and date.month % 3 == 0:  # quarterly offer
            quarter = f"{date:%Y}-q{(date.month - 1) // 3 + 1}"
            emails.append((day * DAY + 10 * HOUR, f"offer-annual-plan-{quarter}", urls.code("/pricing")))
    return Campaigns(
        emails=sorted(c for c in emails if start <= c[0] <= end),
        webinars=[w for w in webinars if w[0] >= start],
    )
