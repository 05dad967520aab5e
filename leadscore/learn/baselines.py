"""Reference models on the same features as the scorecard, to show what transparency costs.

- ``logistic``: a plain logistic regression (one-hot categories, standardized numbers,
  missing-value indicators, L2 penalty) — the model the scorecard is a binned, sparse,
  integer version of;
- ``gradient_boosting``: scikit-learn's HistGradientBoostingClassifier, a strong
  black box (native categories and missing values);
- ``additive_boosting``: the same boosting without interactions between attributes
  (``interaction_cst="no_interactions"``): an additive model, like a scorecard, so the
  gap to ``gradient_boosting`` is what interactions are worth;
- ``naive_bayes``: a naive Bayes over attribute values (numbers cut into bins), like the
  frequency-based predictive lead scoring of Odoo's CRM.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import CategoricalNB
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from leadscore.learn.binning import category_levels, is_numeric, numbers, numeric_cuts, text_forms

MISSING_TEXT = "(missing)"


def model_frame(X: pd.DataFrame) -> pd.DataFrame:
    """Numbers as float, everything else as its text form with '(missing)': what every baseline reads."""
    out = {}
    for column in X.columns:
        values = X[column]
        if is_numeric(values):
            out[str(column)] = numbers(values)
        else:
            out[str(column)] = text_forms(values).fillna(MISSING_TEXT).to_numpy(dtype=object)
    return pd.DataFrame(out, index=X.index)


def _columns(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    numeric = [c for c in X.columns if is_numeric(X[c])]
    return numeric, [c for c in X.columns if c not in numeric]


def logistic_baseline(X: pd.DataFrame, random_state: int | None = 0) -> Pipeline:
    """One-hot + standardized numbers + missing indicators → L2 logistic regression."""
    numeric, categorical = _columns(model_frame(X))
    prepare = ColumnTransformer(
        [
            ("numbers", make_pipeline(SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True), StandardScaler()), numeric),
            ("values", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.01), categorical),
        ]
    )
    model = LogisticRegression(C=1.0, max_iter=2000, random_state=random_state)
    return make_pipeline(_ModelFrame(), prepare, model)


def gradient_boosting_baseline(X: pd.DataFrame, random_state: int | None = 0) -> Pipeline:
    """HistGradientBoostingClassifier with native categories (at most 250 per column) and missing values."""
    frame = model_frame(X)
    numeric, categorical = _columns(frame)
    # a number never seen (all missing in the training leads) carries nothing, and the
    # binning of HistGradientBoosting fails on it
    numeric = [c for c in numeric if frame[c].notna().any()]
    encode = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan, max_categories=250
    )
    prepare = ColumnTransformer([("values", encode, categorical), ("numbers", "passthrough", numeric)])
    model = HistGradientBoostingClassifier(
        categorical_features=[True] * len(categorical) + [False] * len(numeric), random_state=random_state
    )
    return make_pipeline(_ModelFrame(), prepare, model)


def additive_boosting_baseline(X: pd.DataFrame, random_state: int | None = 0) -> Pipeline:
    """Gradient boosting restricted to one attribute per tree: an additive black box."""
    pipeline = gradient_boosting_baseline(X, random_state)
    pipeline.set_params(histgradientboostingclassifier__interaction_cst="no_interactions")
    return pipeline


class _ModelFrame(BaseEstimator):
    """``model_frame`` as a pipeline step (stateless)."""

    def fit(self, X: pd.DataFrame, y: Any = None) -> _ModelFrame:
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        return model_frame(X)


class AttributeNaiveBayes(ClassifierMixin, BaseEstimator):
    """Naive Bayes over attribute values: P(value | converted) from counts, numbers in quantile bins.

    Args:
        max_bins: bins per numeric attribute.
        min_share: values rarer than this share of the leads are pooled as "other".
        alpha: Laplace smoothing of the counts.

    Attributes:
        classes_: the two outcome labels.
        bins_: per column, the numeric cut points or the kept values.
        model_: the fitted ``CategoricalNB``.
    """

    def __init__(self, *, max_bins: int = 10, min_share: float = 0.01, alpha: float = 1.0) -> None:
        self.max_bins = max_bins
        self.min_share = min_share
        self.alpha = alpha

    def fit(self, X: pd.DataFrame, y: Any) -> AttributeNaiveBayes:
        frame = pd.DataFrame(X).reset_index(drop=True)
        min_count = max(int(np.ceil(self.min_share * len(frame))), 1)
        self.bins_: dict[str, Any] = {}
        for column in frame.columns:
            values = frame[column]
            if is_numeric(values):
                self.bins_[column] = ("number", numeric_cuts(numbers(values), self.max_bins, min_count))
            else:
                self.bins_[column] = ("value", list(category_levels(values, min_count, 200).frequent))
        codes = self._codes(frame)
        sizes = [len(b[1]) + 2 for b in self.bins_.values()]  # bins or values, plus "other" and missing
        self.model_ = CategoricalNB(alpha=self.alpha, min_categories=np.array(sizes) if sizes else None)
        self.model_.fit(codes, np.asarray(y))
        self.classes_ = self.model_.classes_
        return self

    def _codes(self, frame: pd.DataFrame) -> np.ndarray:
        columns = []
        for column, (kind, levels) in self.bins_.items():
            if kind == "number":
                x = numbers(frame[column])
                code = np.searchsorted(np.asarray(levels, dtype=float), np.nan_to_num(x, nan=0.0), side="right")
                columns.append(np.where(np.isnan(x), len(levels) + 1, code))
            else:
                index = {v: i for i, v in enumerate(levels)}
                forms = text_forms(frame[column])
                columns.append(np.array([len(levels) + 1 if f is None else index.get(f, len(levels)) for f in forms]))
        return np.column_stack(columns) if columns else np.zeros((len(frame), 0), dtype=int)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self._codes(pd.DataFrame(X).reset_index(drop=True)))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def naive_bayes_baseline(X: pd.DataFrame, random_state: int | None = 0) -> AttributeNaiveBayes:
    """Naive Bayes over attribute values (``random_state`` is unused: it is deterministic)."""
    return AttributeNaiveBayes()


BASELINES = {
    "logistic": logistic_baseline,
    "gradient_boosting": gradient_boosting_baseline,
    "additive_boosting": additive_boosting_baseline,
    "naive_bayes": naive_bayes_baseline,
}
"""Reference model builders by name: ``builder(X, random_state)`` → an unfitted classifier."""
