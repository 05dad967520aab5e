"""Time in a back-test: the horizon, the cut-offs, the weekly grid, and the span of the data.

A cut-off is a moment at which every lead is scored from its data up to then (``as_of`` = the
cut-off) and labelled by whether an outcome followed within the horizon. A cut-off is usable only
when the data runs at least one horizon past it: otherwise a lead that would convert later is
counted as not converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic_core import PydanticCustomError

from leadscore.errors import InputError, parameter
from leadscore.moments import parse_moment
from leadscore.spec.durations import format_duration, parse_duration

DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)
DEFAULT_HORIZON = timedelta(days=90)
DEFAULT_EVERY = timedelta(weeks=4)
FALLBACK_EVERY = WEEK
MIN_CUTOFFS = 3


@dataclass(frozen=True)
class DataSpan:
    """From the first to the last moment the data knows about."""

    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY


@dataclass(frozen=True)
class CutoffPlan:
    """The cut-offs of a back-test and how they were chosen."""

    cutoffs: list[datetime]
    every: timedelta | None
    note: str


def parse_duration_option(text: str | timedelta, name: str) -> timedelta:
    """``90d`` → timedelta; a clear InputError naming the parameter otherwise."""
    try:
        return parse_duration(text)
    except PydanticCustomError as exc:
        raise InputError(f"{parameter(name)} {text!r}: {exc.message()}") from None


def parse_cutoffs(text: str | list[str] | list[datetime]) -> list[datetime]:
    """``2026-01-01,2026-02-01`` (or a list) → sorted, distinct, aware datetimes."""
    items = [t for t in re.split(r"[,\s]+", text) if t] if isinstance(text, str) else list(text)
    if not items:
        raise InputError(f"{parameter('cutoffs')} is empty: give dates such as 2026-01-01,2026-02-01")
    return sorted({parse_moment(item, "cutoffs") for item in items})


def day_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def week_start(moment: datetime) -> datetime:
    """The Monday 00:00 UTC at or before ``moment``."""
    day = day_floor(moment)
    return day - timedelta(days=day.weekday())


def describe(moment: datetime) -> str:
    """A short readable form: the date alone at midnight, else date and time."""
    moment = moment.astimezone(UTC)
    if moment.hour == moment.minute == moment.second == 0:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")


def choose_cutoffs(
    span: DataSpan, horizon: timedelta, *, cutoffs: list[datetime] | None = None, every: timedelta | None = None
) -> CutoffPlan:
    """The cut-offs to evaluate at; each leaves a full horizon of outcome data after it.

    Given cut-offs are checked. Otherwise cut-offs are laid every ``every`` (default 4 weeks,
    or weekly when 4 weeks gives fewer than three) backwards from the last Monday that still
    has a full horizon after it, keeping at least one period of history before the first.
    """
    latest = span.end - horizon
    if cutoffs:
        return CutoffPlan(_checked_cutoffs(cutoffs, span, horizon), None, "given with --cutoffs")
    if latest <= span.start:
        raise InputError(_horizon_too_long(span, horizon))
    if every is not None:
        found = _laid(span, horizon, every)
        if not found:
            raise InputError(
                f"no cut-off every {format_duration(every)} fits: the data runs {describe(span.start)} → {describe(span.end)} "
                f"({span.days:.0f} days) and each cut-off needs {format_duration(every)} of history before it and the "
                f"{format_duration(horizon)} horizon after it; use a shorter {parameter('every')} or {parameter('horizon')}"
            )
        return CutoffPlan(found, every, f"every {format_duration(every)}")
    found = _laid(span, horizon, DEFAULT_EVERY)
    if len(found) >= MIN_CUTOFFS:
        return CutoffPlan(found, DEFAULT_EVERY, f"every {format_duration(DEFAULT_EVERY)} (default)")
    weekly = _laid(span, horizon, FALLBACK_EVERY)
    if not weekly:
        raise InputError(_horizon_too_long(span, horizon))
    return CutoffPlan(
        weekly, FALLBACK_EVERY, f"weekly (default every {format_duration(DEFAULT_EVERY)} gave fewer than {MIN_CUTOFFS} cut-offs)"
    )


def _laid(span: DataSpan, horizon: timedelta, every: timedelta) -> list[datetime]:
    last = week_start(span.end - horizon) if every % WEEK == timedelta(0) else day_floor(span.end - horizon)
    found = []
    moment = last
    while moment >= span.start + every:
        found.append(moment)
        moment -= every
    return sorted(found)


def _checked_cutoffs(cutoffs: list[datetime], span: DataSpan, horizon: timedelta) -> list[datetime]:
    late = [c for c in cutoffs if c + horizon > span.end]
    early = [c for c in cutoffs if c <= span.start]
    problems = []
    if late:
        problems.append(
            f"cut-off{'s' if len(late) > 1 else ''} {', '.join(describe(c) for c in late)}: the {format_duration(horizon)} "
            f"horizon after {'them' if len(late) > 1 else 'it'} runs past the end of the data ({describe(span.end)}), so later "
            f"conversions are unknown and would count as failures. Use cut-offs on or before {describe(span.end - horizon)}, "
            f"a shorter {parameter('horizon')}, or {parameter('data_end')} if the outcomes were recorded later than the last event"
        )
    if early:
        problems.append(
            f"cut-off{'s' if len(early) > 1 else ''} {', '.join(describe(c) for c in early)}: before the data starts "
            f"({describe(span.start)}): no lead exists yet"
        )
    if problems:
        raise InputError("\n".join(problems))
    return cutoffs


def _horizon_too_long(span: DataSpan, horizon: timedelta) -> str:
    return (
        f"the horizon ({format_duration(horizon)}) is longer than the data allows: the data runs {describe(span.start)} → "
        f"{describe(span.end)} ({span.days:.0f} days), and a cut-off needs history before it and the whole horizon "
        f"of outcome data after it. Use a shorter {parameter('horizon')} (at most about {max(1, int(span.days * 0.75))}d), more "
        f"history, or {parameter('data_end')} if the outcomes were recorded later than the last event"
    )


def weekly_grid(span: DataSpan) -> list[datetime]:
    """Mondays 00:00 UTC from the first after the data starts to the last before it ends."""
    first = week_start(span.start) + WEEK
    grid = []
    moment = first
    while moment <= span.end:
        grid.append(moment)
        moment += WEEK
    return grid


def parse_capacity(text: str | float) -> float:
    """``40/week``, ``40/w``, ``160/month``, ``8/day`` or a bare number (per week) → leads per week."""
    if isinstance(text, int | float):
        value, unit = float(text), "week"
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*([a-z]+))?\s*", text.lower())
        if not match:
            raise InputError(f"{parameter('capacity')} {text!r}: write a number of leads per period, such as 40/week or 160/month")
        value, unit = float(match.group(1)), match.group(2) or "week"
    per_week = {"week": 1.0, "w": 1.0, "wk": 1.0, "day": 7.0, "d": 7.0, "month": 7 / 30.4375, "m": 7 / 30.4375, "mo": 7 / 30.4375}
    if unit not in per_week:
        raise InputError(f"{parameter('capacity')} {text!r}: unknown period {unit!r}: use /day, /week or /month")
    if value <= 0:
        raise InputError(f"{parameter('capacity')} {text!r}: must be more than zero leads")
    return value * per_week[unit]


__all__ = [
    "DAY",
    "DEFAULT_HORIZON",
    "WEEK",
    "CutoffPlan",
    "DataSpan",
    "choose_cutoffs",
    "describe",
    "format_duration",
    "parse_capacity",
    "parse_cutoffs",
    "parse_duration_option",
    "week_start",
    "weekly_grid",
]
