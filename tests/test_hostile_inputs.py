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


# ------------------------------------------------------------------ 2: JSON Lines read as the contract reads them

MIXED_LEADS = [
    {"lead_id": 5, "job_title": "Head of Sales", "employees": 120, "country": "ES"},
    {"lead_id": "maria", "job_title": 7, "employees": "120.0", "country": True},
    {"lead_id": 6.0, "job_title": None, "employees": 75.5, "country": "es"},
]
MIXED_EVENTS = [
    {"lead_id": 5, "event": "form_submit", "timestamp": "2026-05-31T12:00:00Z", "event_id": 1, "form": "free-consultation"},
    {"lead_id": "maria", "event": "form_submit", "timestamp": "2026-05-31T12:00:00Z", "event_id": "x", "form": 7},
    {"lead_id": 5, "event": "form_submit", "timestamp": "2026-05-31T13:00:00Z", "event_id": 1, "form": "free-consultation"},
    {"lead_id": "6", "event": "page_view", "timestamp": "2026-05-31T12:00:00Z", "properties": {"url": "/pricing", "n": 1}},
    {"lead_id": 6, "event": "page_view", "timestamp": "2026-05-30T12:00:00Z", "properties": {"url": 5}},
]
MIXED_CARD = {
    "name": "mixed",
    "fit": {"rules": [
        {"name": "boss", "if": {"field": "job_title", "contains": "head"}, "points": 1},
        {"name": "seven", "if": {"field": "job_title", "equals": "7"}, "points": 2},
        {"name": "size", "if": {"field": "employees", "equals": 120}, "points": 4},
        {"name": "size-text", "if": {"field": "employees", "equals": "120"}, "points": 8},
        {"name": "spain", "if": {"field": "country", "in": ["ES"]}, "points": 16},
        {"name": "truthy", "if": {"field": "country", "equals": True}, "points": 32},
    ]},
    "engagement": {"rules": [
        {"name": "consult", "event": "form_submit", "where": {"field": "form", "equals": "free-consultation"}, "per": "event", "points": 10},
        {"name": "form-7", "event": "form_submit", "where": {"field": "form", "gte": 7}, "points": 5},
        {"name": "pricing", "event": "page_view", "where": {"field": "url", "starts_with": "/pri"}, "per": "event", "points": 3},
        {"name": "url-5", "event": "page_view", "where": {"field": "url", "equals": 5}, "points": 1},
    ]},
    "stages": [{"name": "lead"}],
}


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("engine_name", ENGINES)
def test_jsonl_with_mixed_value_types_scores_like_the_reference(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Ids and properties that are numbers in one line and text in another join and match as text."""
    from leadscore import score_leads
    from leadscore.spec import scorecard_from_dict
    from tests.reference import reference_score

    engine = request.getfixturevalue("postgres_url") if engine_name == "postgres" else "duckdb"
    card = scorecard_from_dict(MIXED_CARD)
    as_of = datetime(2026, 6, 1, 12, tzinfo=UTC)
    got = score_leads(card, leads=_jsonl(tmp_path / "leads.jsonl", MIXED_LEADS), events=_jsonl(tmp_path / "events.jsonl", MIXED_EVENTS),
                      as_of=as_of, engine=engine)
    rows = {r["lead_id"]: r for r in got.to_pylist()}
    want = reference_score(card, MIXED_LEADS, MIXED_EVENTS, None, as_of)
    assert set(rows) == {"5", "maria", "6"} == set(want)
    for lead_id, expected in want.items():
        for column in ["fit", "engagement", *card.rule_columns()]:
            assert rows[lead_id][column] == pytest.approx(expected[column], abs=0.01), (lead_id, column)
    assert rows["5"]["engagement.consult"] == 10  # one re-sent event (event_id 1), read as one id
    assert rows["6"]["engagement.pricing"] == 3


def test_jsonl_keys_that_appear_late_in_the_file_are_read(tmp_path: Path) -> None:
    """A property that only appears after the first thousands of lines is not dropped."""
    from leadscore import score_leads

    rows = [{"lead_id": "a", "event": "page_view", "timestamp": "2026-05-01T00:00:00Z"} for _ in range(30_000)]
    rows.append({"lead_id": "a", "event": "form_submit", "timestamp": "2026-05-31T12:00:00Z", "form": "free-consultation"})
    leads = _jsonl(tmp_path / "leads.jsonl", [{"lead_id": "a"}])
    table = score_leads(CASE / "scorecard.yaml", leads=leads, events=_jsonl(tmp_path / "events.jsonl", rows), as_of=TIME_AS_OFS[0])
    assert table.to_pylist()[0]["engagement.consultation-form"] > 70


# ------------------------------------------------------------------ 11, 12, 13: reading files, in the user's words


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _refused(tmp_path: Path, leads: Path, events: Path | None = None) -> str:
    result = _score(tmp_path, "--leads", str(leads), "--events", str(events or CASE / "events.csv"))
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "out.csv").exists()
    return " ".join(result.output.split())


def test_csv_rows_are_numbered_by_the_line_they_start_on(tmp_path: Path) -> None:
    events = _write(
        tmp_path / "events.csv",
        'lead_id,event,timestamp,note\nmaria,page_view,2026-05-01,"two\nlines"\n\nmaria,page_view,2026-05-02,x\n'
        'maria,page_view,never,"three\n\nlines"\nmaria,page_view,soon,x\n',
    )
    assert f"{events}: lines 6, 9: timestamp is not an ISO-8601 timestamp" in _refused(tmp_path, CASE / "leads.csv", events)


def test_jsonl_rows_are_numbered_by_their_line(tmp_path: Path) -> None:
    events = _write(
        tmp_path / "events.jsonl",
        '{"lead_id": "maria", "event": "x", "timestamp": "2026-05-01"}\n\n   \n'
        '{"lead_id": "maria", "event": "x", "timestamp": 1700000000}\n{"lead_id": "maria", "event": "x", "timestamp": "2026-05-02"}\n',
    )
    assert f"{events}: line 4: timestamp is not an ISO-8601 timestamp" in _refused(tmp_path, CASE / "leads.csv", events)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leads.csv", b"lead_id,country\nmaria,ES\nbob,\xff\xfeES\n", "line 3 is not UTF-8 text (byte 0xff): save the file as UTF-8"),
        ("leads.jsonl", b'{"lead_id": "maria"}\n{"lead_id": "b\xffob"}\n', "line 2 is not UTF-8 text (byte 0xff)"),
        ("leads.csv", "lead_id,country\nmaria," + "x" * 2_100_000 + "\n", "line 2 is longer than 2,097,152 bytes"),
        ("leads.csv", "", "is empty: a CSV file needs a header line"),
        ("leads.jsonl", "\n  \n", "is empty: a JSON Lines file needs one JSON object per line"),
        ("leads.csv", "lead_id\nmaria,ES\nbob,MX\n", "line 2 has 2 values but the header line has 1 column"),
        ("leads.csv", "lead_id,country\nmaria,ES\nbob,ES,extra,more\n", "line 3 has 4 values but the header line has 2 columns"),
        ("leads.csv", 'lead_id,country\nmaria,"ES\nbob,MX\n', 'line 2: a quoted value starts here and its closing " is missing'),
        ("leads.jsonl", '{"lead_id": "maria"}\n\n[1, 2]\n', "line 3 is an array, not a JSON object"),
        ("leads.jsonl", '{"lead_id": "maria"}\n{"lead_id": "bob",\n', "line 2 is not valid JSON"),
        ("leads.csv", "lead_id,country,Country\nmaria,ES,MX\n", "two columns are named 'country' and 'Country'"),
        ("leads.jsonl", '{"lead_id": "maria", "Form": 1, "form": 2}\n', "two keys are named 'Form' and 'form'"),
        ("leads.csv", "lead_id,country\nmaria,ES\n  ,MX\n", "line 3: lead_id is blank (only white space)"),
        ("leads.jsonl", '{"lead_id": "maria"}\n{"lead_id": [1, 2]}\n', "line 2: lead_id is a list or an object, not an id"),
    ],
    ids=["not-utf8-csv", "not-utf8-jsonl", "long-line", "empty-csv", "empty-jsonl", "ragged-narrow-header", "ragged",
         "unbalanced-quote", "jsonl-array", "jsonl-broken", "repeated-column", "repeated-key", "blank-id", "list-id-jsonl"],
)
def test_unreadable_files_say_what_is_wrong_and_where(tmp_path: Path, name: str, content: str | bytes, message: str) -> None:
    leads = _write(tmp_path / name, content)
    assert f"{leads}: {message}" in _refused(tmp_path, leads)


def test_parquet_ids_must_be_text_or_numbers(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    leads = tmp_path / "leads.parquet"
    pq.write_table(pa.table({"lead_id": pa.array([["a", "b"], ["c"]], pa.list_(pa.string()))}), leads)
    assert f"{leads}: lead_id holds values of type VARCHAR[]: an id is text or a number" in _refused(tmp_path, leads)


def test_float_ids_read_without_a_fraction(tmp_path: Path) -> None:
    """pandas turns an integer column with a gap into floats: 5.0 is the lead 5 of the events."""
    import pandas as pd

    from leadscore import score_leads

    leads = pd.DataFrame({"lead_id": [5.0, 6.0, float("nan")]}).dropna()
    events = pd.DataFrame({"lead_id": ["5"], "event": ["form_submit"], "timestamp": ["2026-05-31T12:00:00Z"], "form": ["free-consultation"]})
    rows = {r["lead_id"]: r for r in score_leads(CASE / "scorecard.yaml", leads=leads, events=events, as_of=TIME_AS_OFS[0]).to_pylist()}
    assert set(rows) == {"5", "6"}
    assert rows["5"]["engagement.consultation-form"] > 70


# ------------------------------------------------------------------ 4, 5, 10: outputs never destroy data


SCORE = ["score", str(CASE / "scorecard.yaml"), "--as-of", "2026-06-01T12:00:00Z"]
ROLLUP_CARD = (CASE / "scorecard.yaml").read_text() + "\naccounts:\n  score: max\n"


def _copy_inputs(tmp_path: Path) -> tuple[Path, Path]:
    leads = _write(tmp_path / "leads.csv", (CASE / "leads.csv").read_text())
    events = _write(tmp_path / "events.csv", (CASE / "events.csv").read_text())
    return leads, events


@pytest.mark.parametrize("which", ["leads", "events", "leads-spelled-otherwise", "events-through-a-link"])
def test_output_over_an_input_file_is_refused(tmp_path: Path, which: str) -> None:
    leads, events = _copy_inputs(tmp_path)
    before = {p: p.read_bytes() for p in (leads, events)}
    output = {
        "leads": leads, "events": events, "leads-spelled-otherwise": tmp_path / "." / ".." / tmp_path.name / "leads.csv",
        "events-through-a-link": tmp_path / "link.csv",
    }[which]
    if which == "events-through-a-link":
        output.symlink_to(events)
    result = runner.invoke(app, [*SCORE, "--leads", str(leads), "--events", str(events), "--output", str(output)])
    assert result.exit_code == 2, result.output
    assert "is also an input" in result.output
    assert {p: p.read_bytes() for p in (leads, events)} == before


def test_top_output_over_an_input_file_is_refused(tmp_path: Path) -> None:
    leads, events = _copy_inputs(tmp_path)
    before = leads.read_bytes()
    result = runner.invoke(app, ["top", str(CASE / "scorecard.yaml"), "--leads", str(leads), "--events", str(events), "--output", str(leads)])
    assert result.exit_code == 2, result.output
    assert leads.read_bytes() == before


def test_output_and_accounts_output_must_differ(tmp_path: Path) -> None:
    card = _write(tmp_path / "card.yaml", ROLLUP_CARD)
    output = _write(tmp_path / "out.csv", "previous\n")
    result = runner.invoke(app, ["score", str(card), "--leads", str(CASE / "leads.csv"), "--output", str(output), "--accounts-output", str(output)])
    assert result.exit_code == 2, result.output
    assert "--output and --accounts-output are the same" in " ".join(result.output.split())
    assert output.read_text() == "previous\n"


def test_table_output_without_a_database_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, [*SCORE, "--leads", str(CASE / "leads.csv"), "--output", "table:scores"])
    assert result.exit_code == 2, result.output
    assert "--database" in result.output and "in memory" in result.output


def _duckdb_crm(tmp_path: Path) -> Path:
    import duckdb

    database = tmp_path / "crm.duckdb"
    with duckdb.connect(str(database)) as conn:
        conn.execute(f"CREATE TABLE leads AS SELECT * FROM read_csv('{CASE / 'leads.csv'}', all_varchar=true)")
        conn.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{CASE / 'events.csv'}', all_varchar=true)")
    return database


@pytest.mark.parametrize("output", ["table:leads", "table:main.leads", "table:crm.main.leads", "table:events"])
def test_table_output_over_an_input_table_is_refused_on_duckdb(tmp_path: Path, output: str) -> None:
    import duckdb

    database = _duckdb_crm(tmp_path)
    result = runner.invoke(
        app, [*SCORE, "--leads", "table:leads", "--events", "table:events", "--database", str(database), "--output", output]
    )
    assert result.exit_code == 2, result.output
    assert "is also an input" in result.output
    with duckdb.connect(str(database)) as conn:
        assert conn.execute("SELECT count(*) FROM leads").fetchone() == (6,)
        assert "job_title" in [r[0] for r in conn.execute("DESCRIBE leads").fetchall()]


@pytest.mark.postgres
def test_table_output_over_an_input_table_is_refused_on_postgres(postgres_url: str, pg_schema: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {pg_schema}.leads (lead_id text, country text)")
        conn.execute(f"INSERT INTO {pg_schema}.leads VALUES ('maria', 'ES')")
    url = f"{postgres_url}?options=-csearch_path%3D{pg_schema}"
    for output in (f"table:{pg_schema}.leads", "table:leads"):
        result = runner.invoke(app, [*SCORE, "--leads", f"table:{pg_schema}.leads", "--database", url, "--output", output])
        assert result.exit_code == 2, result.output
        assert "is also an input" in result.output
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute(f"SELECT lead_id, country FROM {pg_schema}.leads").fetchall() == [("maria", "ES")]


def test_outputs_are_written_all_or_none(tmp_path: Path) -> None:
    """When --accounts-output fails, --output keeps its previous content (no half-written run)."""
    database = _duckdb_crm(tmp_path)
    card = _write(tmp_path / "card.yaml", ROLLUP_CARD)
    output = _write(tmp_path / "out.csv", "previous\n")
    common = ["score", str(card), "--leads", "table:leads", "--database", str(database), "--as-of", "2026-06-01"]
    result = runner.invoke(app, [*common, "--output", str(output), "--accounts-output", "table:nowhere.accounts"])
    assert result.exit_code == 2, result.output
    assert output.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.yaml", "crm.duckdb", "out.csv"]
    # two tables: both or neither
    result = runner.invoke(app, [*common, "--output", "table:scores", "--accounts-output", "table:nowhere.accounts"])
    assert result.exit_code == 2, result.output
    import duckdb

    with duckdb.connect(str(database)) as conn:
        assert "scores" not in [r[0] for r in conn.execute("SHOW TABLES").fetchall()]


@pytest.mark.parametrize("folder", ["/sys", "read-only"])
def test_an_output_folder_that_cannot_be_written_is_an_input_error(tmp_path: Path, folder: str) -> None:
    import os

    if folder == "read-only":
        if os.geteuid() == 0:
            pytest.skip("root writes in read-only folders; /sys covers it")
        target = tmp_path / "ro"
        target.mkdir(mode=0o555)
    else:
        target = Path(folder)
    result = runner.invoke(app, [*SCORE, "--leads", str(CASE / "leads.csv"), "--output", str(target / "out.csv")])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "cannot write" in result.output


# ------------------------------------------------------------------ 6: the unique-key check reads the exact relation


RESENT = "INSERT INTO {t} VALUES ('e1', 'maria', 'email_open', '2026-05-30 00:00:00+00'), ('e1', 'maria', 'email_open', '2026-05-31 00:00:00+00')"


def test_duckdb_key_of_a_same_named_table_elsewhere_does_not_count(tmp_path: Path) -> None:
    import duckdb

    from leadscore import LeadScorer

    database = tmp_path / "crm.duckdb"
    with duckdb.connect(str(database)) as conn:
        conn.execute("CREATE TABLE leads (lead_id TEXT)")
        conn.execute("INSERT INTO leads VALUES ('maria')")
        conn.execute("CREATE SCHEMA other")
        conn.execute("CREATE TABLE other.events (event_id TEXT PRIMARY KEY, lead_id TEXT, event TEXT, timestamp TIMESTAMPTZ)")
        conn.execute("CREATE TABLE events (event_id TEXT, lead_id TEXT, event TEXT, timestamp TIMESTAMPTZ)")
        conn.execute(RESENT.format(t="events"))
    card = _write(tmp_path / "card.yaml", json.dumps(
        {"name": "t", "engagement": {"rules": [{"name": "opens", "event": "email_open", "per": "event", "points": 1}]}, "stages": [{"name": "lead"}]}
    ))
    for events in ("table:events", "table:main.events", "table:crm.main.events"):
        with LeadScorer(card, leads="table:leads", events=events, engine=str(database)) as scorer:
            assert scorer.sources.events.needs_dedupe, events
            assert scorer.score(TIME_AS_OFS[0]).to_pylist()[0]["engagement.opens"] == 1, events
    with LeadScorer(card, leads="table:leads", events="table:other.events", engine=str(database)) as keyed:
        assert keyed.sources.events.unique_event_ids


@pytest.mark.postgres
def test_postgres_key_of_a_same_named_table_elsewhere_does_not_count(postgres_url: str, pg_schema: str, tmp_path: Path) -> None:
    import psycopg

    from leadscore import LeadScorer

    keyed = f"{pg_schema}_keyed"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {keyed} CASCADE")
        conn.execute(f"CREATE SCHEMA {keyed}")
        conn.execute(f"CREATE TABLE {keyed}.events (event_id text PRIMARY KEY, lead_id text, event text, timestamp timestamptz)")
        conn.execute(f"CREATE TABLE {pg_schema}.events (event_id text, lead_id text, event text, timestamp timestamptz)")
        conn.execute(f"CREATE TABLE {pg_schema}.leads (lead_id text)")
        conn.execute(f"INSERT INTO {pg_schema}.leads VALUES ('maria')")
        conn.execute(RESENT.format(t=f"{pg_schema}.events"))
    card = _write(tmp_path / "card.yaml", json.dumps(
        {"name": "t", "engagement": {"rules": [{"name": "opens", "event": "email_open", "per": "event", "points": 1}]}, "stages": [{"name": "lead"}]}
    ))
    try:
        # the keyed schema comes second in the search path: unqualified "events" is the one without a key
        url = f"{postgres_url}?options=-csearch_path%3D{pg_schema},{keyed}"
        for events in ("table:events", f"table:{pg_schema}.events"):
            with LeadScorer(card, leads=f"table:{pg_schema}.leads", events=events, engine=url) as scorer:
                assert scorer.sources.events.needs_dedupe, events
                assert scorer.score(TIME_AS_OFS[0]).to_pylist()[0]["engagement.opens"] == 1, events
        with LeadScorer(card, leads=f"table:{pg_schema}.leads", events=f"table:{keyed}.events", engine=url) as scorer:
            assert scorer.sources.events.unique_event_ids
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {keyed} CASCADE")


# ------------------------------------------------------------------ 7, 8: scorecards: refused with a place, or scored


def _card_problems(text: str) -> list[tuple[int, int, str, str]]:
    from leadscore.errors import ScorecardError
    from leadscore.spec import parse_scorecard

    with pytest.raises(ScorecardError) as info:
        parse_scorecard(text, filename="card.yaml")
    return [(p.line, p.column, p.path, p.message) for p in info.value.problems]


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    import time

    levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    levels += [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=False)]
    started = time.monotonic()
    found = _card_problems("name: bomb\n" + "\n".join(levels) + "\nstages: [{name: lead}]\n")
    assert time.monotonic() - started < 5
    assert any("aliases" in m and line > 1 for line, _, _, m in found), found


def test_yaml_alias_loop_and_deep_nesting_are_refused() -> None:
    assert any("refers to itself" in m for _, _, _, m in _card_problems("name: loop\nx: &x [1, *x]\nstages: [{name: lead}]\n"))
    deep = "name: deep\nx: " + "[" * 5000 + "]" * 5000 + "\nstages: [{name: lead}]\n"
    assert any("nested" in m and line == 2 for line, _, _, m in _card_problems(deep))


def test_a_scorecard_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    from leadscore.spec.limits import MAX_DOCUMENT_BYTES

    card = _write(tmp_path / "card.yaml", "name: big\nstages: [{name: lead}]\n" + "# " + "x" * MAX_DOCUMENT_BYTES + "\n")
    result = runner.invoke(app, ["validate", str(card)])
    assert result.exit_code == 2 and "at most 1,048,576 bytes" in result.output


def _rules_card(n_fit: int, n_engagement: int) -> str:
    fit = "".join(f"    - {{name: f{i}, if: {{field: country, equals: c{i}}}, points: 1}}\n" for i in range(n_fit))
    eng = "".join(f"    - {{name: e{i}, event: page_view, where: {{field: url, equals: /p{i}}}, points: 1}}\n" for i in range(n_engagement))
    return f"name: many\nfit:\n  rules:\n{fit}engagement:\n  rules:\n{eng}stages: [{{name: lead}}]\n"


def _engagement_rule(setting: str) -> str:
    return _rules_card(1, 1).replace("/p0}, points: 1}", "/p0}, points: 1, " + setting + "}")


def _nested_card(depth: int, kind: str) -> str:
    condition = "{field: country, equals: ES}"
    for _ in range(depth):
        condition = {"not": f"{{not: {condition}}}", "all": f"{{all: [{condition}]}}", "any": f"{{any: [{condition}, {{field: x, exists: true}}]}}"}[kind]
    return f"name: deep\nfit:\n  rules:\n    - name: r\n      points: 1\n      if: {condition}\nstages: [{{name: lead}}]\n"


@pytest.mark.parametrize(
    ("card", "path", "message"),
    [
        (_rules_card(600, 401), "engagement.rules[400]", "at most 1000 rules"),
        (_nested_card(33, "not"), "fit.rules[0].if", "nested more than 32 levels"),
        (_nested_card(200, "not"), "", "nested more than 100 levels deep"),  # caught by the YAML reader first
        (_nested_card(40, "all"), "fit.rules[0].if", "nested more than 32 levels"),
        (_engagement_rule("within: 3652060d"), "engagement.rules[0].within", "at most 3652059d"),
        (_engagement_rule("within: 1000000000d"), "engagement.rules[0].within", "at most 3652059d"),
        (_engagement_rule("within: " + "9" * 5000 + "h"), "engagement.rules[0].within", "at most 3652059d"),
        (_rules_card(1, 1).replace("points: 1", "points: 1e16", 1), "fit.rules[0].points", "at most 10^15"),
        (_rules_card(1, 1).replace("points: 1", "points: .inf", 1), "fit.rules[0].points", "finite number"),
        (_rules_card(1, 1).replace("points: 1", "points: " + "9" * 5000, 1), "", "a number of 5000 digits is too long"),
        (_rules_card(1, 1).replace("equals: c0", "gt: .nan", 1), "fit.rules[0].if.gt", "finite number"),
        (_rules_card(1, 1).replace("equals: c0", "equals: .inf", 1), "fit.rules[0].if.equals", "finite number"),
        (_rules_card(1, 1).replace("  rules:\n    - {name: e0", "  levels: {3000000000: 5}\n  rules:\n    - {name: e0"), "engagement.levels", "from 1 to 1,000,000"),
    ],
    ids=["rules", "not-33", "not-200", "all-40", "duration", "duration-overflow", "duration-digits", "points-huge", "points-inf",
         "points-digits", "gt-nan", "equals-inf", "levels-huge"],
)
def test_scorecards_beyond_the_limits_are_refused_with_their_place(card: str, path: str, message: str, tmp_path: Path) -> None:
    found = _card_problems(card)
    assert any((p == path or not path) and message in m for _, _, p, m in found), found
    assert all(line > 1 for line, _, _, _ in found), found
    if len(card) > 50_000:
        return  # (a thousand rules take seconds to read: the commands below read like parse_scorecard)
    # validate says the same as score: both refuse, exit 2
    target = _write(tmp_path / "card.yaml", card)
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 2
    assert _score(tmp_path, "--leads", str(CASE / "leads.csv"), card=target).exit_code == 2


@pytest.mark.parametrize("engine_name", ENGINES)
def test_scorecards_at_the_limits_score(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """1000 rules, conditions nested 32 deep, windows of 3652059 days, as_of in year 1: all score."""
    database = ["--database", request.getfixturevalue("postgres_url")] if engine_name == "postgres" else []
    leads = _write(tmp_path / "leads.csv", "lead_id,country\na,ES\nb,c7\n")
    events = _write(tmp_path / "events.csv", "lead_id,event,timestamp,url\na,page_view,0001-01-01,/p3\nb,page_view,2026-05-01,/p9\n")
    from leadscore import score_leads
    from leadscore.spec import parse_scorecard

    many = score_leads(parse_scorecard(_rules_card(500, 500)), leads=leads, events=events, as_of=TIME_AS_OFS[0],
                       engine=database[-1] if database else "duckdb")
    assert many.num_columns == 9 + 1000 and many.column("fit").to_pylist() == [0, 1]
    assert many.column("engagement").to_pylist() == [1, 1]  # an event of year 1 counts as any other
    cards = {
        "not": _nested_card(32, "not"),
        "all": _nested_card(32, "all"),
        "window": _engagement_rule("within: 3652059d, decay: {half_life: 1h}"),
        "quiet": _rules_card(1, 0).replace("rules:\nstages", "rules:\n    - {name: q, inactive_for: 3652059d, points: -1}\nstages"),
    }
    for name, text in cards.items():
        card = _write(tmp_path / f"{name}.yaml", text)
        assert runner.invoke(app, ["validate", str(card)]).exit_code == 0, name
        for as_of in ("2026-06-01", "0001-01-01", "9999-12-31T23:59:59.999999Z"):
            output = tmp_path / f"{name}.csv"
            result = runner.invoke(
                app, ["score", str(card), "--leads", str(leads), "--events", str(events), "--as-of", as_of, "--output", str(output), *database]
            )
            assert result.exit_code == 0, (name, as_of, result.output)


def test_top_limit_beyond_the_leads_shows_them_all() -> None:
    result = runner.invoke(app, ["top", str(CASE / "scorecard.yaml"), "--leads", str(CASE / "leads.csv"), "-n", "100000000000000000000"])
    assert result.exit_code == 0, result.output
    assert "(6 of 6 leads)" in result.output


# ------------------------------------------------------------------ 9: property names are data


JSON_PATH_NAMES = ["*", "a.b", "$", "$.a", "[0]", "a[0]", "x y", "it's", 'say "hi"', "~1/", "a..b", "@", "..", "[*]", "é"]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_property_names_with_json_path_characters_are_read_as_names(engine_name: str, request: pytest.FixtureRequest) -> None:
    import pyarrow as pa

    from leadscore import score_leads
    from leadscore.spec import scorecard_from_dict
    from tests.reference import reference_score

    engine = request.getfixturevalue("postgres_url") if engine_name == "postgres" else "duckdb"
    card = scorecard_from_dict({
        "name": "paths",
        "engagement": {"rules": [
            {"name": f"r{i}", "event": "x", "where": {"field": name, "equals": f"v{i}"}, "per": "event", "points": 1}
            for i, name in enumerate(JSON_PATH_NAMES)
        ]},
        "stages": [{"name": "lead"}],
    })
    properties = [json.dumps({name: f"v{i}" for i, name in enumerate(JSON_PATH_NAMES)}),
                  json.dumps({"a": {"b": "v1"}, "x": "v0", "0": "v4"}), json.dumps({"a": ["v5"]})]
    events = [{"lead_id": "l", "event": "x", "timestamp": "2026-05-01T00:00:00Z", "properties": p} for p in properties]
    as_of = TIME_AS_OFS[0]
    table = score_leads(card, leads=pa.table({"lead_id": ["l"]}), events=pa.Table.from_pylist(events), as_of=as_of, engine=engine)
    got = table.to_pylist()[0]
    want = reference_score(card, [{"lead_id": "l"}], events, None, as_of)["l"]
    assert {f"r{i}": got[f"engagement.r{i}"] for i in range(len(JSON_PATH_NAMES))} == {f"r{i}": 1 for i in range(len(JSON_PATH_NAMES))}
    assert got["engagement"] == want["engagement"] == len(JSON_PATH_NAMES)


# ------------------------------------------------------------------ 14: secrets, leftovers, filters, instants, validate


@pytest.mark.parametrize(
    "database",
    [
        "postgresql://postgres:hunter2@127.0.0.1:1/test?password=hunter2",
        "postgresql://postgres@127.0.0.1:1/test?password=hunter2&sslmode=bogus",
        "postgres://u:hunter2@127.0.0.1:1/db?sslpassword=hunter2",
        "postgre://u:hunter2@h/db",
        "host=127.0.0.1 port=1 password=hunter2",
    ],
)
def test_passwords_in_database_urls_are_never_printed(tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _score(tmp_path, "--leads", str(CASE / "leads.csv"), "--database", database)
    assert result.exit_code != 0
    assert "hunter2" not in result.output, result.output
    assert not any("hunter2" in p.name for p in tmp_path.iterdir())


def test_redaction_of_secrets_in_any_message() -> None:
    from leadscore.errors import EngineError

    message = str(EngineError("at postgresql://me:s3cret@db/x?sslmode=require&password=s3cret and 'password=s3cret port=5'"))
    assert "s3cret" not in message and "postgresql://me:***@db/x" in message and "password=***" in message


def _dead_pid() -> int:
    import os

    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def test_temporaries_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    import os

    output = tmp_path / "out.csv"
    stale = _write(tmp_path / f".out.csv.leadscore-{_dead_pid()}-x1y2.tmp", "half written")
    alive = _write(tmp_path / f".out.csv.leadscore-{os.getpid()}-a1b2.tmp", "another run, still writing")
    other = _write(tmp_path / ".notes.csv.leadscore-1-zz.tmp", "not ours to judge")
    result = _score(tmp_path, "--leads", str(CASE / "leads.csv"))
    assert result.exit_code == 0, result.output
    assert output.exists() and not stale.exists()
    assert alive.exists() and other.exists()


def test_a_terminated_run_removes_its_temporaries(tmp_path: Path) -> None:
    """SIGTERM while the output is being written: the temporary goes, the old output stays."""
    import signal
    import subprocess
    import sys
    import time

    output = _write(tmp_path / "out.csv", "previous\n")
    slow = (
        "import sys, time\n"
        "import leadscore.engines.duckdb as d\n"
        "original = d.DuckDBEngine._write_file_to\n"
        "def slow(self, *args):\n"
        "    original(self, *args)\n"
        "    time.sleep(60)\n"
        "d.DuckDBEngine._write_file_to = slow\n"
        "from leadscore.cli import main\n"
        "sys.argv[0] = 'leadscore'\n"
        "main()\n"
    )
    args = [*SCORE, "--leads", str(CASE / "leads.csv"), "--output", str(output)]
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen([sys.executable, "-c", slow, *args], cwd=root, stderr=subprocess.PIPE, text=True,
                               env={**__import__("os").environ, "PYTHONPATH": str(root)})
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.csv.*.tmp")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert list(tmp_path.glob(".out.csv.*.tmp")), "the run never wrote its temporary"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    assert output.read_text() == "previous\n"


@pytest.mark.parametrize(
    ("option", "value", "valid"),
    [("--stage", "SAL", "SQL, MQL, lead"), ("--grade", "Z", "A, B, C, D"), ("--label", "warmish", "hot, warm, cold")],
)
def test_top_filters_name_the_valid_values(option: str, value: str, valid: str) -> None:
    result = runner.invoke(app, ["top", str(CASE / "scorecard.yaml"), "--leads", str(CASE / "leads.csv"), option, value])
    assert result.exit_code == 2, result.output
    assert f"{option} {value!r}" in result.output and valid in result.output


NANO_CARD = {
    "name": "nano",
    "engagement": {"rules": [
        {"name": "now", "event": "a", "per": "event", "points": 1},
        {"name": "month", "event": "b", "within": "30d", "per": "event", "points": 1},
    ]},
    "stages": [{"name": "lead"}],
}


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("form", ["csv", "arrow-ns", "arrow-ns-utc"])
def test_events_a_fraction_of_a_microsecond_after_as_of_do_not_count(
    engine_name: str, form: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    import pyarrow as pa

    from leadscore import score_leads
    from leadscore.spec import scorecard_from_dict

    engine = request.getfixturevalue("postgres_url") if engine_name == "postgres" else "duckdb"
    rows = [  # (event, timestamp, counts)
        ("a", "2026-06-01T12:00:00.000000100", False),  # 100 ns after as_of
        ("a", "2026-06-01T12:00:00.000000000", True),  # as_of itself
        ("a", "2026-06-01T11:59:59.999999900", True),
        ("b", "2026-05-02T12:00:00.000000001", True),  # 1 ns inside the 30-day window
        ("b", "2026-05-02T12:00:00.000000000", False),  # exactly 30 days before: outside
        ("a", "1969-12-31T23:59:59.999999999", True),  # before 1970, rounds up within the past
    ]
    if form == "csv":
        events: Any = _write(tmp_path / "events.csv", "lead_id,event,timestamp\n" + "".join(f"l,{e},{t}Z\n" for e, t, _ in rows))
    else:
        import numpy as np

        stamps = pa.array(np.array([t for _, t, _ in rows], dtype="datetime64[ns]"))
        if form == "arrow-ns-utc":
            stamps = stamps.cast(pa.timestamp("ns", tz="UTC"))
        events = pa.table({"lead_id": ["l"] * len(rows), "event": [e for e, _, _ in rows], "timestamp": stamps})
    card = scorecard_from_dict(NANO_CARD)
    got = score_leads(card, leads=pa.table({"lead_id": ["l"]}), events=events, as_of=TIME_AS_OFS[0], engine=engine).to_pylist()[0]
    assert got["engagement.now"] == sum(1 for e, _, counts in rows if e == "a" and counts)
    assert got["engagement.month"] == 1


def test_as_of_more_precise_than_a_microsecond_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(CASE / "scorecard.yaml"), "--leads", str(CASE / "leads.csv"),
                                 "--as-of", "2026-06-01T12:00:00.0000001Z", "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "more precise than a microsecond" in result.output
    ok = runner.invoke(app, ["score", str(CASE / "scorecard.yaml"), "--leads", str(CASE / "leads.csv"),
                             "--as-of", "2026-06-01T12:00:00.1234560Z", "--output", str(tmp_path / "o.csv")])
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize(
    ("leads_text", "events_text", "message"),
    [
        ("lead_id,country\nmaria,ES\nmaria,MX\n", None, "lead_id 'maria' appears more than once (lines 2, 3)"),
        (None, "lead_id,event,timestamp\nmaria,page_view,soon\n", "line 2: timestamp is not an ISO-8601 timestamp"),
        (None, "lead_id,event,timestamp\n", None),
    ],
    ids=["duplicate-lead", "bad-timestamp", "fine"],
)
def test_validate_with_data_runs_the_checks_of_score(tmp_path: Path, leads_text: str | None, events_text: str | None, message: str | None) -> None:
    leads = _write(tmp_path / "leads.csv", leads_text) if leads_text else CASE / "leads.csv"
    events = _write(tmp_path / "events.csv", events_text) if events_text else CASE / "events.csv"
    data = ["--leads", str(leads), "--events", str(events)]
    validated = runner.invoke(app, ["validate", str(CASE / "scorecard.yaml"), *data])
    scored = runner.invoke(app, [*SCORE, *data, "--output", str(tmp_path / "out.csv")])
    assert validated.exit_code == scored.exit_code == (2 if message else 0), (validated.output, scored.output)
    if message:
        assert message in validated.output and message in scored.output


@pytest.mark.parametrize("engine_name", ENGINES)
def test_long_rule_names_keep_their_own_columns(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """PostgreSQL cuts names at 63 bytes: two long rule names sharing a start became one column."""
    import pyarrow as pa

    from leadscore import score_leads
    from leadscore.spec import scorecard_from_dict

    engine = request.getfixturevalue("postgres_url") if engine_name == "postgres" else "duckdb"
    long = "visited-the-pricing-page-three-times-in-the-last-thirty-days"
    card = scorecard_from_dict({"name": "n", "fit": {"rules": [
        {"name": f"{long}-a", "if": {"field": "c", "equals": "ES"}, "points": 1},
        {"name": f"{long}-b", "if": {"field": "c", "equals": "FR"}, "points": 2}]}, "stages": [{"name": "lead"}]})
    leads = pa.table({"lead_id": ["a", "b"], "c": ["ES", "FR"]})
    rows = {r["lead_id"]: r for r in score_leads(card, leads=leads, as_of=TIME_AS_OFS[0], engine=engine).to_pylist()}
    assert (rows["a"][f"fit.{long}-a"], rows["a"][f"fit.{long}-b"], rows["b"][f"fit.{long}-b"]) == (1, 0, 2)
    if engine_name == "postgres":  # a table cannot keep such names: refused, not cut
        card_file = _write(tmp_path / "card.yaml", json.dumps(card.model_dump(by_alias=True, exclude_none=True)))
        leads_file = _write(tmp_path / "leads.csv", "lead_id,c\na,ES\nb,FR\n")
        result = runner.invoke(app, ["score", str(card_file), "--leads", str(leads_file), "--database", engine,
                                     "--output", "table:leadscore_long_names"])
        assert result.exit_code == 2 and "at most 63 bytes" in result.output, result.output


# ------------------------------------------------------------------ the same checks for tables read in place on PostgreSQL


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("table", "rows", "message"),
    [
        ("events", "('maria', 'page_view', 'infinity', NULL)", "1 row: timestamp is outside the years 1 to 9999 (lead_id 'maria')"),
        ("events", "('maria', 'page_view', NULL, NULL), ('bob', 'page_view', NULL, NULL)", "2 rows: timestamp is empty (lead_id 'bob', 'maria')"),
        ("events", "('maria', ' ', '2026-05-01', NULL)", "1 row: event is empty (lead_id 'maria')"),
        ("events", "('maria', 'x', '2026-05-01', '{oops')", "1 row: properties is not a JSON object (lead_id 'maria')"),
        ("events", "('maria', 'x', '2026-05-01', '[1]')", "1 row: properties is not a JSON object (lead_id 'maria')"),
        ("events", "(NULL, 'x', '2026-05-01', NULL)", "1 row: lead_id is empty"),
        ("leads", "('maria', '2026-01-01'), ('maria', NULL)", "lead_id 'maria' appears more than once"),
        ("leads", "('  ', NULL)", "1 row: lead_id is blank (only white space)"),
        ("leads", "('x', '-infinity')", "1 row: created_at is outside the years 1 to 9999 (lead_id 'x')"),
    ],
    ids=["infinity", "no-timestamp", "blank-event", "bad-json", "json-array", "no-lead", "duplicate-lead", "blank-lead", "created-infinity"],
)
def test_postgres_tables_are_checked_as_files_are(postgres_url: str, pg_schema: str, table: str, rows: str, message: str) -> None:
    import psycopg

    from leadscore import LeadScorer
    from leadscore.errors import InputError

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {pg_schema}.leads (lead_id text, created_at timestamptz)")
        conn.execute(f"CREATE TABLE {pg_schema}.events (lead_id text, event text, timestamp timestamptz, properties text)")
        if table == "events":
            conn.execute(f"INSERT INTO {pg_schema}.leads VALUES ('maria', NULL)")
        conn.execute(f"INSERT INTO {pg_schema}.{table} VALUES {rows}")
    with pytest.raises(InputError) as raised:
        LeadScorer(CASE / "scorecard.yaml", leads=f"table:{pg_schema}.leads", events=f"table:{pg_schema}.events", engine=postgres_url)
    assert f"table:{pg_schema}.{table}: {message}" in str(raised.value)


@pytest.mark.postgres
def test_outputs_are_written_all_or_none_on_postgres(postgres_url: str, pg_schema: str, tmp_path: Path) -> None:
    import psycopg

    card = _write(tmp_path / "card.yaml", ROLLUP_CARD)
    output = _write(tmp_path / "out.csv", "previous\n")
    common = ["score", str(card), "--leads", str(CASE / "leads.csv"), "--database", postgres_url, "--as-of", "2026-06-01"]
    for first in (str(output), f"table:{pg_schema}.scores"):
        result = runner.invoke(app, [*common, "--output", first, "--accounts-output", f"table:{pg_schema}_nowhere.accounts"])
        assert result.exit_code == 2, result.output
    assert output.read_text() == "previous\n"
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT to_regclass(%s)", [f"{pg_schema}.scores"]).fetchone() == (None,)
