"""Conditions: ``{field: F, OP: VALUE}``, ``{all: [...]}``, ``{any: [...]}``, ``{not: C}``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, model_validator

from leadscore.spec._base import SpecModel, refuse

Scalar = str | int | float | bool
Number = float

TEXT_OPERATORS = ("equals", "not_equals", "in", "not_in", "contains", "contains_any", "starts_with", "ends_with")
NUMBER_OPERATORS = ("gt", "gte", "lt", "lte", "between")
OPERATORS = (*TEXT_OPERATORS, *NUMBER_OPERATORS, "exists")


class FieldCondition(SpecModel):
    """``{field: F, OP: VALUE}`` with exactly one operator."""

    field: str = Field(min_length=1, description="A lead column, `account.<column>`, or an event property.")
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(None, alias="in", min_length=1)
    not_in: list[Scalar] | None = Field(None, min_length=1)
    contains: Scalar | None = None
    contains_any: list[Scalar] | None = Field(None, min_length=1)
    starts_with: Scalar | None = None
    ends_with: Scalar | None = None
    gt: Number | None = None
    gte: Number | None = None
    lt: Number | None = None
    lte: Number | None = None
    between: tuple[Number, Number] | None = None
    exists: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> FieldCondition:
        given = [name for name in OPERATORS if getattr(self, "in_" if name == "in" else name) is not None]
        if len(given) != 1:
            which = f" ({', '.join(given)})" if given else ""
            raise refuse(
                "operator_count",
                f"a condition needs exactly one operator besides 'field', got {len(given)}{which}: "
                f"use one of {', '.join(OPERATORS)}",
            )
        values = self.value if isinstance(self.value, list | tuple) else [self.value]
        for value in values:
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > 1e300:
                raise refuse("number_size", f"{value:.3g} is too large to compare: numbers here are at most 1e300 in absolute value")
        if self.between is not None and self.between[0] > self.between[1]:
            low, high = self.between
            raise refuse("between_order", f"between [{low:g}, {high:g}]: LOW is greater than HIGH; write [LOW, HIGH] with LOW <= HIGH")
        return self

    @property
    def operator(self) -> str:
        for name in OPERATORS:
            if getattr(self, "in_" if name == "in" else name) is not None:
                return name
        raise AssertionError("validated condition has no operator")

    @property
    def value(self) -> Any:
        return getattr(self, "in_" if self.operator == "in" else self.operator)


class AllCondition(SpecModel):
    """All of the conditions hold."""

    all_: list[Condition] = Field(alias="all", min_length=1)


class AnyCondition(SpecModel):
    """At least one of the conditions holds."""

    any_: list[Condition] = Field(alias="any", min_length=1)


class NotCondition(SpecModel):
    """The condition does not hold (a missing value does not match, so `not` of it does)."""

    not_: Condition = Field(alias="not")


def _condition_kind(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in ("all", "any", "not"):
            if key in data:
                return f"{key}-of"
        return "field-of"
    if isinstance(data, FieldCondition):
        return "field-of"
    if isinstance(data, AllCondition):
        return "all-of"
    if isinstance(data, AnyCondition):
        return "any-of"
    if isinstance(data, NotCondition):
        return "not-of"
    return None


CONDITION_TAGS = frozenset({"field-of", "all-of", "any-of", "not-of"})

Condition = Annotated[
    Annotated[FieldCondition, Tag("field-of")] | Annotated[AllCondition, Tag("all-of")] | Annotated[AnyCondition, Tag("any-of")] | Annotated[NotCondition, Tag("not-of")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition",
        custom_error_message="a condition is a mapping: {field: F, OP: VALUE}, {all: [...]}, {any: [...]} or {not: ...}",
    ),
]

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()


def condition_fields(cond: Condition) -> list[str]:
    """Every field a condition reads, in order of appearance."""
    if isinstance(cond, FieldCondition):
        return [cond.field]
    if isinstance(cond, AllCondition):
        return [f for c in cond.all_ for f in condition_fields(c)]
    if isinstance(cond, AnyCondition):
        return [f for c in cond.any_ for f in condition_fields(c)]
    return condition_fields(cond.not_)


__all__ = [
    "AllCondition",
    "AnyCondition",
    "Condition",
    "FieldCondition",
        "NotCondition",
    "condition_fields",
]
