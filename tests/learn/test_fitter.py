"""ScorecardFitter: known answers, the YAML ↔ engine round trip, readable and non-overlapping rules."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from leadscore.learn import ScorecardFitter, calibration_table, scorecard_dict, scorecard_yaml
from leadscore.learn.rules import condition_holds
from leadscore.scoring import LeadScorer
from leadscore.spec import load_scorecard
from tests.learn.factories import AS_OF, Synthetic, synthetic


@pytest.fixture(scope="module")
def data() -> Synthetic:
    return synthetic(2000, seed=0)


@pytest.fixture(scope="module")
def fitted(data: Synthetic) -> ScorecardFitter:
    return ScorecardFitter(random_state=0).fit(data.features(), data.y)


def test_fitter_recovers_the_true_ranking_on_new_leads(fitted: ScorecardFitter) -> None:
    fresh = synthetic(2000, seed=1)
    points = fitted.points(fresh.features())
    assert spearmanr(points, fresh.logit).statistic > 0.9
    assert roc_auc_score(fresh.y, points) > roc_auc_score(fresh.y, fresh.logit) - 0.02


def test_fitter_gives_points_in_the_true_direction(fitted: ScorecardFitter, data: Synthetic) -> None:
    lead = data.features().iloc[[0] * 4].reset_index(drop=True)
    lead["industry"] = ["Software", "Finance", "Education", "Retail"]  # true effects 1.2 > 0.4 > 0 > -0.6
    points = fitted.points(lead)
    assert points[0] > points[1] > points[3] and points[2] > points[3]
    views = data.features().iloc[[0] * 3].reset_index(drop=True)
    views["event_count[page_view]"] = [0, 3, 6]
    assert np.all(np.diff(fitted.points(views)) > 0)
    assert all(r.points > 0 for r in fitted.rules_ if r.column == "event_count[page_view]")


def test_points_are_integers_and_proba_follows_them(fitted: ScorecardFitter, data: Synthetic) -> None:
    X = data.features()
    points = fitted.points(X)
    assert points.dtype.kind == "i"
    proba = fitted.predict_proba(X)[:, 1]
    assert np.all(np.diff(proba[np.argsort(points, kind="stable")]) >= 0)
    assert np.allclose(fitted.predict_proba(X).sum(axis=1), 1.0)
    assert set(fitted.predict(X)) <= {0, 1}


def test_round_trip_engine_scores_equal_fitter_points(fitted: ScorecardFitter, data: Synthetic, tmp_path: Path) -> None:
    path = tmp_path / "learned.yaml"
    path.write_text(scorecard_yaml(scorecard_dict(fitted, "learned")))
    card = load_scorecard(path)
    with LeadScorer(card, leads=data.leads, events=data.events) as scorer:
        scores = scorer.score(AS_OF).to_pandas().set_index("lead_id").reindex(data.leads["lead_id"])
    assert np.array_equal(scores["score"].to_numpy(), fitted.points(data.features()))
    rule_points = fitted.rule_points(data.features())
    for column in rule_points.columns:
        assert np.array_equal(scores[column].to_numpy(), rule_points[column].to_numpy()), column


def test_scorecard_is_plain_contract_v1(fitted: ScorecardFitter) -> None:
    card = fitted.to_scorecard("learned")
    assert card.fit.rules and card.engagement.rules
    operators = {_operator(r.if_.model_dump(by_alias=True, exclude_none=True)) for r in card.fit.rules}
    assert operators <= {"in", "not_in", "between", "lt", "gte", "exists", "any", "all"}
    for rule in card.engagement.rules:
        assert rule.mode.value in ("once", "threshold")
    assert card.stages[-1].name == "lead"
    assert card.calibration and card.calibration[0].min_score <= card.calibration[-1].min_score


def _operator(condition: dict[str, object]) -> str:
    return next(k for k in condition if k != "field")


def test_bins_of_one_attribute_never_overlap(fitted: ScorecardFitter, data: Synthetic) -> None:
    X = data.features()
    for column in ("employees", "industry"):
        rules = [r for r in fitted.rules_ if r.column == column and not r.also_reads]
        fired = np.sum([condition_holds(r.body["if"], X) for r in rules], axis=0)
        assert fired.max() <= 1, column


def test_max_rules_is_respected(data: Synthetic) -> None:
    fitter = ScorecardFitter(max_rules=6, random_state=0).fit(data.features(), data.y)
    assert 1 <= len(fitter.rules_) <= 6


def test_points_to_double_odds_scales_the_points(data: Synthetic) -> None:
    X, y = data.features(), data.y
    low = ScorecardFitter(points_to_double_odds=10, random_state=0).fit(X, y).points(X)
    high = ScorecardFitter(points_to_double_odds=40, random_state=0).fit(X, y).points(X)
    assert np.std(high) == pytest.approx(4 * np.std(low), rel=0.1)


def test_base_points_is_the_score_of_average_odds(fitted: ScorecardFitter, data: Synthetic) -> None:
    rate = data.y.mean()
    points_at_average = fitted.base_points - 0  # a lead with the training odds
    logit = points_at_average / fitted.factor_ + fitted.offset_
    assert 1 / (1 + math.exp(-logit)) == pytest.approx(rate, abs=0.01)


def _woe_reference(values: list[str], outcomes: list[int]) -> dict[str, float]:
    """Log-odds of converting per value, in plain Python (what an unpenalized model learns)."""
    out = {}
    for value in sorted(set(values)):
        won = sum(1 for v, o in zip(values, outcomes, strict=True) if v == value and o)
        lost = sum(1 for v, o in zip(values, outcomes, strict=True) if v == value and not o)
        out[value] = math.log(won / lost)
    return out


def test_category_points_match_a_plain_python_log_odds_reference() -> None:
    rng = np.random.default_rng(3)
    plan = rng.choice(["free", "pro", "team"], 6000, p=[0.5, 0.3, 0.2])
    p = pd.Series(plan).map({"free": 0.1, "pro": 0.3, "team": 0.5}).to_numpy()
    y = (rng.random(6000) < p).astype(int)
    fitter = ScorecardFitter(points_to_double_odds=20, random_state=0).fit(pd.DataFrame({"plan": plan}), y)
    woe = _woe_reference(list(plan), list(y))
    points = {v: int(fitter.points(pd.DataFrame({"plan": [v]}))[0]) for v in woe}
    for a, b in (("pro", "free"), ("team", "free"), ("team", "pro")):
        expected = fitter.factor_ * (woe[a] - woe[b])
        assert points[a] - points[b] == pytest.approx(expected, abs=2.5), (a, b)


def test_missing_value_is_its_own_level_when_it_carries_signal() -> None:
    rng = np.random.default_rng(4)
    size = rng.integers(1, 100, 4000).astype(float)
    size[:1000] = np.nan
    y = np.where(np.isnan(size), rng.random(4000) < 0.6, rng.random(4000) < 0.15).astype(int)
    fitter = ScorecardFitter(random_state=0).fit(pd.DataFrame({"size": size}), y)
    missing = [r for r in fitter.rules_ if r.body.get("if") == {"field": "size", "exists": False}]
    assert missing and missing[0].points > 0


def test_fitter_follows_estimator_conventions(data: Synthetic) -> None:
    fitter = ScorecardFitter(max_bins=5, C=0.5, random_state=1)
    copy = clone(fitter)
    assert copy.get_params() == fitter.get_params()
    assert not hasattr(copy, "rules_")
    fitter.fit(data.features(), data.y)
    assert list(fitter.feature_names_in_) == list(data.features().columns)
    assert fitter.n_features_in_ == data.features().shape[1]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        pytest.param({"max_bins": 1}, "max_bins", id="max-bins"),
        pytest.param({"min_bin_share": 0.7}, "min_bin_share", id="min-bin-share"),
        pytest.param({"C": 0}, "C=", id="c"),
        pytest.param({"max_rules": 0}, "max_rules", id="max-rules"),
        pytest.param({"points_to_double_odds": -5}, "points_to_double_odds", id="pdo"),
        pytest.param({"selection": "cv"}, "selection", id="selection"),
    ],
)
def test_bad_parameters_are_refused_in_fit(params: dict[str, object], named: str, data: Synthetic) -> None:
    with pytest.raises(ValueError, match=named):
        ScorecardFitter(**params).fit(data.features(), data.y)  # type: ignore[arg-type]


def test_one_class_is_refused_with_a_clear_message(data: Synthetic) -> None:
    with pytest.raises(ValueError, match="class"):
        ScorecardFitter().fit(data.features(), np.ones(len(data.y)))


def test_calibration_table_is_observed_conversion_per_band() -> None:
    scores = np.array([0] * 50 + [10] * 50 + [20] * 50 + [30] * 50)
    target = np.array([0] * 50 + [1] * 5 + [0] * 45 + [1] * 20 + [0] * 30 + [1] * 40 + [0] * 10)
    table = calibration_table(scores, target, bands=4)
    assert table == [
        {"min_score": 0, "probability": 0.0, "leads": 50},
        {"min_score": 10, "probability": 0.1, "leads": 50},
        {"min_score": 20, "probability": 0.4, "leads": 50},
        {"min_score": 30, "probability": 0.8, "leads": 50},
    ]
