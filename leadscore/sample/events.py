"""The event log: the vocabulary of event types and forms, and the events as they are simulated."""

from __future__ import annotations

import numpy as np

EVENT_TYPES = (
    "page_view", "email_open", "email_click", "form_submit", "download", "webinar", "demo_request",
    "unsubscribe", "email_send",
)
EVENT = {name: i for i, name in enumerate(EVENT_TYPES)}
FORMS = ("newsletter", "ebook", "webinar-registration", "contact", "free-consultation")
FORM = {name: i for i, name in enumerate(FORMS)}

# lead (row of the leads), unix seconds, then codes: event type, url, form, campaign, percent (-1: none)
_DTYPES = (np.int32, np.int64, np.int8, np.int16, np.int8, np.int16, np.int16)


class EventLog:
    """Accumulates event columns as compact numpy blocks; codes index EVENT_TYPES, FORMS, urls, campaigns."""

    def __init__(self) -> None:
        self.blocks: list[tuple[np.ndarray, ...]] = []

    def __len__(self) -> int:
        return sum(len(block[0]) for block in self.blocks)

    def add(self, lead, ts, event, *, url=-1, form=-1, campaign=-1, percent=-1) -> None:
        """Events of the leads ``lead`` at ``ts``; every other argument is one code or one per event."""
        lead = np.asarray(lead, dtype=np.int32)
        n = len(lead)
        if n == 0:
            return

        def col(value, dtype):
            arr = np.asarray(value, dtype=dtype)
            return np.full(n, arr, dtype=dtype) if arr.ndim == 0 else arr

        self.blocks.append((lead, col(ts, np.int64), col(event, np.int8), col(url, np.int16), col(form, np.int8),
                            col(campaign, np.int16), col(percent, np.int16)))

    def columns(self) -> tuple[np.ndarray, ...]:
        """(lead, ts, event, url, form, campaign, percent), in the order the events were added."""
        if not self.blocks:
            return tuple(np.zeros(0, dtype=t) for t in _DTYPES)
        return tuple(np.concatenate([b[i] for b in self.blocks]) for i in range(len(_DTYPES)))

    def in_time_order(self, end: int) -> tuple[np.ndarray, ...]:
        """The columns of the events up to ``end`` (unix seconds), sorted by time (stable)."""
        columns = self.columns()
        keep = columns[1] <= end
        columns = tuple(a[keep] for a in columns)
        order = np.argsort(columns[1], kind="stable")
        return tuple(a[order] for a in columns)
