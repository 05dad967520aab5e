"""The generated data: leads, accounts, events and campaigns, with a few figures that describe them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class SampleData:
    """Generated leads, accounts and events (pyarrow Tables) and the time they were generated at."""

    leads: pa.Table
    accounts: pa.Table
    events: pa.Table
    as_of: datetime
    seed: int = 7
    campaigns: pa.Table = field(default_factory=lambda: pa.table({}))

    def summary(self) -> dict[str, float]:
        """A few figures that describe the data (counts, events per lead, funnel shares)."""
        n = self.leads.num_rows
        events = self.events
        lead = pc.index_in(events["lead_id"], self.leads["lead_id"]).to_numpy(zero_copy_only=False)
        per_lead = np.bincount(lead, minlength=n) if n else np.zeros(0, dtype=np.int64)
        kind = events["event"]

        def share(mask: pa.ChunkedArray) -> float:
            hit = np.zeros(n, dtype=bool)
            hit[lead[pc.fill_null(mask, False).to_numpy(zero_copy_only=False)]] = True
            return float(hit.mean()) if n else 0.0

        top = np.sort(per_lead)[::-1][: max(1, n // 100)].sum() if n else 0
        return {
            "leads": n,
            "accounts": self.accounts.num_rows,
            "events": events.num_rows,
            "duplicate_events": events.num_rows - _distinct_ids(events["event_id"]),
            "events_per_lead_mean": float(per_lead.mean()) if n else 0.0,
            "events_per_lead_median": float(np.median(per_lead)) if n else 0.0,
            "events_per_lead_p99": float(np.percentile(per_lead, 99)) if n else 0.0,
            "top_1pct_event_share": float(top / max(1, per_lead.sum())),
            "consultation_share": share(pc.and_(pc.equal(kind, "form_submit"), pc.equal(events["form"], "free-consultation"))),
            "demo_share": share(pc.equal(kind, "demo_request")),
            "unsubscribe_share": share(pc.equal(kind, "unsubscribe")),
        }


def timeline(data: SampleData, lead_id: str) -> pa.Table:
    """The events of one lead, in time order (handy to show what a lead did)."""
    rows = data.events.filter(pc.equal(data.events["lead_id"], lead_id))
    return rows.sort_by([("timestamp", "ascending")])


def _distinct_ids(ids: pa.ChunkedArray) -> int:
    """Distinct ids; fast for the generated ``E000000123`` form (hashing 20M strings is slow)."""
    try:
        numbers = pc.cast(pc.utf8_slice_codeunits(ids, 1), pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pc.count_distinct(ids).as_py()
    numbers = np.sort(numbers)
    return int(len(numbers) > 0) + int(np.count_nonzero(numbers[1:] != numbers[:-1]))
