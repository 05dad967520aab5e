"""Score at cut-offs and label: the rows every metric of a back-test is computed on.

One row per (cut-off, lead) for every lead that existed at the cut-off (``created_at`` <= cut-off,
or no ``created_at``) and had not converted yet (no counted outcome at or before it). The lead is
scored with ``as_of`` = the cut-off, so only its events up to then count, and labelled positive
when its first outcome falls in (cut-off, cut-off + horizon]. Outcomes are never an input of the
score: they only make the label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from leadscore.scoring import Scorer

if TYPE_CHECKING:
    from leadscore.report.history import History
    from leadscore.spec import Scorecard

SCORE_COLUMNS = ("fit", "engagement", "score", "grade", "level", "priority", "stage", "label")


class CardScores:
    """One scorecard bound to the history; scores are cached per ``as_of``."""

    def __init__(self, card: Scorecard, history: History, title: str) -> None:
        self.card = card
        self.title = title
        self.scorer = Scorer(card, history.engine, history.sources_of_scoring)
        self._cache: dict[datetime, pd.DataFrame] = {}
        self.columns = [*SCORE_COLUMNS, *card.rule_columns()]

    def at(self, as_of: datetime, *, keep: bool = True) -> pd.DataFrame:
        """Every lead's score as of ``as_of``, indexed by lead_id; ``keep`` caches it for later calls."""
        if as_of in self._cache:
            return self._cache[as_of]
        frame = self.scorer.score(as_of).select(["lead_id", *self.columns]).to_pandas().set_index("lead_id")
        if keep:
            self._cache[as_of] = frame
        return frame


@dataclass(frozen=True)
class StageOrder:
    """A scorecard's stage names from the top; ``qualified`` are those above the catch-all."""

    names: list[str]
    qualified: list[str]

    @classmethod
    def of(cls, card: Scorecard) -> StageOrder:
        names = list(dict.fromkeys(s.name for s in card.stages))
        last = card.stages[-1]
        catch_all = not any(v is not None for k, v in last.model_dump().items() if k != "name")
        qualified = [n for n in names if not (catch_all and n == last.name)]
        return cls(names, qualified)

    def rank(self, stages: pd.Series) -> np.ndarray:
        """0 for the top stage, 1 for the next...; len(names) for no stage."""
        lookup = {n: i for i, n in enumerate(self.names)}
        return stages.map(lookup).fillna(len(self.names)).to_numpy(dtype=np.int64)


def eligible(history: History, cutoff: datetime) -> pd.Index:
    """The leads that existed at ``cutoff`` and had not converted by then."""
    leads = history.lead_frame
    ok = np.ones(len(leads), dtype=bool)
    if "created_at" in leads:
        created = leads["created_at"]
        ok &= (created.isna() | (created <= cutoff)).to_numpy()
    ids = pd.Index(leads["lead_id"].to_numpy()[ok])
    if history.outcomes is not None:
        first = history.outcomes.first
        converted = first.index[first <= cutoff]
        ids = ids.difference(converted, sort=False)
    return ids


def label_rows(history: History, cutoff: datetime, horizon: timedelta, ids: pd.Index) -> pd.DataFrame:
    """y (converted within the horizon), the outcome time and the amount, for ``ids`` at ``cutoff``."""
    assert history.outcomes is not None
    first = history.outcomes.first.reindex(ids)
    end = cutoff + horizon
    y = ((first > cutoff) & (first <= end)).fillna(False).to_numpy(dtype=bool)
    rows = history.outcomes.rows
    window = rows[(rows["timestamp"] > cutoff) & (rows["timestamp"] <= end)]
    amount = window.groupby("lead_id")["amount"].sum(min_count=1).reindex(ids).to_numpy(dtype=float)
    return pd.DataFrame({"y": y, "outcome_at": first.where(pd.Series(y, index=ids)).to_numpy(), "amount": amount}, index=ids)


@dataclass
class Panel:
    """The evaluation rows: ``base`` (cutoff, lead_id, y, outcome_at, amount) and, row-aligned, each card's scores."""

    base: pd.DataFrame
    scores: list[pd.DataFrame]

    @property
    def y(self) -> np.ndarray:
        return self.base["y"].to_numpy(dtype=bool)


def build_panel(history: History, cards: list[CardScores], cutoffs: list[datetime], horizon: timedelta) -> Panel:
    """Score every card at every cut-off, keep the eligible leads, label them."""
    bases, per_card = [], [[] for _ in cards]
    for cutoff in cutoffs:
        ids = eligible(history, cutoff)
        labels = label_rows(history, cutoff, horizon, ids)
        bases.append(labels.reset_index(names="lead_id").assign(cutoff=pd.Timestamp(cutoff)))
        for i, card in enumerate(cards):
            per_card[i].append(card.at(cutoff).reindex(ids).reset_index(drop=True))
    return _assemble(bases, per_card)


def static_panel(history: History, cards: list[CardScores], as_of: datetime) -> Panel:
    """One evaluation at ``as_of`` for a leads table with an outcome column."""
    assert history.static_labels is not None
    labels = history.static_labels
    ids = pd.Index(labels.index)
    base = pd.DataFrame({"lead_id": ids, "y": labels.to_numpy(dtype=bool), "outcome_at": pd.NaT, "amount": np.nan})
    base["cutoff"] = pd.Timestamp(as_of)
    per_card = [[card.at(as_of).reindex(ids).reset_index(drop=True)] for card in cards]
    return _assemble([base], per_card)


def _assemble(bases: list[pd.DataFrame], per_card: list[list[pd.DataFrame]]) -> Panel:
    base = pd.concat(bases, ignore_index=True)[["cutoff", "lead_id", "y", "outcome_at", "amount"]]
    scores = [pd.concat(frames, ignore_index=True) for frames in per_card]
    return Panel(base, scores)


__all__ = ["CardScores", "Panel", "StageOrder", "build_panel", "eligible", "label_rows", "static_panel"]
