"""Leads go quiet: most stop interacting after a few weeks, about a fifth stay interested, some unsubscribe."""

from __future__ import annotations

import numpy as np

from leadscore.sample.arrays import DAY


def interest_end(rng: np.random.Generator, created: np.ndarray, propensity: np.ndarray, end: int) -> np.ndarray:
    """When each lead stops being interested (unix seconds, at most ``end``); engaged leads stay longer."""
    lifetime = rng.exponential(35 * DAY * np.exp(0.3 * propensity))
    lifetime = np.where(rng.random(len(created)) < 0.2, np.inf, lifetime)
    return np.minimum(created + np.minimum(lifetime, 10 * 365 * DAY).astype(np.int64), end)


def unsubscribers(rng: np.random.Generator, first: np.ndarray, received: np.ndarray,
                  propensity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The leads that unsubscribe (fewer of the engaged) and the campaign of the e-mail they do it from.

    ``first`` and ``received``: the first campaign each lead receives and how many.
    """
    p_unsub = np.clip(0.06 * np.exp(-0.4 * propensity), 0, 0.3)
    rows = np.flatnonzero((received > 0) & (rng.random(len(first)) < p_unsub))
    campaign = first[rows] + (rng.random(len(rows)) * received[rows]).astype(np.int64)
    return rows, campaign
