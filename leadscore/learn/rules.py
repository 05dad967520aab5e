"""Learned rules: scorecard rule mappings, their names, and an evaluator that mirrors the engine.

The fitter never scores a lead by its internal bins: it evaluates the very rules it writes
into the scorecard, with the semantics of docs/semantics.md, so ``ScorecardFitter.points``
and ``leadscore score`` on the written YAML agree lead by lead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from leadscore.learn.binning import numbers, text_form, text_forms

Section = Literal["fit", "engagement"]

COUNT_PREFIX = "event_count["
RECENCY_PREFIX = "event_days_since["


def count_column(event: str) -> str:
    """The feature column holding a lead's number of ``event`` events up to as_of."""
    return f"{COUNT_PREFIX}{event}]"


def recency_column(event: str) -> str:
    """The feature column holding the days from a lead's newest ``event`` event to as_of (NaN: none)."""
    return f"{RECENCY_PREFIX}{event}]"


def event_of(column: str) -> tuple[str, str] | None:
    """``("count" | "recency", event type)`` for an event feature column, else None."""
    for kind, prefix in (("count", COUNT_PREFIX), ("recency", RECENCY_PREFIX)):
        if column.startswith(prefix) and column.endswith("]"):
            return kind, column[len(prefix) : -1]
    return None


@dataclass(frozen=True)
class RuleDraft:
    """A rule before it is named: what it reads, when it fires, and its points."""

    section: Section
    column: str
    """The feature column the rule reads (a lead column, or an event feature column)."""
    slug: str
    """The start of its name, e.g. ``total-visits-3-to-5``."""
    body: dict[str, Any]
    """The rule mapping without name, points and description (``if:`` or ``event:`` ...)."""
    points: int
    description: str
    also_reads: tuple[str, ...] = ()
    """Further columns an interaction rule (``all:`` of conditions on several attributes) reads."""


@dataclass(frozen=True)
class LearnedRule:
    """One rule of a learned scorecard."""

    name: str
    section: Section
    column: str
    points: int
    description: str
    body: dict[str, Any] = field(repr=False)
    also_reads: tuple[str, ...] = ()
    """Further columns an interaction rule reads (``column`` is the first one)."""

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the rule reads."""
        return (self.column, *self.also_reads)

    def to_dict(self) -> dict[str, Any]:
        """The rule as a scorecard mapping, in a readable key order."""
        return {"name": self.name, **self.body, "points": self.points, "description": self.description}


def name_rules(drafts: Iterable[RuleDraft], taken: Iterable[str] = ()) -> list[LearnedRule]:
    """Give each draft a unique name from its slug (``-2``, ``-3``... on clashes)."""
    used = set(taken)
    rules = []
    for draft in drafts:
        name = draft.slug or "rule"
        suffix = 2
        while name in used:
            name = f"{draft.slug}-{suffix}"
            suffix += 1
        used.add(name)
        rules.append(LearnedRule(name, draft.section, draft.column, draft.points, draft.description, draft.body, draft.also_reads))
    return rules


def slug(text: object, limit: int = 40) -> str:
    """``Total Time Spent on Website`` → ``total-time-spent-on-website`` (ASCII letters and digits)."""
    words = re.sub(r"[^a-z0-9.]+", "-", str(text).lower()).strip("-.")
    words = re.sub(r"-?\.-?", ".", words)
    return words[:limit].rstrip("-.") or "value"


# -- evaluation, as the engine does it ---------------------------------------------


def rule_fires(rule: LearnedRule | RuleDraft, frame: pd.DataFrame) -> np.ndarray:
    """Where the rule gives its points, per row of ``frame`` (lead columns and event features)."""
    if rule.section == "fit":
        return condition_holds(rule.body["if"], frame)
    event = rule.body["event"]
    if "within" in rule.body:
        days = float(str(rule.body["within"]).rstrip("d"))
        since = _column_numbers(frame, f"{RECENCY_PREFIX}{event}]")
        return np.nan_to_num(since, nan=np.inf) < days
    at_least = int(rule.body.get("at_least", 1))
    return np.nan_to_num(_column_numbers(frame, f"{COUNT_PREFIX}{event}]"), nan=0.0) >= at_least


def condition_holds(cond: dict[str, Any], frame: pd.DataFrame) -> np.ndarray:
    """A condition of the forms the learner writes, evaluated with the contract's semantics."""
    if "all" in cond:
        return np.logical_and.reduce([condition_holds(c, frame) for c in cond["all"]])
    if "any" in cond:
        return np.logical_or.reduce([condition_holds(c, frame) for c in cond["any"]])
    if "not" in cond:
        return ~condition_holds(cond["not"], frame)
    column = cond["field"]
    (op, arg), = ((k, v) for k, v in cond.items() if k != "field")
    if op in _NUMBER_OPS:
        x = _column_numbers(frame, column)
        with np.errstate(invalid="ignore"):
            return np.asarray(_NUMBER_OPS[op](x, arg), dtype=bool) & ~np.isnan(x)
    texts = _column_texts(frame, column)
    present = texts.notna().to_numpy()
    if op == "exists":
        return present if arg else ~present
    wanted = {text_form(v) for v in arg} if op in ("in", "not_in") else {text_form(arg)}
    hit = texts.isin(wanted).to_numpy() & present
    if op in ("in", "equals"):
        return hit
    if op in ("not_in", "not_equals"):
        return present & ~hit
    raise ValueError(f"the learner does not write the operator {op!r}")


_NUMBER_OPS: dict[str, Any] = {
    "lt": lambda x, v: x < v,
    "lte": lambda x, v: x <= v,
    "gt": lambda x, v: x > v,
    "gte": lambda x, v: x >= v,
    "between": lambda x, v: (x >= v[0]) & (x <= v[1]),
}


def _column_numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return numbers(frame[column])


def _column_texts(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return text_forms(frame[column])
