"""The mess of real exports: stray spaces, lower or upper case, and events re-sent with the same id."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def messy(rng: np.random.Generator, values: pa.Array, *, whitespace: float = 0.02, lower: float = 0.03,
          upper: float = 0.01) -> pa.Array:
    """A little of the mess of real CRM data: stray spaces, lower or upper case."""
    n = len(values)
    u = rng.random(n)
    out = pc.if_else(pa.array(u < lower), pc.utf8_lower(values), values)
    out = pc.if_else(pa.array((u >= lower) & (u < lower + upper)), pc.utf8_upper(values), out)
    spaced = pc.binary_join_element_wise(" ", out, " ", "")
    return pc.if_else(pa.array(rng.random(n) < whitespace), spaced, out)


def resent(rng: np.random.Generator, m: int, rate: float) -> np.ndarray:
    """The rows of an ``m``-row table with about ``rate`` of them re-sent: each copy comes a little later."""
    dup = np.flatnonzero(rng.random(m) < rate)
    if not len(dup):
        return np.arange(m)
    position = np.concatenate([np.arange(m) * 2, np.minimum(dup + rng.integers(1, 2000, len(dup)), m - 1) * 2 + 1])
    return np.concatenate([np.arange(m), dup])[np.argsort(position, kind="stable")]
