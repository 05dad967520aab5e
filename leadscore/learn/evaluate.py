"""Cross-validated and time-ordered ROC AUC of the learned scorecard and the reference models.

The scorecard is scored the way it will be used: fit in each training fold, then the
held-out leads get the scorecard's integer points (``ScorecardFitter.points``), and the
AUC is computed on those points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from leadscore.learn.baselines import BASELINES
from leadscore.learn.fitter import ScorecardFitter

SCORECARD = "scorecard"
MODELS = (SCORECARD, "logistic", "gradient_boosting", "naive_bayes")
TITLES = {
    SCORECARD: "learned scorecard",
    "logistic": "logistic regression",
    "gradient_boosting": "gradient boosting",
    "additive_boosting": "gradient boosting, no interactions",
    "naive_bayes": "naive Bayes",
}


@dataclass(frozen=True)
class ModelResult:
    """One model's ROC AUC over the splits (and, for the scorecard, its number of rules)."""

    model: str
    aucs: tuple[float, ...]
    rules: tuple[int, ...] = ()

    @property
    def auc(self) -> float:
        return float(np.mean(self.aucs))

    @property
    def auc_std(self) -> float:
        return float(np.std(self.aucs))

    @property
    def title(self) -> str:
        return TITLES.get(self.model, self.model)


@dataclass
class Comparison:
    """The models' results on one way of splitting the data."""

    split: str
    results: dict[str, ModelResult] = field(default_factory=dict)

    def auc(self, model: str) -> float:
        return self.results[model].auc

    def table(self) -> list[dict[str, Any]]:
        """Rows ``{model, auc, auc_std, rules}`` for printing."""
        return [
            {"model": r.title, "auc": r.auc, "auc_std": r.auc_std, "rules": (float(np.mean(r.rules)) if r.rules else None)}
            for r in self.results.values()
        ]


def cross_validate(
    X: pd.DataFrame,
    y: Any,
    *,
    folds: int = 5,
    random_state: int = 0,
    fitter: ScorecardFitter | None = None,
    models: Sequence[str] = MODELS,
) -> Comparison:
    """Stratified k-fold ROC AUC (shuffled with ``random_state``) of each model.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"visits": rng.integers(0, 20, 400)})
    >>> y = (rng.random(400) < X["visits"] / 25).astype(int)
    >>> round(cross_validate(X, y, folds=3, models=["scorecard"]).auc("scorecard"), 1)
    0.8
    """
    target = _binary(y)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    splits = list(splitter.split(np.zeros(len(target)), target))
    comparison = Comparison(f"{folds}-fold stratified cross-validation (seed {random_state})")
    for model in models:
        comparison.results[model] = _evaluate(model, X, target, splits, fitter, random_state)
    return comparison


def time_split(
    X: pd.DataFrame,
    y: Any,
    order: Any,
    *,
    test_share: float = 0.2,
    random_state: int = 0,
    fitter: ScorecardFitter | None = None,
    models: Sequence[str] = MODELS,
    order_name: str = "time",
) -> Comparison:
    """Train on the earliest leads by ``order``, test on the latest ``test_share`` of them."""
    target = _binary(y)
    ranks = np.argsort(np.asarray(order), kind="stable")
    cut = round(len(target) * (1 - test_share))
    splits = [(ranks[:cut], ranks[cut:])]
    comparison = Comparison(f"time-ordered split by {order_name}: first {1 - test_share:.0%} → last {test_share:.0%}")
    for model in models:
        comparison.results[model] = _evaluate(model, X, target, splits, fitter, random_state)
    return comparison


def reference_auc(X: pd.DataFrame, y: Any, *, folds: int = 5, random_state: int = 0, fitter: ScorecardFitter | None = None) -> dict[str, float]:
    """Mean cross-validated ROC AUC per model: scorecard, logistic, gradient_boosting, naive_bayes."""
    comparison = cross_validate(X, y, folds=folds, random_state=random_state, fitter=fitter)
    return {name: result.auc for name, result in comparison.results.items()}


def _evaluate(
    model: str,
    X: pd.DataFrame,
    target: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    fitter: ScorecardFitter | None,
    random_state: int,
) -> ModelResult:
    if model != SCORECARD and model not in BASELINES:
        raise ValueError(f"unknown model {model!r}: choose from {', '.join([SCORECARD, *BASELINES])}")
    aucs, rules = [], []
    for train, test in splits:
        X_train, X_test = X.iloc[train], X.iloc[test]
        if model == SCORECARD:
            estimator = clone(fitter) if fitter is not None else ScorecardFitter(random_state=random_state)
            estimator.fit(X_train, target[train])
            scores = estimator.points(X_test).astype(float)
            rules.append(len(estimator.rules_))
        else:
            estimator = BASELINES[model](X_train, random_state)
            estimator.fit(X_train, target[train])
            scores = estimator.predict_proba(X_test)[:, 1]
        aucs.append(float(roc_auc_score(target[test], scores)))
    return ModelResult(model, tuple(aucs), tuple(rules))


def _binary(y: Any) -> np.ndarray:
    values = np.asarray(y)
    classes = np.unique(values)
    if len(classes) != 2:
        raise ValueError(f"y has {len(classes)} classes: ROC AUC needs converted and not converted")
    return (values == classes[1]).astype(int)
