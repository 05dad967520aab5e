from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

from leadscore.spec.limits import MAX_POINTS


class SpecModel(BaseModel):
    """Base of every scorecard model: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


def refuse(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose message is already written out (no placeholders)."""
    return PydanticCustomError(kind, message)


def _bounded(value: float) -> float:
    if abs(value) > MAX_POINTS:
        raise refuse("number_size", f"{value:g} is too large: points, caps and thresholds are at most 10^15 in absolute value")
    return value


Bounded = Annotated[float, AfterValidator(_bounded)]
"""A finite number of at most 10^15 in absolute value (points, caps, thresholds, bounds)."""
