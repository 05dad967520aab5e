"""Vectorized building blocks: weighted draws, ragged rows, Arrow string and id columns."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400
HOUR = 3_600
TIMESTAMP = pa.timestamp("us", tz="UTC")


def draw(rng: np.random.Generator, weights: np.ndarray | list[float] | tuple[float, ...], n: int) -> np.ndarray:
    """``n`` indices drawn with probabilities proportional to ``weights``."""
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    idx = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
    return np.minimum(idx, len(cdf) - 1)


def chosen(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """The rows (leads) that do something, each with its probability ``p``."""
    return np.flatnonzero(rng.random(len(p)) < np.clip(p, 0, 1))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows with ``counts[i]`` items each: (row of each item, starts[row] + position in row)."""
    counts = counts.astype(np.int64)
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    position = np.arange(total, dtype=np.int64) - np.repeat(first, counts)
    return rows, np.asarray(starts, dtype=np.int64)[rows] + position


def repeat_rows(counts: np.ndarray) -> np.ndarray:
    """Row ``i`` repeated ``counts[i]`` times."""
    rows, _ = expand(np.zeros(len(counts), dtype=np.int64), counts)
    return rows


def strings(values: tuple[str | None, ...] | list[str | None], idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as a pyarrow string array; a negative index gives null."""
    dictionary = pa.array(list(values), type=pa.string())
    idx = np.asarray(idx)
    mask = idx < 0
    indices = pa.array(np.where(mask, 0, idx).astype(np.int32), mask=mask if mask.any() else None)
    return dictionary.take(indices)


def ids(prefix: str, numbers: np.ndarray, width: int = 0) -> pa.Array:
    """``prefix`` followed by each number, left-padded with zeros to ``width`` digits."""
    text = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    if width:
        text = pc.utf8_lpad(text, width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Unix seconds as a UTC timestamp column."""
    return pa.array(np.asarray(seconds, dtype=np.int64) * 1_000_000, type=TIMESTAMP)
