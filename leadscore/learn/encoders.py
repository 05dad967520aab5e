"""Turn one feature column into 0/1 indicator columns, and fitted weights back into rules.

Every encoder uses a *thermometer* coding: an indicator says "at least this far along the
feature's order" (``x >= cut``, ``count >= N``, ``newest event within D days``, or "this
category or a better-converting one"). With an L1 penalty, a zero weight means "no step
here", so neighbouring bins fuse into one and the scorecard stays short.

- numeric attributes: quantile bins with nice edges, plus a missing indicator;
- categorical attributes: values (frequent ones, "other", missing) ordered by their
  conversion rate in the training data;
- event counts: ``at_least: N`` rules; event recency: ``within: Dd`` rules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from leadscore.learn.binning import (
    CategoryLevels,
    category_levels,
    format_number,
    is_integer_valued,
    numbers,
    numeric_cuts,
    text_forms,
)
from leadscore.learn.rules import RuleDraft, count_column, recency_column, slug

RECENCY_WINDOWS = (7, 30, 90, 180, 365)
"""Candidate ``within`` windows, in days, for the newest event of a type."""
OTHER = "\x00other"
MISSING = "\x00missing"


class Encoder(Protocol):
    column: str

    @property
    def size(self) -> int: ...

    def indicators(self, frame: pd.DataFrame) -> np.ndarray: ...

    def drafts(self, weights: np.ndarray, factor: float) -> tuple[int, list[RuleDraft]]:
        """Rules for these weights (logit units) at ``factor`` points per logit; and the points moved to the base."""
        ...


# -- fit attributes: levels with points -------------------------------------------------


def _reference(points: list[int], groups: list[list[int]], counts: np.ndarray) -> int:
    """The points value that becomes 0: the one of the most rules-to-be, then of the most leads."""
    tally: Counter[int] = Counter()
    weight: Counter[int] = Counter()
    for group in groups:
        value = points[group[0]]
        tally[value] += 1
        weight[value] += int(sum(counts[i] for i in group))
    return max(tally, key=lambda v: (tally[v], weight[v], -abs(v)))


@dataclass
class NumericEncoder:
    """Bins ``x < c1``, ``c1 <= x < c2``, ... ``x >= ck`` (thermometer) and a missing indicator."""

    column: str
    cuts: list[float]
    integer: bool
    has_missing: bool
    counts: np.ndarray
    """Training leads per level (bins, then missing)."""

    @classmethod
    def learn(cls, column: str, values: pd.Series, max_bins: int, min_count: int) -> NumericEncoder:
        x = numbers(values)
        cuts = numeric_cuts(x, max_bins, min_count)
        has_missing = int(np.isnan(x).sum()) >= min_count
        encoder = cls(column, cuts, is_integer_valued(x), has_missing, np.zeros(0))
        encoder.counts = np.bincount(encoder.levels(x), minlength=encoder.n_levels)[: encoder.n_levels]
        return encoder

    @property
    def n_levels(self) -> int:
        return len(self.cuts) + 1 + int(self.has_missing)

    @property
    def size(self) -> int:
        return len(self.cuts) + int(self.has_missing)

    def levels(self, x: np.ndarray) -> np.ndarray:
        """Level per value: bin index, the missing level, or the first bin when missing has no level."""
        level = np.searchsorted(np.asarray(self.cuts, dtype=float), np.nan_to_num(x, nan=-np.inf), side="right")
        if self.has_missing:
            level = np.where(np.isnan(x), len(self.cuts) + 1, level)
        return level

    def indicators(self, frame: pd.DataFrame) -> np.ndarray:
        x = numbers(frame[self.column])
        present = ~np.isnan(x)
        columns = [(x >= cut) & present for cut in self.cuts]
        if self.has_missing:
            columns.append(~present)
        return np.column_stack(columns).astype(float) if columns else np.zeros((len(x), 0))

    def drafts(self, weights: np.ndarray, factor: float) -> tuple[int, list[RuleDraft]]:
        steps = weights[: len(self.cuts)]
        logits = np.concatenate([[0.0], np.cumsum(steps)])
        points = [round(factor * v) for v in logits]
        runs = _runs(points)
        groups = [list(range(a, b + 1)) for a, b in runs]
        if self.has_missing:
            points.append(round(factor * weights[-1]))
            groups.append([len(self.cuts) + 1])
        shift = _reference(points, groups, self.counts)
        drafts = []
        for group in groups:
            value = points[group[0]] - shift
            if value == 0:
                continue
            missing = self.has_missing and group[0] == len(self.cuts) + 1
            drafts.append(self._draft(group[0], group[-1], value, missing))
        return shift, drafts

    def splits(self, weights: np.ndarray, factor: float) -> list[RuleDraft]:
        """Conditions for interaction rules: both sides of each step of the fused points, middle bins, missing."""
        steps = weights[: len(self.cuts)]
        runs = _runs([round(factor * v) for v in np.concatenate([[0.0], np.cumsum(steps)])])
        last = len(self.cuts)
        found = [self._draft(0, a - 1, 0, False) for a, _ in runs[1:]]
        found += [self._draft(a, last, 0, False) for a, _ in runs[1:]]
        found += [self._draft(a, b, 0, False) for a, b in runs[1:-1]]
        if self.has_missing and round(factor * weights[-1]) != 0:
            found.append(self._draft(last + 1, last + 1, 0, True))
        return found

    def _draft(self, first: int, last: int, points: int, missing: bool) -> RuleDraft:
        name = slug(self.column)
        if missing:
            cond, label, text = {"field": self.column, "exists": False}, "missing", "is missing"
        else:
            low = format_number(self.cuts[first - 1]) if first > 0 else None
            high = format_number(self.cuts[last]) if last < len(self.cuts) else None
            cond, label, text = self._interval(low, high)
        return RuleDraft("fit", self.column, f"{name}-{label}", {"if": cond}, points, f"{self.column} {text}")

    def _interval(self, low: float | None, high: float | None) -> tuple[dict[str, object], str, str]:
        field = {"field": self.column}
        if low is None and high is None:
            return {**field, "exists": True}, "any", "is present"
        if low is None:
            return {**field, "lt": high}, f"under-{_label(high)}", f"under {high}"
        if high is None:
            return {**field, "gte": low}, f"{_label(low)}-plus", f"{low} or more"
        if self.integer and float(high).is_integer() and float(low).is_integer():
            top = format_number(float(high) - 1)
            return {**field, "between": [low, top]}, f"{_label(low)}-to-{_label(top)}", f"from {low} to {top}"
        cond = {"all": [{**field, "gte": low}, {**field, "lt": high}]}
        return cond, f"{_label(low)}-to-under-{_label(high)}", f"from {low} to under {high}"


def _label(value: float) -> str:
    """A number in a rule name: ``-1.5`` → ``minus-1.5``."""
    return f"minus-{-value}" if value < 0 else str(value)


def _runs(points: list[int]) -> list[tuple[int, int]]:
    """Maximal runs of equal neighbouring values: [(first, last), ...]."""
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(points) + 1):
        if i == len(points) or points[i] != points[start]:
            runs.append((start, i - 1))
            start = i
    return runs


@dataclass
class CategoricalEncoder:
    """Values ordered by training conversion (thermometer); rules are groups of equal points."""

    column: str
    levels: CategoryLevels
    order: list[str]
    """Level keys (text forms, OTHER, MISSING) from the lowest conversion rate to the highest."""
    counts: np.ndarray

    @classmethod
    def learn(cls, column: str, values: pd.Series, y: np.ndarray, min_count: int, max_levels: int) -> CategoricalEncoder:
        levels = category_levels(values, min_count, max_levels)
        keys = _keys(text_forms(values), levels)
        table = pd.DataFrame({"key": keys, "y": y}).groupby("key")["y"].agg(["sum", "count"])
        prior = float(np.mean(y)) if len(y) else 0.5
        rate = (table["sum"] + prior) / (table["count"] + 1.0)  # smoothed: a rare value does not sort to an end
        order = [str(k) for k in rate.sort_values(kind="stable").index]
        counts = table["count"].reindex(order).to_numpy()
        return cls(column, levels, order, counts)

    @property
    def size(self) -> int:
        return max(len(self.order) - 1, 0)

    def positions(self, frame: pd.DataFrame) -> np.ndarray:
        """Position of each row's level in ``order`` (-1: a level the training data did not have)."""
        keys = _keys(text_forms(frame[self.column]), self.levels)
        index = {k: i for i, k in enumerate(self.order)}
        return np.array([index.get(k, -1) for k in keys], dtype=int)

    def indicators(self, frame: pd.DataFrame) -> np.ndarray:
        position = self.positions(frame)
        columns = [position >= k for k in range(1, len(self.order))]
        return np.column_stack(columns).astype(float) if columns else np.zeros((len(frame), 0))

    def drafts(self, weights: np.ndarray, factor: float) -> tuple[int, list[RuleDraft]]:
        logits = np.concatenate([[0.0], np.cumsum(weights)])
        points = [round(factor * v) for v in logits]
        by_points: dict[int, list[int]] = {}
        for i, p in enumerate(points):
            by_points.setdefault(p, []).append(i)
        groups = list(by_points.values())
        shift = _reference(points, groups, self.counts)
        drafts = [self._draft(g, points[g[0]] - shift) for g in groups if points[g[0]] != shift]
        return shift, drafts

    def splits(self, weights: np.ndarray, factor: float) -> list[RuleDraft]:
        """Conditions for interaction rules: each group of values with equal points (when there are two or more)."""
        logits = np.concatenate([[0.0], np.cumsum(weights)])
        by_points: dict[int, list[int]] = {}
        for i, v in enumerate(logits):
            by_points.setdefault(round(factor * v), []).append(i)
        groups = list(by_points.values())
        return [self._draft(g, 0) for g in groups] if len(groups) > 1 else []

    def _draft(self, group: list[int], points: int) -> RuleDraft:
        keys = [self.order[i] for i in group]
        values = [k for k in self.order if k in keys and k not in (OTHER, MISSING)]  # keep a stable order
        values.sort(key=self.levels.frequent.index)
        shown = [self.levels.shown[v] for v in values]
        parts: list[dict[str, object]] = []
        words: list[str] = []
        if shown:
            parts.append({"field": self.column, "in": shown})
            words.append(" or ".join(shown) if len(shown) <= 3 else f"one of {', '.join(shown)}")
        if OTHER in keys:
            known = [self.levels.shown[v] for v in self.levels.frequent]
            parts.append({"field": self.column, "not_in": known} if known else {"field": self.column, "exists": True})
            words.append("another value")
        if MISSING in keys:
            parts.append({"field": self.column, "exists": False})
            words.append("missing")
        cond = parts[0] if len(parts) == 1 else {"any": parts}
        label = _group_label(shown, OTHER in keys, MISSING in keys)
        return RuleDraft("fit", self.column, f"{slug(self.column)}-{label}", {"if": cond}, points, f"{self.column} is {' or '.join(words)}")


