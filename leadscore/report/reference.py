"""Reference models: what a black box would make of the same data, to see what transparency costs.

Two models are cross-validated on the back-test's own rows and features (lead and account
attributes, event counts up to each cut-off; see ``features``):

- gradient boosting (scikit-learn's ``HistGradientBoostingClassifier``): a strong black box;
- naive Bayes over attribute values (numbers binned into quantiles), the way Odoo's
  predictive lead scoring weighs each field's values by how often they were won.

Folds are stratified and grouped by lead, so one lead's rows at several cut-offs never sit on
both sides of a split. When the cut-offs are far enough apart, a time-ordered check is added:
train on cut-offs whose horizon ended before the last cut-off, test on the last one.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from leadscore.report.metrics import pr_auc, roc_auc

MIN_POSITIVES_PER_FOLD = 2
SMALL_FIT_ROWS = 100_000
NB_BINS = 5


@dataclass(frozen=True)
class Matrices:
    """The features as the two models want them."""

    dense: np.ndarray  # numbers, categories as codes, NaN for missing (gradient boosting)
    categorical: np.ndarray  # boolean mask of the category columns
    discrete: np.ndarray  # every column as small non-negative codes (naive Bayes)
    names: list[str]


def matrices(features: pd.DataFrame) -> Matrices:
    dense_columns, discrete_columns, is_category = [], [], []
    for column in features.columns:
        values = features[column]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            codes, _ = pd.factorize(values, use_na_sentinel=True)
            dense_columns.append(np.where(codes < 0, np.nan, codes).astype(float))
            discrete_columns.append(codes + 1)  # 0: missing
            is_category.append(True)
        else:
            numbers = values.to_numpy(dtype=float)
            dense_columns.append(numbers)
            discrete_columns.append(_quantile_codes(numbers))
            is_category.append(False)
    n = len(features)
    stack = np.column_stack if dense_columns else (lambda _: np.zeros((n, 0)))
    return Matrices(
        dense=stack(dense_columns),
        categorical=np.array(is_category, dtype=bool),
        discrete=stack(discrete_columns).astype(np.int64) if discrete_columns else np.zeros((n, 0), dtype=np.int64),
        names=list(features.columns),
    )


def _quantile_codes(values: np.ndarray) -> np.ndarray:
    present = values[np.isfinite(values)]
    if present.size == 0:
        return np.zeros(len(values), dtype=np.int64)
    edges = np.unique(np.quantile(present, np.linspace(0, 1, NB_BINS + 1))[1:-1])
    codes = np.searchsorted(edges, values, side="right") + 1
    return np.where(np.isfinite(values), codes, 0)


def _models(m: Matrices, seed: int) -> dict[str, Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.naive_bayes import CategoricalNB

    return {
        "gradient_boosting": (
            HistGradientBoostingClassifier(
                categorical_features=m.categorical if m.categorical.any() else None, max_iter=150, learning_rate=0.05,
                max_depth=3, min_samples_leaf=30, l2_regularization=1.0, random_state=seed,
            ),
            m.dense,
        ),
        "naive_bayes": (CategoricalNB(alpha=1.0, min_categories=m.discrete.max(axis=0) + 1 if m.discrete.size else None), m.discrete),
    }


def _threads(rows: int) -> Any:
    """One OpenMP thread for small fits: thread start-up and syncing cost more than they save there."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="openmp") if rows < SMALL_FIT_ROWS else contextlib.nullcontext()


MODEL_TITLES = {
    "gradient_boosting": "Gradient boosting (HistGradientBoosting)",
    "naive_bayes": "Naive Bayes over attribute values",
}


def cross_validate(
    features: pd.DataFrame, y: np.ndarray, groups: np.ndarray, *, folds: int = 5, seed: int = 0
) -> dict[str, Any]:
    """Out-of-fold AUCs of both reference models; ``skipped`` says why when there are too few conversions."""
    from sklearn.model_selection import StratifiedGroupKFold

    positives, negatives = int(y.sum()), int((~y).sum())
    n_leads = len(pd.unique(groups))
    if positives < folds * MIN_POSITIVES_PER_FOLD or negatives < folds or n_leads < folds:
        return {"skipped": f"too few conversions for {folds}-fold cross-validation ({positives} converted rows)", "models": []}
    if features.shape[1] == 0:
        return {"skipped": "no usable feature columns", "models": []}
    m = matrices(features)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(m.dense, y, groups))
    results = []
    for name, (model, x) in _models(m, seed).items():
        oof = np.zeros(len(y))
        per_fold = []
        for train, test in splits:
            with _threads(len(train)):
                model.fit(x[train], y[train])
            oof[test] = model.predict_proba(x[test])[:, 1]
            fold_auc = roc_auc(y[test], oof[test])
            if fold_auc is not None:
                per_fold.append(fold_auc)
        results.append({
            "model": name,
            "title": MODEL_TITLES[name],
            "roc_auc": roc_auc(y, oof),
            "pr_auc": pr_auc(y, oof),
            "fold_roc_auc_mean": float(np.mean(per_fold)) if per_fold else None,
            "fold_roc_auc_std": float(np.std(per_fold)) if per_fold else None,
        })
    return {"skipped": None, "folds": folds, "grouped_by": "lead_id", "seed": seed, "features": m.names, "models": results}


def time_ordered(
    features: pd.DataFrame, y: np.ndarray, cutoffs: pd.Series, horizon: timedelta, scores: list[np.ndarray], *, seed: int = 0
) -> dict[str, Any]:
    """Train on cut-offs whose horizon ended by the last cut-off; test on the last cut-off."""
    last = cutoffs.max()
    train = (cutoffs + horizon <= last).to_numpy()
    test = (cutoffs == last).to_numpy()
    if y[train].sum() < 20 or y[test].sum() < 10 or not (~y[train]).any():
        return {
            "skipped": "needs cut-offs at least one horizon before the last one, with 20+ conversions to train on "
            "and 10+ at the last cut-off to test on",
        }
    m = matrices(features)
    out = {"skipped": None, "train_rows": int(train.sum()), "test_rows": int(test.sum()), "test_cutoff": last.isoformat(), "models": []}
    for name, (model, x) in _models(m, seed).items():
        with _threads(int(train.sum())):
            model.fit(x[train], y[train])
        out["models"].append({"model": name, "title": MODEL_TITLES[name], "roc_auc": roc_auc(y[test], model.predict_proba(x[test])[:, 1])})
    out["scorecards_roc_auc"] = [roc_auc(y[test], s[test]) for s in scores]
    return out


__all__ = ["MODEL_TITLES", "Matrices", "cross_validate", "matrices", "time_ordered"]
