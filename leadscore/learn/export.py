"""A fitted model as an ordinary scorecard: a dict, a Scorecard, YAML text.

What this module reads of a fitted model is the ``FittedScorecard`` protocol (a fitted
``ScorecardFitter`` is one); it does not import the fitter, which imports it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Protocol

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from leadscore.learn.rules import LearnedRule
from leadscore.spec import Scorecard, scorecard_from_dict

GRADE_QUANTILES = (0.75, 0.5, 0.25)
"""Grades A, B, C start at these quantiles of the training leads' fit points (below: D)."""
LEVEL_QUANTILES = (0.9, 0.7, 0.5)
"""Levels 1, 2, 3 start at these quantiles of the training leads' engagement points (below: 4)."""
STAGE_QUANTILES = (("SQL", 0.9), ("MQL", 0.7))
"""SQL is the top 10% of the training leads' scores, MQL the next 20%."""


class FittedScorecard(Protocol):
    """What the export reads of a fitted model (``ScorecardFitter`` after ``fit``)."""

    @property
    def points_to_double_odds(self) -> float: ...
    @property
    def base_points(self) -> float: ...
    @property
    def rules_(self) -> Sequence[LearnedRule]: ...
    @property
    def columns_used_(self) -> Sequence[str]: ...
    @property
    def calibration_(self) -> list[dict[str, Any]]: ...
    @property
    def score_quantiles_(self) -> dict[str, dict[float, float]]:
        """Quantiles of the training leads' ``score``, ``fit`` and ``engagement`` points."""
        ...


def scorecard_dict(fitter: FittedScorecard, name: str = "learned", description: str | None = None) -> dict[str, Any]:
    """The scorecard as plain data (the YAML's content), fit rules, engagement rules, stages, calibration."""
    quantiles = fitter.score_quantiles_
    data: dict[str, Any] = {"name": name}
    data["description"] = description or _description(fitter)
    fit_rules = [r.to_dict() for r in fitter.rules_ if r.section == "fit"]
    engagement_rules = [r.to_dict() for r in fitter.rules_ if r.section == "engagement"]
    data["fit"] = {"rules": fit_rules}
    grades = _thresholds([quantiles["fit"][q] for q in GRADE_QUANTILES], "ABCDEFGH")
    if grades:
        data["fit"]["grades"] = grades
    if engagement_rules:
        data["engagement"] = {"rules": engagement_rules}
        levels = _thresholds([quantiles["engagement"][q] for q in LEVEL_QUANTILES], [1, 2, 3, 4])
        if levels:
            data["engagement"]["levels"] = levels
    data["stages"] = _stages(quantiles["score"])
    data["calibration"] = fitter.calibration_
    return data


def to_scorecard(fitter: FittedScorecard, name: str = "learned", description: str | None = None) -> Scorecard:
    """The learned scorecard, validated like any scorecard file."""
    return scorecard_from_dict(scorecard_dict(fitter, name, description), filename=f"<learned {name}>")


def _description(fitter: FittedScorecard) -> str:
    double = f"{fitter.points_to_double_odds:g}"
    return (
        f"Learned by leadscore from outcomes: {double} points double the odds of converting; "
        f"{fitter.base_points:g} points are the average lead's odds. Columns used: "
        + (", ".join(fitter.columns_used_) or "none")
    )


def _thresholds(values: list[float], names: Any) -> dict[Any, int | float]:
    """Descending, distinct minimums named in order; empty when every lead would get the same one."""
    distinct: list[float] = []
    for value in (float(round(v)) for v in values):
        if not distinct or value < distinct[-1]:
            distinct.append(value)
    if max(values) == min(values):
        return {}
    return {name: _number(v) for name, v in zip(names, distinct, strict=False)}


def _stages(score_quantiles: dict[float, float]) -> list[dict[str, Any]]:
    stages = []
    last: float | None = None
    for name, q in STAGE_QUANTILES:
        threshold = float(round(score_quantiles[q]))
        if last is None or threshold < last:
            stages.append({"name": name, "min_score": _number(threshold)})
            last = threshold
    stages.append({"name": "lead"})
    return stages


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


# -- YAML ----------------------------------------------------------------------------------


def scorecard_yaml(data: dict[str, Any], header: list[str] | None = None) -> str:
    """YAML text of a scorecard dict: one line per condition and per calibration band."""
    document = CommentedMap()
    for key, value in data.items():
        document[key] = _styled(key, value)
    if header:
        document.yaml_set_start_comment("\n".join(header))
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def _styled(key: str, value: Any) -> Any:
    if key in ("fit", "engagement"):
        section = CommentedMap()
        for k, v in value.items():
            section[k] = _rules(v) if k == "rules" else _flow(v)
        return section
    if key in ("stages", "calibration"):
        return _seq([_flow(v) for v in value])
    return value


def _rules(rules: list[dict[str, Any]]) -> CommentedSeq:
    out = []
    for rule in rules:
        mapping = CommentedMap()
        for k, v in rule.items():
            mapping[k] = _flow(v) if isinstance(v, dict | list) else v
        out.append(mapping)
    return _seq(out, flow=False)


def _flow(value: Any) -> Any:
    if isinstance(value, dict):
        mapping = CommentedMap((k, _flow(v)) for k, v in value.items())
        mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        return _seq([_flow(v) for v in value])
    return value


def _seq(items: list[Any], flow: bool = True) -> CommentedSeq:
    seq = CommentedSeq(items)
    if flow and all(not isinstance(i, CommentedMap) for i in items):
        seq.fa.set_flow_style()
    return seq

