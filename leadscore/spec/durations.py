"""Durations of the scorecard language: an integer and a unit, ``30d``, ``12h``, ``6w``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from leadscore.spec._base import refuse
from leadscore.spec.limits import MAX_DURATION

_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*([A-Za-z]*)\s*$")


def parse_duration(value: Any) -> timedelta:
    """Parse ``30d`` / ``12h`` / ``6w`` into a timedelta; refuse anything else."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise refuse("duration", f"expected a duration such as '30d', '12h' or '6w', got {value!r}")
    text = str(value)
    match = _DURATION.match(text)
    if not match:
        raise refuse("duration", f"{text!r} is not a duration: use an integer and a unit, such as '30d', '12h' or '6w'")
    amount, unit = match.groups()
    if not unit:
        raise refuse("duration", f"missing unit in {text!r}: use h, d or w (such as '30d')")
    if unit not in _UNITS:
        raise refuse("duration", f"unknown unit {unit!r} in {text!r}: use h, d or w")
    longest = MAX_DURATION.days
    if len(amount.lstrip("0")) > 12 or int(amount) * _UNITS[unit] > MAX_DURATION.total_seconds():
        shown = text if len(text) <= 20 else text[:8] + "..." + text[-4:]
        raise refuse(
            "duration",
            f"{shown!r} is too long: a duration is at most {longest}d ({longest // 7}w, {longest * 24}h), "
            "the span of timestamps from year 1 to 9999",
        )
    if int(amount) <= 0:
        raise refuse("duration", f"a duration must be longer than zero, got {text!r}")
    return timedelta(seconds=int(amount) * _UNITS[unit])


def format_duration(value: timedelta) -> str:
    """The shortest exact text of a duration: ``timedelta(days=14)`` → ``2w``."""
    seconds = int(value.total_seconds())
    for unit in ("w", "d", "h"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    raise ValueError(f"{value!r} is not a whole number of hours")


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]+[hdw]$", "examples": ["30d", "12h", "6w"]}),
]
