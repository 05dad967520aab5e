"""The scorecard: fit, engagement, stages, labels and the account roll-up."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from leadscore.spec._base import Bounded, SpecModel, refuse
from leadscore.spec.conditions import condition_fields
from leadscore.spec.durations import Duration
from leadscore.spec.limits import MAX_CONDITION_DEPTH, MAX_LEVEL, MAX_RULES
from leadscore.spec.rules import Decay, EngagementRule, FitRule

Letter = Annotated[str, Field(pattern=r"^[A-Ya-y]$")]


class FitSection(SpecModel):
    rules: list[FitRule] = Field(default_factory=list)
    grades: dict[Letter, Bounded] | None = Field(
        None, description="Minimum fit points per grade letter, highest first; below the last: the next letter."
    )

    @field_validator("grades")
    @classmethod
    def _descending(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        return _check_descending(value, "grades")


class EngagementSection(SpecModel):
    decay: Decay | None = None
    expire_after: Duration | None = None
    rules: list[EngagementRule] = Field(default_factory=list)
    levels: dict[int, Bounded] | None = Field(
        None, description="Minimum engagement points per level, 1 first; below the last: the next number."
    )

    @field_validator("levels")
    @classmethod
    def _levels(cls, value: dict[int, float] | None) -> dict[int, float] | None:
        if value is not None:
            for level in value:
                if not 1 <= level <= MAX_LEVEL:
                    raise refuse("level", f"levels are numbers from 1 to {MAX_LEVEL:,}, got {level}")
        return _check_descending(value, "levels")


def _check_descending(value: dict[Any, float] | None, what: str) -> dict[Any, float] | None:
    if value is None:
        return None
    if not value:
        raise refuse("empty", f"{what}: give at least one, or leave {what} out")
    for (name_a, a), (name_b, b) in zip(value.items(), list(value.items())[1:], strict=False):
        if b > a:
            raise refuse(
                "order", f"{what} must be in descending order of minimum points: {name_b} ({b:g}) is above {name_a} ({a:g})"
            )
    return value


class Stage(SpecModel):
    """A lifecycle stage; every condition given must hold."""

    name: str = Field(min_length=1)
    min_score: Bounded | None = None
    max_score: Bounded | None = None
    min_fit: Bounded | None = None
    min_engagement: Bounded | None = None
    grades: list[Letter] | None = None
    levels: list[int] | None = None
    fired: list[str] | None = Field(None, description="Holds when one of these rules gave non-zero points.")

    @field_validator("levels", mode="before")
    @classmethod
    def _levels_as_numbers(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [int(v) if isinstance(v, str) and v.strip().isdigit() else v for v in value]
        return value


def cross_rule_problems(data: Any) -> list[tuple[list[str | int], str]]:
    """Problems that span rules (duplicate names, stages firing on unknown rules), on raw data.

    Works on the plain mapping so the loader can report them even when other parts of
    the scorecard are invalid. Returns (path steps, message) pairs.
    """
    out: list[tuple[list[str | int], str]] = []
    if not isinstance(data, dict):
        return out
    seen: set[str] = set()
    for section in ("fit", "engagement"):
        rules = (data.get(section) or {}).get("rules") if isinstance(data.get(section), dict) else None
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            name = rule.get("name") if isinstance(rule, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                out.append(([section, "rules", i, "name"], f"two rules are named {name!r}: rule names must be unique"))
            seen.add(name)
    out += _size_problems(data)
    stages = data.get("stages")
    for i, stage in enumerate(stages if isinstance(stages, list) else []):
        fired = stage.get("fired") if isinstance(stage, dict) else None
        for j, name in enumerate(fired if isinstance(fired, list) else []):
            if isinstance(name, str) and name not in seen:  # other types: pydantic says what is expected
                out.append(
                    (["stages", i, "fired", j], f"{name!r} is not a rule of this scorecard: fired names fit or engagement rules")
                )
    return out


def _size_problems(data: dict[str, Any]) -> list[tuple[list[str | int], str]]:
    """Beyond the limits of spec/limits.py: more than MAX_RULES rules, conditions nested too deep."""
    out: list[tuple[list[str | int], str]] = []
    count = 0
    for section, key in (("fit", "if"), ("engagement", "where")):
        rules = (data.get(section) or {}).get("rules") if isinstance(data.get(section), dict) else None
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            count += 1
            if count == MAX_RULES + 1:
                out.append(([section, "rules", i], f"too many rules: a scorecard has at most {MAX_RULES} rules (fit and engagement together)"))
            if isinstance(rule, dict) and condition_depth(rule.get(key)) > MAX_CONDITION_DEPTH:
                out.append((
                    [section, "rules", i, key],
                    f"conditions nested more than {MAX_CONDITION_DEPTH} levels deep (all, any and not in one another): "
                    "write it flatter",
                ))
    return out


def condition_depth(condition: Any) -> int:
    """How many all/any/not are nested in a condition given as plain data (no recursion)."""
    deepest = 0
    stack = [(condition, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, dict):
            for key in ("all", "any", "not"):
                children = node.get(key)
                if isinstance(children, dict):
                    stack.append((children, depth + 1))
                elif isinstance(children, list):
                    stack.extend((c, depth + 1) for c in children)
    return deepest


_ROLLUP = re.compile(r"^(max|sum|mean|top_([1-9][0-9]{0,14})_(mean|sum))$")


class AccountRollup(SpecModel):
    """Roll lead scores up to their account."""

    score: str = Field(description="max | sum | mean | top_N_mean | top_N_sum")
    engaged_at: Bounded | None = Field(
        None, description="A lead counts as engaged when its engagement >= this (default: engagement > 0)."
    )

    @field_validator("score")
    @classmethod
    def _known(cls, value: str) -> str:
        if not _ROLLUP.match(value):
            raise refuse("rollup", f"unknown roll-up {value!r}: use max, sum, mean, top_N_mean or top_N_sum")
        return value

    @property
    def top_n(self) -> int | None:
        match = _ROLLUP.match(self.score)
        return int(match.group(2)) if match and match.group(2) else None

    @property
    def aggregate(self) -> str:
        match = _ROLLUP.match(self.score)
        assert match
        return match.group(3) or match.group(1)


class Scorecard(SpecModel):
    """A lead-scoring model: contract v1 of the scorecard language."""

    name: str = Field(pattern=r"^[a-z0-9-]+$")
    description: str | None = None
    range: tuple[Bounded, Bounded] | None = Field(None, description="Clamp of score: [LOW, HIGH].")
    fit: FitSection = Field(default_factory=FitSection)
    engagement: EngagementSection = Field(default_factory=EngagementSection)
    stages: list[Stage] = Field(min_length=1)
    labels: dict[str, list[str]] | None = Field(
        None, description="Names for sets of priorities, first match from the top; '*' matches all."
    )
    accounts: AccountRollup | None = None
    calibration: list[CalibrationPoint] | None = Field(
        None, description="Addition to contract v1: conversion probability observed per score band (made by learn)."
    )

    @field_validator("range")
    @classmethod
    def _range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and value[0] > value[1]:
            raise refuse("range", f"range [{value[0]:g}, {value[1]:g}]: LOW is greater than HIGH")
        return value

    @model_validator(mode="after")
    def _names(self) -> Scorecard:
        problems = cross_rule_problems(self.model_dump(by_alias=True, exclude_none=True))
        if problems:
            raise refuse("cross_rule", problems[0][1])
        return self

    # -- derived facts -------------------------------------------------
    @property
    def rules(self) -> list[FitRule | EngagementRule]:
        return [*self.fit.rules, *self.engagement.rules]

    def rule_columns(self) -> list[str]:
        """Output column names of the per-rule points, in scorecard order."""
        return [f"fit.{r.name}" for r in self.fit.rules] + [f"engagement.{r.name}" for r in self.engagement.rules]

    def lead_fields(self) -> list[str]:
        """Lead columns (and ``account.X`` fields) the fit rules read."""
        return list(dict.fromkeys(f for r in self.fit.rules for f in condition_fields(r.if_)))

    def event_properties(self) -> list[str]:
        """Event properties the engagement rules read."""
        return list(dict.fromkeys(f for r in self.engagement.rules if r.where for f in condition_fields(r.where)))

    def event_types(self) -> list[str]:
        return list(dict.fromkeys(t for r in self.engagement.rules for t in (r.events or [])))

    def moves_with_time(self) -> bool:
        """Whether a lead's score can change with time alone (decay, windows, expiry, inactivity)."""
        engagement = self.engagement
        return any(
            r.within is not None or r.inactive_for is not None
            or r.half_life(engagement.decay) is not None or r.expiry(engagement.expire_after) is not None
            for r in engagement.rules
        )

    def grade_letters(self) -> list[str]:
        """Every grade a lead can get, best first."""
        if not self.fit.grades:
            return ["A"]
        letters = list(self.fit.grades)
        return [*letters, chr(ord(letters[-1]) + 1)]

    def level_numbers(self) -> list[int]:
        if not self.engagement.levels:
            return [1]
        levels = list(self.engagement.levels)
        return [*levels, levels[-1] + 1]


class CalibrationPoint(SpecModel):
    """Observed conversion of leads whose score falls in [min_score, next band's min_score)."""

    min_score: Bounded
    probability: float = Field(ge=0, le=1)
    leads: int | None = Field(None, ge=0)


Scorecard.model_rebuild()
