"""Cut-offs, horizons and capacities: sensible defaults, and clear refusals."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from leadscore.errors import InputError
from leadscore.report.timeline import (
    DataSpan,
    choose_cutoffs,
    parse_capacity,
    parse_cutoffs,
    parse_duration_option,
    weekly_grid,
)

START = datetime(2026, 1, 1, tzinfo=UTC)
SPAN = DataSpan(START, START + timedelta(days=180))
H90 = timedelta(days=90)


def test_default_cutoffs_leave_a_full_horizon_after_each() -> None:
    plan = choose_cutoffs(SPAN, H90)
    assert plan.every == timedelta(weeks=4) and len(plan.cutoffs) >= 3
    assert all(c + H90 <= SPAN.end for c in plan.cutoffs)
    assert all(c > SPAN.start for c in plan.cutoffs)
    assert all(c.weekday() == 0 and c.hour == 0 for c in plan.cutoffs)  # Mondays, midnight UTC
    assert plan.cutoffs == sorted(plan.cutoffs)


def test_default_falls_back_to_weekly_when_monthly_gives_too_few() -> None:
    plan = choose_cutoffs(DataSpan(START, START + timedelta(days=130)), H90)
    assert plan.every == timedelta(weeks=1) and "weekly" in plan.note and len(plan.cutoffs) >= 3


def test_horizon_longer_than_the_data_is_refused_with_what_fixes_it() -> None:
    with pytest.raises(InputError, match=r"horizon \(90d\) is longer than the data allows.*shorter horizon"):
        choose_cutoffs(DataSpan(START, START + timedelta(days=60)), H90)


def test_given_cutoffs_without_a_full_horizon_are_refused() -> None:
    late = START + timedelta(days=120)
    with pytest.raises(InputError, match=r"2026-05-01: the 90d horizon after it runs past the end of the data.*on or before 2026-04-01"):
        choose_cutoffs(SPAN, H90, cutoffs=[START + timedelta(days=30), late])
    with pytest.raises(InputError, match="before the data starts"):
        choose_cutoffs(SPAN, H90, cutoffs=[START - timedelta(days=1)])


def test_parsing() -> None:
    assert parse_cutoffs("2026-02-01, 2026-01-01") == [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)]
    with pytest.raises(InputError, match="not an ISO-8601"):
        parse_cutoffs("yesterday")
    assert parse_duration_option("6w", "every") == timedelta(weeks=6)
    with pytest.raises(InputError, match=r"^horizon '90m'.*unknown unit"):
        parse_duration_option("90m", "horizon")
    assert parse_capacity("40/week") == 40
    assert parse_capacity("8/day") == 56
    assert parse_capacity("40") == 40
    assert parse_capacity("160/month") == pytest.approx(160 * 7 / 30.4375)
    for bad in ("forty", "40/year", "0/week"):
        with pytest.raises(InputError, match=r"^capacity"):
            parse_capacity(bad)


def test_weekly_grid_is_mondays_inside_the_data() -> None:
    grid = weekly_grid(SPAN)
    assert grid[0] > SPAN.start and grid[-1] <= SPAN.end
    assert all(g.weekday() == 0 for g in grid)
    assert all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(grid))
