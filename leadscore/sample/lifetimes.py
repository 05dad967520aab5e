"""Each lead's life as the sample knows it: its source, when it was created, and when it went quiet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadscore.sample.business_hours import BusinessHours


@dataclass(frozen=True)
class Arrivals:
    """Per lead: its source (an index of SOURCES), and in unix seconds when it was created and went quiet."""

    source: np.ndarray
    created: np.ndarray
    active_end: np.ndarray
    hours: BusinessHours  # the lead's local business hours

    @property
    def active_span(self) -> np.ndarray:
        """Seconds the lead stays interested (float)."""
        return (self.active_end - self.created).astype(np.float64)

    def moments(self, rng: np.random.Generator, rows: np.ndarray, shape: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
        """A business-hour moment of each lead's interested period (Beta-distributed along it).

        At least 20 minutes after the lead's creation, so the page views before it come after it too.
        """
        created = self.created[rows]
        t = self.hours.snap(rows, created + (self.active_span[rows] * rng.beta(*shape, len(rows))).astype(np.int64))
        return np.maximum(t, created + 20 * 60)