def _keys(forms: pd.Series, levels: CategoryLevels) -> list[str]:
    frequent = set(levels.frequent)
    return [MISSING if f is None else (f if f in frequent else OTHER) for f in forms]


def _group_label(shown: list[str], other: bool, missing: bool) -> str:
    parts = []
    if shown:
        parts.append(slug(shown[0], 30) + (f"-and-{len(shown) - 1}-more" if len(shown) > 1 else ""))
    if other:
        parts.append("other")
    if missing:
        parts.append("missing")
    return "-or-".join(parts)


# -- events: engagement rules, one per indicator -------------------------------------------


@dataclass
class EventCountEncoder:
    """``count >= N`` for a few thresholds N: ``at_least: N`` rules (N = 1: a once rule)."""

    event: str
    thresholds: list[int]

    @property
    def column(self) -> str:
        return count_column(self.event)

    @classmethod
    def learn(cls, event: str, values: pd.Series, max_bins: int, min_count: int) -> EventCountEncoder:
        counts = np.nan_to_num(numbers(values), nan=0.0)
        cuts = [int(np.ceil(c)) for c in numeric_cuts(counts, max_bins, min_count)]
        thresholds = sorted({c for c in cuts if c >= 1})
        return cls(event, thresholds)

    @property
    def size(self) -> int:
        return len(self.thresholds)

    def indicators(self, frame: pd.DataFrame) -> np.ndarray:
        counts = np.nan_to_num(numbers(frame[self.column]), nan=0.0)
        columns = [counts >= n for n in self.thresholds]
        return np.column_stack(columns).astype(float) if columns else np.zeros((len(frame), 0))

    def drafts(self, weights: np.ndarray, factor: float) -> tuple[int, list[RuleDraft]]:
        drafts = []
        for n, w in zip(self.thresholds, weights, strict=True):
            points = round(factor * w)
            if points == 0:
                continue
            body: dict[str, object] = {"event": self.event} if n == 1 else {"event": self.event, "at_least": n}
            text = f"at least one {self.event} event" if n == 1 else f"{n} or more {self.event} events"
            label = "any" if n == 1 else f"{n}-plus"
            drafts.append(RuleDraft("engagement", self.column, f"{slug(self.event)}-{label}", body, points, text))
        return 0, drafts


