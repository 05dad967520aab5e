"""Interaction rules: ``all:`` of two attributes' conditions, learned when the data has an interaction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from leadscore.learn import ScorecardFitter, scorecard_dict, scorecard_yaml
from leadscore.learn.rules import condition_holds
from leadscore.scoring import LeadScorer
from leadscore.spec import load_scorecard
from tests.learn.factories import AS_OF, Interacting, interacting, synthetic


@pytest.fixture(scope="module")
def data() -> Interacting:
    return interacting(3000, seed=0)


@pytest.fixture(scope="module")
def with_interactions(data: Interacting) -> ScorecardFitter:
    return ScorecardFitter(random_state=0).fit(data.features(), data.y)


def _interaction_rules(fitter: ScorecardFitter) -> list:
    return [r for r in fitter.rules_ if r.also_reads]


def test_interaction_rule_finds_the_true_pair_and_ranks_new_leads_better(data: Interacting, with_interactions: ScorecardFitter) -> None:
    additive = ScorecardFitter(max_interactions=0, random_state=0).fit(data.features(), data.y)
    assert not _interaction_rules(additive)
    found = _interaction_rules(with_interactions)
    assert found and {"plan", "seats"} == set(found[0].columns)
    fresh = interacting(3000, seed=1)
    auc_with = roc_auc_score(fresh.y, with_interactions.points(fresh.features()))
    auc_without = roc_auc_score(fresh.y, additive.points(fresh.features()))
    assert auc_with > auc_without + 0.03
    assert auc_with > roc_auc_score(fresh.y, fresh.logit) - 0.02
    assert set(with_interactions.columns_used_) >= {"plan", "seats"}


def test_the_interaction_rule_rewards_pro_plans_with_many_seats(data: Interacting, with_interactions: ScorecardFitter) -> None:
    lead = data.features().iloc[[0] * 4].reset_index(drop=True)
    lead["plan"] = ["pro", "pro", "free", "free"]
    lead["seats"] = [80.0, 10.0, 80.0, 10.0]
    pro_many, pro_few, free_many, free_few = with_interactions.points(lead)
    assert (pro_many - pro_few) - (free_many - free_few) > 90  # the truth: 5.5 logits, about 159 points
    assert pro_many > free_many and free_few > pro_few
    rule = _interaction_rules(with_interactions)[0]
    assert list(rule.body["if"]) == ["all"] and len(rule.body["if"]["all"]) >= 2
    assert rule.section == "fit" and " and " in rule.description


def test_card_with_interactions_validates_and_round_trips_through_the_engine(
    data: Interacting, with_interactions: ScorecardFitter, tmp_path: Path
) -> None:
    card = with_interactions.to_scorecard("interacting")
    names = {r.name for r in card.fit.rules}
    assert {r.name for r in _interaction_rules(with_interactions)} <= names
    path = tmp_path / "interacting.yaml"
    path.write_text(scorecard_yaml(scorecard_dict(with_interactions, "interacting")))
    with LeadScorer(load_scorecard(path), leads=data.leads, events=data.events) as scorer:
        scores = scorer.score(AS_OF).to_pandas().set_index("lead_id").reindex(data.leads["lead_id"])
    assert np.array_equal(scores["score"].to_numpy(), with_interactions.points(data.features()))
    rule_points = with_interactions.rule_points(data.features())
    for column in rule_points.columns:
        assert np.array_equal(scores[column].to_numpy(), rule_points[column].to_numpy()), column


def test_interactions_keep_within_max_rules(data: Interacting) -> None:
    for cap in (3, 8):
        fitter = ScorecardFitter(max_rules=cap, random_state=0).fit(data.features(), data.y)
        assert 1 <= len(fitter.rules_) <= cap


def test_no_interaction_is_added_to_purely_additive_truth() -> None:
    plain = synthetic(2000, seed=0)
    fitter = ScorecardFitter(random_state=0).fit(plain.features(), plain.y)
    assert not _interaction_rules(fitter)


def test_interaction_conditions_hold_where_both_attributes_do(data: Interacting, with_interactions: ScorecardFitter) -> None:
    X = data.features()
    for rule in _interaction_rules(with_interactions):
        parts = rule.body["if"]["all"]
        both = np.logical_and.reduce([condition_holds(p, X) for p in parts])
        assert np.array_equal(with_interactions.rule_points(X)[f"fit.{rule.name}"].to_numpy() != 0, both)


@pytest.mark.parametrize("value", [-1, 1.5, "3"])
def test_bad_max_interactions_is_refused(value: object, data: Interacting) -> None:
    with pytest.raises(ValueError, match="max_interactions"):
        ScorecardFitter(max_interactions=value).fit(data.features(), data.y)  # type: ignore[arg-type]
