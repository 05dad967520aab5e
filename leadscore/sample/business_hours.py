"""Local business hours: people act on weekdays, in office hours, in their own time zone."""

from __future__ import annotations

import numpy as np

from leadscore.sample.arrays import DAY, HOUR, draw

# share of a day's activity per local hour (business hours, a lunch dip, some evenings)
_HOURS = np.array([0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 3.5, 6.0, 7.0, 7.0, 6.0, 4.5, 5.5, 6.5, 6.5,
                   5.5, 4.0, 3.0, 2.5, 2.0, 1.2, 0.6])


class BusinessHours:
    """Turns instants into plausible local business-hour times (weekdays, office hours)."""

    def __init__(self, rng: np.random.Generator, tz_hours: np.ndarray) -> None:
        self.rng = rng
        self.tz = tz_hours.astype(np.int64) * HOUR  # per lead

    def snap(self, lead: np.ndarray, ts: np.ndarray, *, weekend_kept: float = 0.35) -> np.ndarray:
        """Move each instant to a business-like hour of its local day; most weekend ones to a weekday of the next week."""
        rng = self.rng
        tz = self.tz[lead]
        local = ts + tz
        day = local // DAY
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        move = (weekday >= 5) & (rng.random(len(ts)) > weekend_kept)
        day = day + np.where(move, 7 - weekday + rng.integers(0, 5, len(ts)), 0)  # to a day of the next week
        seconds = draw(rng, _HOURS, len(ts)) * HOUR + rng.integers(0, HOUR, len(ts))
        return day * DAY + seconds - tz
