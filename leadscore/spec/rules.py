"""Fit rules and engagement rules."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from leadscore.spec._base import Bounded, SpecModel, refuse
from leadscore.spec.conditions import Condition
from leadscore.spec.durations import Duration


class Decay(SpecModel):
    """Weigh an event of age ``a`` by ``0.5 ** (a / half_life)``."""

    half_life: Duration


class FitRule(SpecModel):
    """Points for who the lead is, when ``if`` holds."""

    name: str = Field(min_length=1, description="Unique within the scorecard.")
    if_: Condition = Field(alias="if")
    points: Bounded
    description: str | None = None


class Mode(StrEnum):
    """How an engagement rule turns matching events into points."""

    ONCE = "once"
    PER_EVENT = "per_event"
    THRESHOLD = "threshold"
    INACTIVITY = "inactivity"


class EngagementRule(SpecModel):
    """Points for what the lead did: once, per event, on a threshold, or for inactivity."""

    name: str = Field(min_length=1, description="Unique within the scorecard.")
    event: str | list[str] | None = Field(None, description="One event type or a list.")
    where: Condition | None = None
    points: Bounded
    per: Literal["event"] | None = None
    max: Bounded | None = Field(None, gt=0, description="Cap of a per-event rule's total, in absolute value.")
    at_least: int | None = Field(None, ge=1, le=10**15)
    within: Duration | None = None
    inactive_for: Duration | None = None
    decay: Decay | Literal[False] | None = None
    expire_after: Duration | None = None
    description: str | None = None

    @field_validator("event")
    @classmethod
    def _events_named(cls, value: str | list[str] | None) -> str | list[str] | None:
        names = [value] if isinstance(value, str) else value or []
        if isinstance(value, list) and not value:
            raise refuse("event", "event: give at least one event type")
        for name in names:
            if not name.strip():
                raise refuse("event", "event types cannot be empty")
        return value

    @field_validator("decay", mode="before")
    @classmethod
    def _decay_shape(cls, value: object) -> object:
        if value is True:
            raise refuse("decay", "decay: true is not a setting: write decay: {half_life: 30d} or decay: false")
        return value

    @model_validator(mode="after")
    def _one_mode(self) -> EngagementRule:
        modes = [
            key
            for key, given in (("per", self.per), ("at_least", self.at_least), ("inactive_for", self.inactive_for))
            if given is not None
        ]
        if len(modes) > 1:
            first = "per: event" if modes[0] == "per" else modes[0]
            raise refuse(
                "mode",
                f"{first} and {modes[1]} cannot be used together: "
                "a rule has one mode (once, per: event, at_least or inactive_for)",
            )
        if self.event is None and self.inactive_for is None:
            raise refuse("event", "an engagement rule needs 'event' (only inactive_for rules may leave it out)")
        if self.max is not None and self.per is None:
            raise refuse("max", "max caps a per-event rule: add per: event or remove max")
        if self.inactive_for is not None and (self.within is not None or self.expire_after is not None):
            key = "within" if self.within is not None else "expire_after"
            raise refuse("inactivity", f"{key} does not apply to an inactive_for rule: its window is inactive_for")
        return self

    @property
    def mode(self) -> Mode:
        if self.per is not None:
            return Mode.PER_EVENT
        if self.at_least is not None:
            return Mode.THRESHOLD
        if self.inactive_for is not None:
            return Mode.INACTIVITY
        return Mode.ONCE

    @property
    def events(self) -> list[str] | None:
        """The event types this rule counts, or None for any type."""
        if self.event is None:
            return None
        return [self.event] if isinstance(self.event, str) else list(self.event)

    def half_life(self, default: Decay | None) -> timedelta | None:
        """The half-life this rule uses, given the scorecard-wide decay."""
        if self.mode in (Mode.THRESHOLD, Mode.INACTIVITY) or self.decay is False:
            return None
        chosen = self.decay if self.decay is not None else default
        return chosen.half_life if chosen else None

    def expiry(self, default: timedelta | None) -> timedelta | None:
        """How old an event may be before this rule ignores it."""
        if self.mode is Mode.INACTIVITY:
            return None
        return self.expire_after if self.expire_after is not None else default
