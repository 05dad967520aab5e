"""ScorecardFitter: learn a transparent points scorecard with a regularized logistic model.

How it works, in four steps (docs/learning.md tells the whole story):

1. **Bins and groups.** Each numeric attribute is cut into up to ``max_bins`` quantile bins
   with readable edges; each categorical attribute keeps its values seen in at least
   ``min_bin_share`` of the leads (rarer ones form "other"); a missing value is its own
   level. Event features (``event_count[T]``, ``event_days_since[T]``, see
   ``leadscore.learn.features``) get ``at_least: N`` and ``within: Dd`` thresholds.
2. **Fused L1 logistic regression.** Levels are coded as thermometers (``x >= cut``), so
   the L1 penalty fuses neighbouring bins and categories with the same effect. The penalty
   is relaxed step by step up to ``C``, stopping before the scorecard would exceed
   ``max_rules`` rules; of the models on this path, the one with the lowest AIC (or
   BIC, with ``selection="bic"``: shorter scorecards) is kept, so small or noisy data
   gets a short scorecard.
3. **Points.** Weights become integer points at ``points_to_double_odds`` points per
   doubling of the odds, so ``base_points`` is the score of a lead with the training
   set's average odds. Per attribute, the most common points value becomes 0 (no rule
   needed) and the difference goes to a ``base-points`` rule every lead gets.
4. **Interactions** (``max_interactions``, default 5). Conditions of the fused bins of the
   attributes with the most spread of points are paired (``all:`` of both); a pair is added
   while it lowers the AIC/BIC, charged ``2 ln(candidates)`` more for the search, and keeps
   the scorecard within ``max_rules``. Each becomes one fit rule with integer points.
5. **Calibration.** The training leads' observed conversion per score band.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import l1_min_c
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from leadscore.errors import NamesParameters
from leadscore.learn.binning import is_numeric
from leadscore.learn.encoders import (
    CategoricalEncoder,
    Encoder,
    EventCountEncoder,
    EventRecencyEncoder,
    NumericEncoder,
)
from leadscore.learn.export import to_scorecard
from leadscore.learn.rules import LearnedRule, RuleDraft, condition_holds, event_of, name_rules, rule_fires
from leadscore.spec import Scorecard

MIN_POSITIVES = 20
BASE_RULE = "base-points"
PATH_STEPS = 14
INTERACTION_ATTRIBUTES = 6
"""Interaction rules pair conditions of the attributes with the largest spread of points, at most this many."""


@dataclass(frozen=True)
class Interaction:
    """A candidate or chosen interaction: both conditions hold (``all:``)."""

    first: RuleDraft
    second: RuleDraft
    fires: np.ndarray

    def draft(self, points: int) -> RuleDraft:
        parts: list[dict[str, Any]] = []
        for side in (self.first, self.second):
            cond = side.body["if"]
            parts += cond.get("all", [cond])
        return RuleDraft(
            "fit", self.first.column, f"{self.first.slug}-and-{self.second.slug}", {"if": {"all": parts}}, points,
            f"{self.first.description} and {self.second.description}", (self.second.column,),
        )


class LearnWarning(NamesParameters, UserWarning):
    """Something about the training data that makes the learned scorecard less trustworthy.

    Like errors, its text names parameters with ``leadscore.errors.parameter``: ``str()``
    shows ``exclude``, the CLI ``--exclude`` (``render``).
    """


class ScorecardFitter(ClassifierMixin, BaseEstimator):
    """Learn a points scorecard (fit and engagement rules) from leads with known outcomes.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"visits": rng.integers(0, 20, 600), "country": rng.choice(["ES", "MX", "US"], 600)})
    >>> y = (rng.random(600) < 1 / (1 + np.exp(3 - 0.25 * X["visits"]))).astype(int)
    >>> fitter = ScorecardFitter(random_state=0).fit(X, y)
    >>> low, high = fitter.points(pd.DataFrame({"visits": [0, 19], "country": ["ES", "ES"]}))
    >>> bool(high > low), fitter.to_scorecard("learned").name
    (True, 'learned')

    Args:
        max_bins: most bins per numeric attribute (and thresholds per event feature) before fusing.
        min_bin_share: smallest share of the leads a bin or a categorical value must hold to
            be its own level (rarer values form "other").
        max_values: most values per categorical attribute that get their own level.
        C: inverse strength of the L1 penalty at the least regularized end of the path.
        selection: ``"aic"`` or ``"bic"``: the information criterion that picks the model
            on the path (BIC penalizes each weight more: fewer rules).
        max_rules: most rules the scorecard may have (the base-points rule included).
        points_to_double_odds: points that double a lead's odds of converting.
        base_points: score of a lead whose odds equal the training set's average odds.
        max_iter: iterations of the solver per step of the path.
        max_interactions: most interaction rules (``all:`` of conditions on two attributes)
            added after the additive fit; 0 for a purely additive scorecard.
        random_state: seed of the solver.

    Attributes:
        classes_: the two outcome labels; the second one is "converted".
        feature_names_in_: column names seen in ``fit`` (DataFrames only).
        n_features_in_: number of columns seen in ``fit``.
        rules_: the learned rules (``LearnedRule``), fit rules first (interaction rules last
            among them; their ``also_reads`` names the second attribute).
        base_points_: the points every lead starts with (the ``base-points`` rule).
        factor_: points per unit of log-odds (``points_to_double_odds / ln 2``).
        offset_: the log-odds of a lead with 0 points.
        base_log_odds_: the log-odds of the training set's conversion rate (``base_points`` stand for it).
        C_: the penalty chosen on the path.
        n_iter_: solver iterations over the whole path.
        columns_used_: the feature columns the rules read.
        calibration_: ``[{min_score, probability, leads}]`` on the training leads.
        score_quantiles_: quantiles of the training scores, fit and engagement points.
    """

    def __init__(
        self,
        *,
        max_bins: int = 10,
        min_bin_share: float = 0.01,
        max_values: int = 40,
        C: float = 1.0,
        selection: str = "aic",
        max_rules: int = 40,
        points_to_double_odds: float = 20.0,
        base_points: float = 50.0,
        max_iter: int = 1000,
        max_interactions: int = 5,
        random_state: int | None = None,
    ) -> None:
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.max_values = max_values
        self.C = C
        self.selection = selection
        self.max_rules = max_rules
        self.points_to_double_odds = points_to_double_odds
        self.base_points = base_points
        self.max_iter = max_iter
        self.max_interactions = max_interactions
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> ScorecardFitter:
        """Learn bins, weights and points from leads ``X`` and outcomes ``y`` (two classes).

        Raises:
            ValueError: a parameter is out of range, ``y`` has not exactly two classes, or
                ``X`` is empty or holds infinite numbers.
        """
        self._check_params()
        frame, target = self._training_data(X, y)
        positives = int(target.sum())
        if min(positives, len(target) - positives) < MIN_POSITIVES:
            warnings.warn(
                f"only {min(positives, len(target) - positives)} leads in the smaller outcome class: "
                f"a scorecard learned from fewer than {MIN_POSITIVES} is mostly noise; add more history",
                LearnWarning,
                stacklevel=2,
            )
        encoders = self._learn_encoders(frame, target)
        design = np.hstack([e.indicators(frame) for e in encoders]) if encoders else np.zeros((len(frame), 0))
        self.factor_ = self.points_to_double_odds / math.log(2)
        rate = (positives + 0.5) / (len(target) + 1.0)
        self.base_log_odds_ = math.log(rate / (1 - rate))
        self.C_, intercept, weights = self._path(design, target, encoders)
        interactions, intercept, weights = self._interactions(frame, target, design, encoders, intercept, weights)
        base, self.rules_ = self._rules(encoders, intercept, weights, interactions)
        self.base_points_ = base
        self.offset_ = self.base_log_odds_ - self.base_points / self.factor_
        self.columns_used_ = list(dict.fromkeys(c for r in self.rules_ if r.name != BASE_RULE for c in r.columns))
        self._summarize(frame, target)
        return self

    def _check_params(self) -> None:
        checks = {
            "max_bins": isinstance(self.max_bins, int) and self.max_bins >= 2,
            "min_bin_share": isinstance(self.min_bin_share, int | float) and 0 < self.min_bin_share < 0.5,
            "max_values": isinstance(self.max_values, int) and self.max_values >= 1,
            "C": isinstance(self.C, int | float) and self.C > 0,
            "selection": self.selection in ("aic", "bic"),
            "max_rules": isinstance(self.max_rules, int) and self.max_rules >= 1,
            "points_to_double_odds": isinstance(self.points_to_double_odds, int | float) and self.points_to_double_odds > 0,
            "base_points": isinstance(self.base_points, int | float) and math.isfinite(self.base_points),
            "max_iter": isinstance(self.max_iter, int) and self.max_iter >= 1,
            "max_interactions": isinstance(self.max_interactions, int) and self.max_interactions >= 0,
        }
        expected = {
            "max_bins": "an integer >= 2",
            "min_bin_share": "a number in (0, 0.5)",
            "max_values": "an integer >= 1",
            "C": "a number > 0",
            "selection": "'aic' or 'bic'",
            "max_rules": "an integer >= 1",
            "points_to_double_odds": "a number > 0",
            "base_points": "a finite number",
            "max_iter": "an integer >= 1",
            "max_interactions": "an integer >= 0",
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"{name}={getattr(self, name)!r} is not valid: expected {expected[name]}")

    def _training_data(self, X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
        if y is None:
            validate_data(self, X, y)  # raises sklearn's "requires y to be passed" error
        frame = self._frame(X, reset=True)
        labels = column_or_1d(np.asarray(y) if not isinstance(y, pd.Series | pd.DataFrame) else y.to_numpy(), warn=True)
        if len(labels) != len(frame):
            raise ValueError(f"X has {len(frame)} rows but y has {len(labels)}: give one outcome per lead")
        if pd.isna(pd.Series(labels)).any():
            raise ValueError("Input y contains NaN: every lead needs an outcome")
        check_classification_targets(labels)
        self.classes_ = np.unique(labels)
        if len(self.classes_) != 2:
            prefix = "Only binary classification is supported. " if len(self.classes_) > 2 else ""
            raise ValueError(
                f"{prefix}y has {len(self.classes_)} class{'es' if len(self.classes_) != 1 else ''} "
                f"({self.classes_.tolist()[:5]}): a scorecard learns from two classes, converted and not converted"
            )
        return frame, (labels == self.classes_[1]).astype(int)

    def _frame(self, X: Any, *, reset: bool) -> pd.DataFrame:
        """X as a DataFrame with the fitted column names; checks shape, names and infinities."""
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            if X.shape[0] == 0:
                raise ValueError("Found array with 0 sample(s) (shape=(0, ...)) while a minimum of 1 is required.")
            frame = X.reset_index(drop=True)
            frame.columns = [str(c) for c in frame.columns]
        else:
            array = validate_data(self, X, reset=reset, dtype=None, ensure_all_finite="allow-nan", ensure_min_samples=1)
            names = getattr(self, "feature_names_in_", None)
            columns = [str(c) for c in names] if names is not None else [f"x{i}" for i in range(array.shape[1])]
            frame = pd.DataFrame(array, columns=columns)
            if array.dtype != object:
                frame = frame.astype(float)
        _check_finite(frame)
        return frame

    def _learn_encoders(self, frame: pd.DataFrame, target: np.ndarray) -> list[Encoder]:
        min_count = max(math.ceil(self.min_bin_share * len(frame)), 1)
        encoders: list[Encoder] = []
        for column in frame.columns:
            values = frame[column]
            event = event_of(column)
            encoder: Encoder
            if event and event[0] == "count":
                encoder = EventCountEncoder.learn(event[1], values, self.max_bins, min_count)
            elif event:
                encoder = EventRecencyEncoder.learn(event[1], values, self.max_bins, min_count)
            elif is_numeric(values):
                encoder = NumericEncoder.learn(column, values, self.max_bins, min_count)
            else:
                encoder = CategoricalEncoder.learn(column, values, target, min_count, self.max_values)
            if encoder.size:
                encoders.append(encoder)
        return encoders

    def _path(self, design: np.ndarray, target: np.ndarray, encoders: list[Encoder]) -> tuple[float, float, np.ndarray]:
        """Relax the L1 penalty up to C; of the models within max_rules, keep the one of lowest AIC/BIC."""
        chosen: tuple[float, float, np.ndarray] = (0.0, self.base_log_odds_, np.zeros(design.shape[1]))
        self.n_iter_ = 0
        if design.shape[1] == 0:
            return chosen
        best = _criterion(np.full(len(target), self.base_log_odds_), target, 1, self.selection)
        start = l1_min_c(design, target, loss="log") * 1.05
        grid = np.geomspace(start, self.C, PATH_STEPS) if start < self.C else np.array([self.C])
        for c in grid:
            model = self._solve(design, target, float(c))
            self.n_iter_ += int(np.max(model.n_iter_))
            intercept, weights = float(model.intercept_[0]), model.coef_[0].copy()
            if len(self._rules(encoders, intercept, weights)[1]) > self.max_rules:
                break
            value = _criterion(design @ weights + intercept, target, 1 + int(np.count_nonzero(weights)), self.selection)
            if value < best:
                best, chosen = value, (float(c), intercept, weights)
        return chosen

    def _solve(self, design: np.ndarray, target: np.ndarray, c: float) -> LogisticRegression:
        model = LogisticRegression(
            C=c,
            l1_ratio=1.0,
            solver="liblinear",
            intercept_scaling=100.0,  # liblinear penalizes the intercept; scaled up, hardly at all
            max_iter=self.max_iter,
            random_state=self.random_state,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return model.fit(design, target)

    def _interactions(
        self, frame: pd.DataFrame, target: np.ndarray, design: np.ndarray, encoders: list[Encoder], intercept: float, weights: np.ndarray
    ) -> tuple[list[tuple[Interaction, float]], float, np.ndarray]:
        """Add up to max_interactions ``all:`` rules of two attributes' conditions, one at a time.

        Candidates pair the conditions (``splits``) of the fused bins of the attributes with the
        largest spread of points (``INTERACTION_ATTRIBUTES``); the pair with the largest score
        statistic is tried. The whole model is refit at ``C_`` with it (or, when that would
        exceed ``max_rules``, only the interactions' weights are fit, the others held). It stays
        if the AIC/BIC, charged ``2 ln(candidates searched)`` more for the search, goes down and
        the scorecard keeps within ``max_rules``. Returns the interactions with their weights,
        and the intercept and weights of the attributes (logit units).
        """
        none: tuple[list[tuple[Interaction, float]], float, np.ndarray] = ([], intercept, weights)
        if not self.max_interactions or self.C_ <= 0 or not np.any(weights):
            return none
        sides = self._sides(frame, encoders, weights)
        if len(sides) < 2:
            return none
        min_count = max(math.ceil(self.min_bin_share * len(frame)), 1)
        chosen: list[Interaction] = []
        taken: set[tuple[int, int, int, int]] = set()
        extra = np.zeros(0)
        logits = design @ weights + intercept
        best = _criterion(logits, target, 1 + int(np.count_nonzero(weights)), self.selection)
        for _ in range(self.max_interactions):
            found, searched = _best_pair(sides, logits, target, min_count, taken)
            if found is None:
                break
            key, candidate = found
            trial = [*chosen, candidate]
            products = np.column_stack([c.fires for c in trial]).astype(float)
            fit = self._refit(design, products, target, encoders, trial, none[1:])
            if fit is None:
                break
            value, step_intercept, step_weights, step_extra, step_logits = fit
            if value + 2.0 * math.log(max(searched, 2)) >= best:
                break
            best, chosen, taken = value, trial, taken | {key}
            intercept, weights, extra, logits = step_intercept, step_weights, step_extra, step_logits
        return list(zip(chosen, extra.tolist(), strict=True)), intercept, weights

    def _refit(
        self,
        design: np.ndarray,
        products: np.ndarray,
        target: np.ndarray,
        encoders: list[Encoder],
        trial: list[Interaction],
        additive: tuple[float, np.ndarray],
    ) -> tuple[float, float, np.ndarray, np.ndarray, np.ndarray] | None:
        """The model with these interactions: criterion, intercept, weights, interaction weights, logits (None: too many rules)."""
        width = design.shape[1]
        full = np.hstack([design, products])
        model = self._solve(full, target, self.C_)
        self.n_iter_ += int(np.max(model.n_iter_))
        intercept, coef = float(model.intercept_[0]), model.coef_[0].copy()
        parts = [(c, float(w)) for c, w in zip(trial, coef[width:], strict=True)]
        if len(self._rules(encoders, intercept, coef[:width], parts)[1]) <= self.max_rules:
            logits = full @ coef + intercept
            value = _criterion(logits, target, 1 + int(np.count_nonzero(coef)), self.selection)
            return value, intercept, coef[:width], coef[width:], logits
        intercept, weights = additive  # the refit moved the attributes' bins: hold them, fit the interactions only
        extra, logits = _offset_fit(products, target, design @ weights + intercept)
        parts = [(c, float(w)) for c, w in zip(trial, extra, strict=True)]
        if len(self._rules(encoders, intercept, weights, parts)[1]) > self.max_rules:
            return None
        value = _criterion(logits, target, 1 + int(np.count_nonzero(weights)) + len(trial), self.selection)
        return value, intercept, weights, extra, logits

    def _sides(self, frame: pd.DataFrame, encoders: list[Encoder], weights: np.ndarray) -> list[tuple[list[RuleDraft], np.ndarray]]:
        """Per attribute with points (most spread first): its candidate conditions and where each holds."""
        found = []
        start = 0
        for encoder in encoders:
            w = weights[start : start + encoder.size]
            spread = float(np.std(encoder.indicators(frame) @ w)) if np.any(w) else 0.0
            start += encoder.size
            if spread == 0 or not isinstance(encoder, NumericEncoder | CategoricalEncoder):
                continue
            drafts = list({repr(d.body): d for d in encoder.splits(w, self.factor_)}.values())
            if drafts:
                fires = np.column_stack([condition_holds(d.body["if"], frame) for d in drafts]).astype(float)
                found.append((spread, drafts, fires))
        found.sort(key=lambda f: -f[0])
        return [(d, f) for _, d, f in found[:INTERACTION_ATTRIBUTES]]

    def _rules(
        self, encoders: list[Encoder], intercept: float, weights: np.ndarray, interactions: Sequence[tuple[Interaction, float]] = ()
    ) -> tuple[int, list[LearnedRule]]:
        """Integer points: the base, one rule per non-zero level group, one per interaction."""
        base = self.base_points + self.factor_ * (intercept - self.base_log_odds_)
        shift_total = 0
        drafts: list[RuleDraft] = []
        start = 0
        for encoder in encoders:
            shift, found = encoder.drafts(weights[start : start + encoder.size], self.factor_)
            shift_total += shift
            drafts += found
            start += encoder.size
        for interaction, weight in interactions:
            if round(self.factor_ * weight):
                drafts.append(interaction.draft(round(self.factor_ * weight)))
        base_int = round(base) + shift_total
        drafts.sort(key=lambda d: d.section != "fit")  # fit rules first, in column order
        rules = name_rules(drafts, taken=[BASE_RULE])
        if base_int:
            base_rule = LearnedRule(
                BASE_RULE, "fit", "lead_id", base_int, "every lead starts with these points",
                {"if": {"field": "lead_id", "exists": True}},
            )
            rules.insert(0, base_rule)
        return base_int, rules

    def _summarize(self, frame: pd.DataFrame, target: np.ndarray) -> None:
        from leadscore.learn.calibration import calibration_table

        fit_points, engagement_points = self._split_points(frame)
        scores = fit_points + engagement_points
        self.calibration_ = calibration_table(scores, target)
        quantiles = [0.1, 0.25, 0.5, 0.7, 0.75, 0.9]
        self.score_quantiles_ = {
            name: {q: float(np.quantile(v, q)) for q in quantiles}
            for name, v in (("score", scores), ("fit", fit_points), ("engagement", engagement_points))
        }

    # -- using the scorecard --------------------------------------------------------------
    def points(self, X: Any) -> np.ndarray:
        """Each lead's score (fit + engagement points, integers), exactly as the learned scorecard gives it."""
        fit_points, engagement_points = self._split_points(self._checked_frame(X))
        return fit_points + engagement_points

    def rule_points(self, X: Any) -> pd.DataFrame:
        """One column per rule (``fit.<rule>``, ``engagement.<rule>``) with the points it gives each lead."""
        frame = self._checked_frame(X)
        return pd.DataFrame(
            {f"{r.section}.{r.name}": np.where(self._fires(r, frame), r.points, 0) for r in self.rules_},
            index=X.index if isinstance(X, pd.DataFrame) else None,
        )

    def decision_function(self, X: Any) -> np.ndarray:
        """The log-odds of converting that the points stand for."""
        return self.points(X) / self.factor_ + self.offset_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class; column 1 is ``classes_[1]`` (converted)."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where the odds are better than even."""
        converted = self.decision_function(X) > 0
        return self.classes_[converted.astype(int)]

    def to_scorecard(self, name: str = "learned", **options: Any) -> Scorecard:
        """The learned model as a leadscore ``Scorecard`` (see ``leadscore.learn.export.scorecard_dict``)."""
        check_is_fitted(self, "rules_")
        return to_scorecard(self, name, **options)

    def _checked_frame(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "rules_")
        return self._frame(X, reset=False)

    def _split_points(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        fit_points = np.zeros(len(frame), dtype=np.int64)
        engagement_points = np.zeros(len(frame), dtype=np.int64)
        for rule in self.rules_:
            fired = self._fires(rule, frame) * rule.points
            if rule.section == "fit":
                fit_points += fired
            else:
                engagement_points += fired
        return fit_points, engagement_points

    @staticmethod
    def _fires(rule: LearnedRule, frame: pd.DataFrame) -> np.ndarray:
        if rule.name == BASE_RULE:
            return np.ones(len(frame), dtype=bool)
        return rule_fires(rule, frame)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags


def _best_pair(
    sides: list[tuple[list[RuleDraft], np.ndarray]],
    logits: np.ndarray,
    target: np.ndarray,
    min_count: int,
    taken: set[tuple[int, int, int, int]],
) -> tuple[tuple[tuple[int, int, int, int], Interaction] | None, int]:
    """The pair of conditions whose product has the largest score statistic; and how many were searched."""
    p = 1.0 / (1.0 + np.exp(-logits))
    residual, variance = target - p, p * (1.0 - p)
    best, best_stat, searched = None, 0.0, 0
    n = len(target)
    for i in range(len(sides)):
        for j in range(i + 1, len(sides)):
            a, b = sides[i][1], sides[j][1]
            both = a.T @ b
            gradient = a.T @ (residual[:, None] * b)
            information = a.T @ (variance[:, None] * b)
            ok = (both >= min_count) & (n - both >= min_count) & (information > 0)
            searched += int(ok.sum())
            stat = np.where(ok, gradient**2 / np.where(information > 0, information, 1.0), 0.0)
            for key in taken:
                if key[:2] == (i, j):
                    stat[key[2], key[3]] = 0.0
            k, m = np.unravel_index(int(np.argmax(stat)), stat.shape)
            if stat[k, m] > best_stat:
                best_stat = float(stat[k, m])
                best = ((i, j, int(k), int(m)), Interaction(sides[i][0][k], sides[j][0][m], (a[:, k] * b[:, m]) > 0))
    return best, searched


def _offset_fit(columns: np.ndarray, target: np.ndarray, offset: np.ndarray, steps: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Logistic weights of ``columns`` with the other weights held (``offset``): Newton steps, a touch of ridge."""
    beta = np.zeros(columns.shape[1])
    for _ in range(steps):
        logits = offset + columns @ beta
        p = 1.0 / (1.0 + np.exp(-logits))
        gradient = columns.T @ (target - p) - 1e-3 * beta
        hessian = columns.T @ (columns * (p * (1 - p))[:, None]) + 1e-3 * np.eye(len(beta))
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-6:
            break
    return beta, offset + columns @ beta


def _criterion(logits: np.ndarray, target: np.ndarray, parameters: int, kind: str) -> float:
    """AIC (-2 log-likelihood + 2k) or BIC (-2 log-likelihood + k ln n) of a logistic model."""
    log_likelihood = float(np.sum(target * logits - np.logaddexp(0.0, logits)))
    per_parameter = 2.0 if kind == "aic" else math.log(max(len(target), 2))
    return -2.0 * log_likelihood + parameters * per_parameter


def _check_finite(frame: pd.DataFrame) -> None:
    for column in frame.columns:
        values = frame[column]
        if is_numeric(values) and np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).any():
            raise ValueError(f"Input X contains infinity in column {column!r}: use a finite number or leave it empty")
