"""Learn transparent points scorecards from outcomes, and compare them with black-box models.

>>> from leadscore.learn import ScorecardFitter, training_set  # doctest: +SKIP
>>> data = training_set("leads.csv", outcomes="outcomes.csv", events="events.csv", as_of="2026-01-01")  # doctest: +SKIP
>>> fitter = ScorecardFitter(random_state=0).fit(data.features, data.target)  # doctest: +SKIP
>>> fitter.to_scorecard("learned")  # doctest: +SKIP

Needs the ``learn`` extra (scikit-learn, pandas, numpy): ``pip install 'leadscore[learn]'``.
"""

from __future__ import annotations

from leadscore.learn.api import LearnResult, learn_scorecard
from leadscore.learn.baselines import AttributeNaiveBayes, gradient_boosting_baseline, logistic_baseline
from leadscore.learn.calibration import calibration_table, probability_at
from leadscore.learn.datasets import Dataset, load_olist, load_online_shoppers, load_x_education, shared_data_dir
from leadscore.learn.evaluate import Comparison, ModelResult, cross_validate, reference_auc, time_split
from leadscore.learn.export import FittedScorecard, scorecard_dict, scorecard_yaml, to_scorecard
from leadscore.learn.features import event_features
from leadscore.learn.fitter import LearnWarning, ScorecardFitter
from leadscore.learn.inputs import read_frame
from leadscore.learn.rd_station import rd_station_points, rd_station_rules, rd_station_scorecard
from leadscore.learn.rules import LearnedRule, count_column, recency_column
from leadscore.learn.training import TrainingSet, leak_suspects, training_set

__all__ = [
    "AttributeNaiveBayes",
    "Comparison",
    "Dataset",
    "FittedScorecard",
    "LearnResult",
    "LearnWarning",
    "LearnedRule",
    "ModelResult",
    "ScorecardFitter",
    "TrainingSet",
    "calibration_table",
    "count_column",
    "cross_validate",
    "event_features",
    "gradient_boosting_baseline",
    "leak_suspects",
    "learn_scorecard",
    "load_olist",
    "load_online_shoppers",
    "load_x_education",
    "logistic_baseline",
    "probability_at",
    "rd_station_points",
    "rd_station_rules",
    "rd_station_scorecard",
    "read_frame",
    "recency_column",
    "reference_auc",
    "scorecard_dict",
    "scorecard_yaml",
    "shared_data_dir",
    "time_split",
    "to_scorecard",
    "training_set",
]
