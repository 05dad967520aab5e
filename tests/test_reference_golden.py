"""The reference evaluator (tests/reference.py) reproduces every golden case."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from leadscore.spec import load_scorecard
from tests.reference import parse_time, reference_score

CASES = Path(__file__).parent / "golden_cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "scorecard.yaml").exists())
TOLERANCE = 0.015


def read_rows(path: Path) -> list[dict[str, str | None]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)]


def as_text(value: object) -> str:
    return "" if value is None else str(value)


def test_there_are_cases() -> None:
    assert len(CASE_DIRS) >= 7


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_reference_matches_golden(case: Path) -> None:
    card = load_scorecard(case / "scorecard.yaml")
    leads = read_rows(case / "leads.csv")
    events = read_rows(case / "events.csv")
    accounts = read_rows(case / "accounts.csv") if (case / "accounts.csv").exists() else None
    as_of = parse_time((case / "as_of.txt").read_text().strip())
    got = reference_score(card, leads, events, accounts, as_of)

    expected = read_rows(case / "expected.csv")
    assert {row["lead_id"] for row in expected} == set(got)
    problems = []
    for row in expected:
        mine = got[row["lead_id"]]
        for column, want in row.items():
            if column == "lead_id":
                continue
            have = mine[column]
            if isinstance(have, float):
                ok = want is not None and math.isclose(float(want), have, abs_tol=TOLERANCE)
            else:
                ok = as_text(have) == as_text(want)
            if not ok:
                problems.append(f"{row['lead_id']}.{column}: expected {want!r}, reference gave {have!r}")
    assert not problems, "\n".join(problems)
