"""Hostile and odd inputs (issue 13): no crash, no silently wrong score, no data lost.

Each test here failed before its fix. The random search over the same classes is in
tests/test_fuzz.py (CLI) and tests/test_engine_agrees.py (scores against the reference).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from tests.test_engine_agrees import check_agrees, pinned_case

runner = CliRunner()

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]

# ------------------------------------------------------------------ 1, 3: every timestamp from year 1 to 9999

EXTREME_TIMES = [
    "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000001Z", "1900-01-01", "1969-12-31T23:59:59.999999Z",
    "1970-01-01T00:00:00Z", "2026-05-31T12:00:00Z", "9999-12-31T23:59:59.999999Z",
]

TIME_CARD = {
    "name": "times",
    "engagement": {
        "decay": {"half_life": "1h"},  # short: an event of 1900 weighs 0.5 ** 1e6 (underflow)
        "rules": [
            {"name": "once-decayed", "event": "page_view", "points": 10},
            {"name": "per-decayed", "event": ["page_view", "email_open"], "per": "event", "points": 1},
            {"name": "once-flat", "event": "email_open", "points": 5, "decay": False},
            {"name": "many", "event": ["page_view", "email_open"], "at_least": 2, "points": 7},
            {"name": "quiet", "inactive_for": "30d", "points": -3},
            {"name": "in-window", "event": "page_view", "within": "3652000d", "per": "event", "points": 2, "decay": False},
        ],
    },
    "stages": [{"name": "lead"}],
}


def _time_case(as_of: datetime) -> Any:
    leads = [{"lead_id": f"L{i}", "created_at": t} for i, t in enumerate(EXTREME_TIMES)] + [{"lead_id": "none"}]
    events = []
    for i, t in enumerate(EXTREME_TIMES):
        events.append({"lead_id": f"L{i}", "event": "page_view", "timestamp": t, "event_id": f"e{i}"})
        events.append({"lead_id": f"L{i}", "event": "email_open", "timestamp": t, "event_id": None})
        events.append({"lead_id": "L0", "event": "page_view", "timestamp": t, "event_id": "shared"})  # re-sent copies
    case = pinned_case(TIME_CARD, leads, events)
    case.as_of = as_of
    return case


TIME_AS_OFS = [datetime(2026, 6, 1, 12, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)]


@pytest.mark.parametrize("as_of", TIME_AS_OFS, ids=["2026", "9999"])
@pytest.mark.parametrize("plan", ["keyed", "window"])
@pytest.mark.parametrize("engine_name", ENGINES)
def test_timestamps_from_year_1_to_9999_score_on_every_plan(
    engine_name: str, plan: str, as_of: datetime, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if plan == "window":
        if engine_name == "postgres":
            pytest.skip("PostgreSQL has the window plan only")
        monkeypatch.setattr("leadscore.compiler.query.MAX_KEYED_RULES", 0)
    engine = request.getfixturevalue("postgres_url") if engine_name == "postgres" else "duckdb"
    check_agrees(_time_case(as_of), engine, "parquet")


def _csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> Path:
    import csv

    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows({c: r.get(c) for c in columns} for r in rows)
    return path


@pytest.mark.parametrize("engine_name", ENGINES)
def test_score_explain_and_top_take_events_of_any_year(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    case = _time_case(TIME_AS_OFS[0])
    card = tmp_path / "card.yaml"
    card.write_text(json.dumps(TIME_CARD))
    leads = _csv(tmp_path / "leads.csv", case.leads, ["lead_id", "created_at"])
    events = _csv(tmp_path / "events.csv", case.events, ["lead_id", "event", "timestamp", "event_id"])
    common = ["--leads", str(leads), "--events", str(events), "--as-of", "2026-06-01T12:00:00Z"]
    if engine_name == "postgres":
        common += ["--database", request.getfixturevalue("postgres_url")]
    scored = runner.invoke(app, ["score", str(card), *common, "--output", str(tmp_path / "out.csv")])
    assert scored.exit_code == 0, scored.output
    explained = runner.invoke(app, ["explain", str(card), "L0", "L2", *common, "--json"])
    assert explained.exit_code == 0, explained.output
    first = json.loads(explained.output)[0]
    opens = next(r for r in first["rules"] if r["rule"] == "once-flat")
    assert opens["events"][0]["timestamp"].startswith("0001-01-01")
    top = runner.invoke(app, ["top", str(card), *common])
    assert top.exit_code == 0, top.output


CASE = Path(__file__).resolve().parent / "golden_cases" / "spec-example"


def _score(tmp_path: Path, *args: str, card: Path | None = None) -> Any:
    output = tmp_path / "out.csv"
    return runner.invoke(app, ["score", str(card or CASE / "scorecard.yaml"), "--as-of", "2026-06-01T12:00:00Z", "--output", str(output), *args])


def test_timestamps_outside_years_1_to_9999_are_refused(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "lead_id,event,timestamp\nmaria,page_view,2026-05-01\nmaria,page_view,infinity\nmaria,page_view,-infinity\n"
        "maria,page_view,0001-01-01 (BC)\nmaria,page_view,20000-01-01\nmaria,page_view,9999-12-31T23:59:59Z\n"
    )
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at\nmaria,2026-01-01\nbob,12345-01-01\n")
    result = _score(tmp_path, "--leads", str(leads), "--events", str(events))
    assert result.exit_code == 2, result.output
    assert f"{leads}: line 3: created_at is outside the years 1 to 9999" in result.output
    assert not (tmp_path / "out.csv").exists()
    result = _score(tmp_path, "--leads", str(CASE / "leads.csv"), "--events", str(events))
    assert f"{events}: lines 3, 4, 5, 6: timestamp is outside the years 1 to 9999" in result.output


def test_typed_timestamps_outside_years_1_to_9999_are_refused() -> None:
    import pyarrow as pa

    from leadscore import score_leads
    from leadscore.errors import InputError

    micros = [0, 400_000_000_000_000_000]  # 1970, and about year 12,700
    events = pa.table({"lead_id": ["a", "a"], "event": ["x", "x"], "timestamp": pa.array(micros, pa.timestamp("us", tz="UTC"))})
    with pytest.raises(InputError, match="row 2: timestamp is outside the years 1 to 9999"):
        score_leads(CASE / "scorecard.yaml", leads=pa.table({"lead_id": ["a"]}), events=events, as_of=TIME_AS_OFS[0])
