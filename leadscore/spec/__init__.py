"""The scorecard language: YAML → validated, frozen pydantic models."""

from __future__ import annotations

from leadscore.spec.conditions import AllCondition, AnyCondition, Condition, FieldCondition, NotCondition
from leadscore.spec.loader import load_scorecard, parse_scorecard, scorecard_from_dict
from leadscore.spec.rules import Decay, EngagementRule, FitRule, Mode
from leadscore.spec.scorecard import AccountRollup, Scorecard, Stage

__all__ = [
    "AccountRollup",
    "AllCondition",
    "AnyCondition",
    "Condition",
    "Decay",
    "EngagementRule",
    "FieldCondition",
    "FitRule",
    "Mode",
    "NotCondition",
    "Scorecard",
    "Stage",
    "load_scorecard",
    "parse_scorecard",
    "scorecard_from_dict",
]
