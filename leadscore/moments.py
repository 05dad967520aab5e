"""Moments in time as the package takes them: ISO-8601 text or datetimes, always aware UTC.

The one parser of ``as_of``, cut-offs and the like. The clock is not read here: callers at
the edges (the CLI, the service) decide what "now" is and pass it down.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from leadscore.errors import InputError, parameter

_SUB_MICROSECOND = re.compile(r"[.,][0-9]{6}0*[1-9]")
"""Digits beyond the microsecond that are not all zero (Python would drop them silently)."""


def parse_moment(value: str | datetime, name: str = "as_of") -> datetime:
    """An ISO-8601 date or timestamp (or a datetime) as an aware UTC datetime; no offset means UTC.

    Args:
        value: ``2026-06-01``, ``2026-06-01T12:00:00Z``, ``2026-06-01 12:00+02:00`` or a datetime.
        name: the parameter it was given as, for the error message.
    """
    if isinstance(value, datetime):
        moment = value
    else:
        if _SUB_MICROSECOND.search(value):
            raise InputError(
                f"{parameter(name)} {value!r} is more precise than a microsecond: give at most 6 digits after the seconds"
            )
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"{parameter(name)} {value!r} is not an ISO-8601 timestamp (such as 2026-06-01 or 2026-06-01T12:00:00Z)"
            ) from None
    return as_utc(moment)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime (a naive one is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