@dataclass
class EventRecencyEncoder:
    """``newest event within D days``: once rules with ``within: Dd``."""

    event: str
    days: list[int]

    @property
    def column(self) -> str:
        return recency_column(self.event)

    @classmethod
    def learn(cls, event: str, values: pd.Series, max_bins: int, min_count: int) -> EventRecencyEncoder:
        """Windows from a ladder people use (7, 30, 90, 180, 365 days) that split the leads with the event."""
        since = numbers(values)
        present = since[~np.isnan(since)]
        days = [d for d in RECENCY_WINDOWS if min((present < d).sum(), (present >= d).sum()) >= min_count]
        return cls(event, days[: max(max_bins - 1, 1)])

    @property
    def size(self) -> int:
        return len(self.days)

    def indicators(self, frame: pd.DataFrame) -> np.ndarray:
        since = np.nan_to_num(numbers(frame[self.column]), nan=np.inf)
        columns = [since < d for d in self.days]
        return np.column_stack(columns).astype(float) if columns else np.zeros((len(frame), 0))

    def drafts(self, weights: np.ndarray, factor: float) -> tuple[int, list[RuleDraft]]:
        drafts = []
        for d, w in zip(self.days, weights, strict=True):
            points = round(factor * w)
            if points == 0:
                continue
            body = {"event": self.event, "within": f"{d}d"}
            text = f"a {self.event} event in the last {d} days"
            drafts.append(RuleDraft("engagement", self.column, f"{slug(self.event)}-within-{d}d", body, points, text))
        return 0, drafts
