from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError


class SpecModel(BaseModel):
    """Base of every scorecard model: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)



def refuse(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose message is already written out (no placeholders)."""
    return PydanticCustomError(kind, message)
