"""Metrics on hand-made cases: AUCs, lift and gains with ties, bands, groups, what the top leads share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.report import metrics as m


def test_auc_and_average_precision_on_a_hand_made_case() -> None:
    y = np.array([1, 0, 1, 0, 0], dtype=bool)
    score = np.array([0.9, 0.8, 0.7, 0.1, 0.1])
    # 6 positive-negative pairs; the 0.7 positive loses only to the 0.8 negative
    assert m.roc_auc(y, score) == pytest.approx(5 / 6)
    # precision 1 at recall 0.5, then 2/3 at recall 1
    assert m.pr_auc(y, score) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert m.roc_auc(np.zeros(3, dtype=bool), np.arange(3.0)) is None


def test_deciles_share_tied_scores_like_a_random_order() -> None:
    # 20 rows: two at score 10 (both converted), eighteen tied at 0 holding the other two conversions
    score = np.array([10.0, 10.0] + [0.0] * 18)
    y = np.array([True, True] + [True, True] + [False] * 16)
    rows = m.deciles(y, score)
    assert len(rows) == 10
    first, second, last = rows[0], rows[1], rows[-1]
    assert first["converted"] == pytest.approx(2) and first["conversion_rate"] == pytest.approx(1.0)
    assert first["lift"] == pytest.approx(1.0 / 0.2)
    assert first["cumulative_gain"] == pytest.approx(0.5)
    assert (first["min_score"], first["max_score"]) == (10.0, 10.0)
    # each later decile takes 2/18 of the tied group's two conversions
    assert second["converted"] == pytest.approx(round(4 / 18, 2))
    assert second["lift"] == pytest.approx((4 / 18 / 2) / 0.2)
    assert last["cumulative_gain"] == pytest.approx(1.0)
    assert last["cumulative_lift"] == pytest.approx(1.0)
    gains = [r["cumulative_gain"] for r in rows]
    assert gains == sorted(gains)


def test_deciles_of_a_perfect_ranking() -> None:
    score = np.arange(100.0)
    y = score >= 90
    rows = m.deciles(y, score)
    assert rows[0]["cumulative_gain"] == pytest.approx(1.0)
    assert rows[0]["lift"] == pytest.approx(10.0)
    assert all(r["converted"] == 0 for r in rows[1:])


def test_deciles_carry_amounts_when_given() -> None:
    score = np.arange(10.0)
    y = score >= 8
    amount = np.where(y, 1000.0, np.nan)
    rows = m.deciles(y, score, amount)
    assert rows[0]["amount"] == pytest.approx(1000) and rows[1]["amount"] == pytest.approx(1000)
    assert rows[1]["cumulative_amount_share"] == pytest.approx(1.0)


def test_band_edges_and_bands() -> None:
    assert m.band_edges(0, 100) == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    edges = m.band_edges(0, 100)
    score = np.array([0, 5, 10, 95, 100, 100])
    assert list(m.band_of(score, edges)) == [0, 0, 1, 9, 9, 9]
    y = np.array([0, 0, 0, 1, 1, 0], dtype=bool)
    bands = m.by_band(y, score.astype(float), edges)
    assert bands[9]["leads"] == 3 and bands[9]["converted"] == 2
    assert bands[9]["conversion_rate"] == pytest.approx(2 / 3)
    assert bands[5]["conversion_rate"] is None
    low, high = m.wilson(2, 3)
    assert low is not None and high is not None and low < 2 / 3 < high


def test_calibration_says_whether_conversion_rises_with_the_score() -> None:
    rng = np.random.default_rng(0)
    score = rng.uniform(0, 100, 4000)
    y = rng.random(4000) < score / 120
    edges = m.band_edges(0, 100)
    bands = m.by_band(y, score, edges)
    calibration = m.calibration(y, score, bands, None)
    assert calibration["monotonic"] and calibration["steps"] == 9
    assert calibration["logistic_brier"] < calibration["base_rate_brier"]


def test_by_group_follows_the_given_order_and_computes_lift() -> None:
    y = np.array([1, 0, 0, 1, 0, 0], dtype=bool)
    grades = pd.Series(["B", "A", "B", "A", "C", "C"])
    rows = m.by_group(y, grades, ["A", "B", "C", "D"])
    assert [r["value"] for r in rows] == ["A", "B", "C"]
    assert rows[0]["conversion_rate"] == pytest.approx(0.5)
    assert rows[0]["lift"] == pytest.approx(0.5 / (2 / 6))


def test_top_in_common_finds_over_represented_values() -> None:
    n = 200
    score = np.arange(n, dtype=float)
    y = score > 150
    attributes = pd.DataFrame({
        "title": np.where(score >= 180, "ceo", "analyst"),
        "country": np.where(np.arange(n) % 2 == 0, "es", "mx"),  # the same everywhere: not listed
    })
    common = m.top_in_common(attributes, score, y)
    assert common["rows"] == 20 and common["threshold"] == 180
    [value] = common["values"]
    assert (value["attribute"], value["value"]) == ("title", "ceo")
    assert value["share_of_top"] == pytest.approx(1.0) and value["ratio"] == pytest.approx(10.0)


def test_bootstrap_gives_intervals_and_a_paired_difference() -> None:
    rng = np.random.default_rng(1)
    y = rng.random(400) < 0.3
    good = y + rng.normal(0, 0.8, 400)
    bad = rng.normal(0, 1, 400)
    out = m.bootstrap_auc(y, [bad, good], np.arange(400), rounds=100, seed=0)
    (low_bad, high_bad), (low_good, _high_good) = out["auc"]
    assert low_bad < 0.5 < high_bad
    assert low_good > 0.6
    assert out["difference"][0] > 0 and out["difference_above_zero"] == 1.0
