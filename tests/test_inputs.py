"""Reading inputs in every supported form, and refusing bad ones clearly with nothing written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from leadscore import LeadScorer, score_leads
from leadscore.cli import app
from leadscore.errors import InputError
from tests.conftest import AS_OF, GOLDEN

CASE = GOLDEN / "spec-example"
JSON_CASE = GOLDEN / "random-101"
runner = CliRunner()


def _expected(case: Path) -> dict[str, dict[str, str]]:
    return {r["lead_id"]: r for r in csv.DictReader((case / "expected.csv").open(newline=""))}


def _same_as_expected(table: pa.Table, case: Path) -> None:
    expected = _expected(case)
    rows = {r["lead_id"]: r for r in table.to_pylist()}
    assert set(rows) == set(expected)
    for lead_id, row in expected.items():
        for column, want in row.items():
            have = rows[lead_id][column]
            try:
                assert abs(float(want) - float(have)) <= 0.015, (lead_id, column)
            except (TypeError, ValueError):
                assert (want or None) == (None if have is None else str(have)), (lead_id, column)


def _score_cli(tmp_path: Path, leads: Path, events: Path, output: Path | None = None) -> tuple[int, str, Path]:
    output = output or tmp_path / "out.csv"
    result = runner.invoke(
        app,
        ["score", str(CASE / "scorecard.yaml"), "--leads", str(leads), "--events", str(events), "--as-of", "2026-06-01T12:00:00Z", "--output", str(output)],
    )
    return result.exit_code, result.output, output


def _convert(src: Path, dst: Path) -> Path:
    conn = duckdb.connect()
    fmt = {".parquet": "FORMAT parquet", ".jsonl": "FORMAT json"}[dst.suffix]
    conn.execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar=true)) TO '{dst}' ({fmt})")
    return dst


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_parquet_and_jsonl_inputs_and_outputs(tmp_path: Path, suffix: str) -> None:
    leads = _convert(CASE / "leads.csv", tmp_path / f"leads{suffix}")
    events = _convert(CASE / "events.csv", tmp_path / f"events{suffix}")
    code, text, output = _score_cli(tmp_path, leads, events, tmp_path / f"out{suffix}")
    assert code == 0, text
    table = duckdb.connect().sql(f"SELECT * FROM '{output}'").to_arrow_table()
    _same_as_expected(table, CASE)


def test_typed_parquet_columns_score_like_text(tmp_path: Path) -> None:
    """Numbers stored as numbers and timestamps as timestamps give the same scores."""
    leads = pd.read_csv(CASE / "leads.csv", dtype=str, keep_default_na=False)
    leads["employees"] = pd.to_numeric(leads["employees"], errors="coerce")
    leads["created_at"] = pd.to_datetime(leads["created_at"], utc=True, errors="coerce")
    events = pd.read_csv(CASE / "events.csv", dtype=str, keep_default_na=False)
    events["event_id"] = events["event_id"].astype(int)
    events["timestamp"] = pd.to_datetime(events["timestamp"], utc=True).dt.tz_localize(None)  # naive means UTC
    leads.to_parquet(tmp_path / "leads.parquet")
    events.to_parquet(tmp_path / "events.parquet")
    table = score_leads(CASE / "scorecard.yaml", leads=tmp_path / "leads.parquet", events=tmp_path / "events.parquet", as_of=AS_OF)
    _same_as_expected(table, CASE)


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_dataframe_inputs(kind: str) -> None:
    leads = pd.read_csv(CASE / "leads.csv", dtype=str, keep_default_na=False)
    events = pd.read_csv(CASE / "events.csv", dtype=str, keep_default_na=False)
    if kind == "polars":
        import polars as pl

        leads, events = pl.from_pandas(leads), pl.from_pandas(events)
    elif kind == "arrow":
        leads, events = pa.Table.from_pandas(leads), pa.Table.from_pandas(events)
    table = score_leads(CASE / "scorecard.yaml", leads=leads, events=events, as_of=AS_OF)
    _same_as_expected(table, CASE)


def test_properties_json_column_equals_plain_columns(tmp_path: Path) -> None:
    """random-101 carries properties as JSON; spread them into columns and the scores stay."""
    events = pd.read_csv(JSON_CASE / "events.csv", dtype=str, keep_default_na=False)
    props = [json.loads(p) if p else {} for p in events.pop("properties")]
    for key in sorted({k for p in props for k in p}):
        events[key] = [None if key not in p else str(p[key]) for p in props]
    spread = tmp_path / "events.csv"
    events.to_csv(spread, index=False)
    kwargs = {"leads": JSON_CASE / "leads.csv", "accounts": JSON_CASE / "accounts.csv", "as_of": AS_OF}
    _same_as_expected(score_leads(JSON_CASE / "scorecard.yaml", events=spread, **kwargs), JSON_CASE)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    events = _write(tmp_path / "events.csv", "lead_id,event,when\nmaria,page_view,2026-05-01\n")
    code, text, output = _score_cli(tmp_path, CASE / "leads.csv", events)
    assert code == 2
    assert str(events) in text and "'timestamp'" in text
    assert not output.exists()


def test_unparseable_timestamps_list_rows_and_count(tmp_path: Path) -> None:
    lines = ["lead_id,event,timestamp"] + [f"maria,page_view,{'yesterday' if i % 2 else '2026-05-01T00:00:00Z'}" for i in range(20)]
    events = _write(tmp_path / "events.csv", "\n".join(lines) + "\n")
    code, text, output = _score_cli(tmp_path, CASE / "leads.csv", events)
    assert code == 2
    # data row i is on line i + 2 (the header is line 1); rows 1, 3, 5... are bad
    assert f"{events}: lines 3, 5, 7, 9, 11 and 5 more: timestamp is not an ISO-8601 timestamp" in text.replace("\n", " ")
    assert not output.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


def test_duplicate_lead_ids_are_refused(tmp_path: Path) -> None:
    leads = _write(tmp_path / "leads.csv", "lead_id,country\na,ES\nb,ES\na,MX\n")
    code, text, _ = _score_cli(tmp_path, leads, CASE / "events.csv")
    assert code == 2
    assert "lead_id 'a' appears more than once (lines 2, 4)" in text


def test_invalid_properties_json_is_refused(tmp_path: Path) -> None:
    events = _write(tmp_path / "events.csv", 'lead_id,event,timestamp,properties\nmaria,page_view,2026-05-01,"{""a"": 1}"\nmaria,page_view,2026-05-01,{oops\n')
    code, text, _ = _score_cli(tmp_path, CASE / "leads.csv", events)
    assert code == 2
    assert "line 3: properties is not a JSON object" in text


@pytest.mark.parametrize(
    ("name", "message"),
    [("leads.txt", "unknown file type '.txt'"), ("nope.csv", "no such file")],
)
def test_unreadable_input_file(tmp_path: Path, name: str, message: str) -> None:
    leads = tmp_path / name
    if name.endswith(".txt"):
        leads.write_text("x")
    code, text, output = _score_cli(tmp_path, leads, CASE / "events.csv")
    assert code == 2
    assert message in text
    assert not output.exists()


def test_ragged_csv_is_unreadable_with_exit_2(tmp_path: Path) -> None:
    leads = _write(tmp_path / "leads.csv", 'lead_id,country\na,ES\nb,ES,extra,more\n')
    code, text, _ = _score_cli(tmp_path, leads, CASE / "events.csv")
    assert code == 2
    assert str(leads) in text


def test_existing_output_is_kept_when_scoring_fails(tmp_path: Path) -> None:
    output = _write(tmp_path / "out.csv", "previous results\n")
    events = _write(tmp_path / "events.csv", "lead_id,event,timestamp\nmaria,page_view,never\n")
    code, _, _ = _score_cli(tmp_path, CASE / "leads.csv", events, output)
    assert code == 2
    assert output.read_text() == "previous results\n"


def test_output_folder_must_exist(tmp_path: Path) -> None:
    code, text, _ = _score_cli(tmp_path, CASE / "leads.csv", CASE / "events.csv", tmp_path / "missing" / "out.csv")
    assert code == 2 and "does not exist" in text


def test_scoring_a_subset_of_leads_matches_the_full_run() -> None:
    with LeadScorer(CASE / "scorecard.yaml", leads=CASE / "leads.csv", events=CASE / "events.csv") as scorer:
        everyone = {r["lead_id"]: r for r in scorer.score(AS_OF).to_pylist()}
        some = scorer.score(AS_OF, lead_ids=["maria", "bob", "nobody"]).to_pylist()
        query = scorer.query(AS_OF, lead_ids=["maria"])
    assert [r["lead_id"] for r in some] == ["bob", "maria"]
    assert all(r == everyone[r["lead_id"]] for r in some)
    # the events scan itself is restricted to the chosen leads
    events_cte = next(c for c in query.ctes if c.alias == "__ls_events")
    assert "'maria'" in events_cte.sql("duckdb") and '"e"."lead_id" IN' in events_cte.sql("duckdb")


def test_duckdb_database_tables_in_and_out(tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    conn = duckdb.connect(str(database))
    conn.execute(f"CREATE TABLE leads AS SELECT * FROM read_csv('{CASE / 'leads.csv'}', all_varchar=true)")
    conn.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{CASE / 'events.csv'}', all_varchar=true)")
    conn.close()
    result = runner.invoke(
        app,
        ["score", str(CASE / "scorecard.yaml"), "--leads", "table:leads", "--events", "table:events", "--as-of", "2026-06-01T12:00:00Z",
         "--database", str(database), "--output", "table:scores"],
    )
    assert result.exit_code == 0, result.output
    table = duckdb.connect(str(database)).sql("SELECT * FROM scores").to_arrow_table()
    _same_as_expected(table, CASE)


@pytest.mark.postgres
def test_postgres_tables_in_and_out(postgres_url: str, pg_schema: str) -> None:
    import psycopg

    schema = pg_schema
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {schema}.leads (lead_id text, created_at timestamptz, account_id text, email text, job_title text, employees text, country text, industry text)")
        conn.execute(f"CREATE TABLE {schema}.events (event_id bigint, lead_id text, event text, timestamp timestamptz, form text, url text)")
        for table in ("leads", "events"):
            with (CASE / f"{table}.csv").open() as handle, conn.cursor().copy(f"COPY {schema}.{table} FROM STDIN (FORMAT csv, HEADER true)") as copy:
                copy.write(handle.read())
    result = runner.invoke(
        app,
        ["score", str(CASE / "scorecard.yaml"), "--leads", f"table:{schema}.leads", "--events", f"table:{schema}.events",
         "--as-of", "2026-06-01T12:00:00Z", "--database", postgres_url, "--output", f"table:{schema}.scores"],
    )
    assert result.exit_code == 0, result.output
    with psycopg.connect(postgres_url) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT * FROM {schema}.scores")
        names = [c.name for c in cur.description or []]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    _same_as_expected(pa.Table.from_pylist(rows), CASE)


def test_unknown_table_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="table:nope"):
        LeadScorer(CASE / "scorecard.yaml", leads="table:nope", events=CASE / "events.csv", engine=str(tmp_path / "x.duckdb"))


def test_unique_events_skips_dedupe_only_when_asked() -> None:
    """With unique_events the caller vouches for unique ids, so a repeated id counts twice."""
    from leadscore.spec import scorecard_from_dict

    card = scorecard_from_dict(
        {"name": "t", "engagement": {"rules": [{"name": "views", "event": "page_view", "per": "event", "points": 1}]}, "stages": [{"name": "lead"}]}
    )
    leads = pa.table({"lead_id": ["a"]})
    events = pa.table({"event_id": ["e1", "e1"], "lead_id": ["a", "a"], "event": ["page_view"] * 2, "timestamp": ["2026-05-01T00:00:00Z"] * 2})
    exact = score_leads(card, leads=leads, events=events, as_of=AS_OF).to_pylist()[0]
    with LeadScorer(card, leads=leads, events=events, unique_events=True) as trusting:
        trusted = trusting.score(AS_OF).to_pylist()[0]
    assert exact["engagement.views"] == 1
    assert trusted["engagement.views"] == 2


def _primary_key_case(conn_execute) -> None:  # type: ignore[no-untyped-def]
    conn_execute("CREATE TABLE leads (lead_id TEXT)")
    conn_execute("INSERT INTO leads VALUES ('a')")
    conn_execute("CREATE TABLE events (event_id TEXT PRIMARY KEY, lead_id TEXT, event TEXT, timestamp TIMESTAMPTZ)")
    conn_execute("INSERT INTO events VALUES ('e1', 'a', 'page_view', '2026-05-01 00:00:00+00')")
    conn_execute("CREATE TABLE events_nokey (event_id TEXT, lead_id TEXT, event TEXT, timestamp TIMESTAMPTZ)")


def test_duckdb_primary_key_on_event_id_skips_dedupe(tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    conn = duckdb.connect(str(database))
    _primary_key_case(lambda sql: conn.execute(sql).fetchall())
    conn.close()
    with LeadScorer(CASE / "scorecard.yaml", leads="table:leads", events="table:events", engine=str(database)) as keyed:
        assert keyed.sources.events.unique_event_ids
        assert not keyed.sources.events.needs_dedupe
    with LeadScorer(CASE / "scorecard.yaml", leads="table:leads", events="table:events_nokey", engine=str(database)) as plain:
        assert plain.sources.events.needs_dedupe


@pytest.mark.postgres
def test_postgres_primary_key_on_event_id_skips_dedupe(postgres_url: str, pg_schema: str) -> None:
    import psycopg

    schema = pg_schema
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"SET search_path TO {schema}")
        _primary_key_case(conn.execute)
    kwargs = {"leads": f"table:{schema}.leads", "engine": postgres_url}
    with LeadScorer(CASE / "scorecard.yaml", events=f"table:{schema}.events", **kwargs) as keyed:
        assert keyed.sources.events.unique_event_ids
        assert [r["engagement"] for r in keyed.score(AS_OF).to_pylist()] == [0.0]
    with LeadScorer(CASE / "scorecard.yaml", events=f"table:{schema}.events_nokey", **kwargs) as plain:
        assert plain.sources.events.needs_dedupe


def test_points_are_floating_point_numbers_in_every_output() -> None:
    table = score_leads(CASE / "scorecard.yaml", leads=CASE / "leads.csv", events=CASE / "events.csv", as_of=AS_OF)
    for column in ("fit", "engagement", "score", "fit.decision-maker", "engagement.email-clicks"):
        assert pa.types.is_float64(table.schema.field(column).type), column
    assert pa.types.is_integer(table.schema.field("level").type)


def test_scoring_with_a_progress_display_reads_the_same_inputs() -> None:
    """The progress display runs the query in a worker thread; it must see the loaded inputs."""
    from leadscore.engines.duckdb import DuckDBEngine

    reports: list[float] = []
    engine = DuckDBEngine(progress=reports.append)
    with engine, LeadScorer(CASE / "scorecard.yaml", leads=CASE / "leads.csv", events=CASE / "events.csv", engine=engine) as scorer:
        table = scorer.score(AS_OF)
    _same_as_expected(table, CASE)
    assert all(0 <= r <= 100 for r in reports)


def test_jsonl_events_with_nested_properties_objects(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"lead_id": "maria", "event": "form_submit", "timestamp": "2026-05-31T12:00:00Z", "event_id": 4, "properties": {"form": "Free-Consultation", "n": 3}}\n'
        '{"lead_id": "bob", "event": "form_submit", "timestamp": "2026-05-31T12:00:00Z", "event_id": 5, "properties": {"form": "newsletter"}}\n'
        '{"lead_id": "carla", "event": "page_view", "timestamp": "2026-05-31T12:00:00Z", "properties": null}\n'
    )
    rows = {r["lead_id"]: r for r in score_leads(CASE / "scorecard.yaml", leads=CASE / "leads.csv", events=events, as_of=AS_OF).to_pylist()}
    assert abs(rows["maria"]["engagement.consultation-form"] - 78.17) < 0.01
    assert rows["bob"]["engagement.consultation-form"] == 0
    assert rows["carla"]["engagement.consultation-form"] == 0


def test_fit_only_scoring_without_events_and_with_another_id_column(tmp_path: Path) -> None:
    """A static file (no events, its own id column) scores with a scorecard of fit rules."""
    leads = _write(tmp_path / "leads.csv", "Prospect ID,job_title,country\np1,Head of Sales,ES\np2,intern,FR\n")
    card = tmp_path / "card.yaml"
    card.write_text(
        "name: static\nfit:\n  rules:\n    - {name: boss, if: {field: job_title, contains: head}, points: 10}\n"
        "    - {name: abroad, if: {field: country, not_in: [ES]}, points: -5}\nstages:\n  - {name: lead}\n"
    )
    output = tmp_path / "out.csv"
    result = runner.invoke(app, ["score", str(card), "--leads", str(leads), "--id-column", "Prospect ID", "--output", str(output)])
    assert result.exit_code == 0, result.output
    rows = {r["lead_id"]: r for r in csv.DictReader(output.open())}
    assert (rows["p1"]["fit"], rows["p2"]["fit"]) == ("10.0", "-5.0")


@pytest.mark.parametrize(
    ("header", "message"),
    [("id,job_title\n", "no id column 'Prospect ID'"), ("Prospect ID,lead_id\n", "has both lead_id and 'Prospect ID'")],
)
def test_id_column_problems_exit_2(tmp_path: Path, header: str, message: str) -> None:
    leads = _write(tmp_path / "leads.csv", header + "a,b\n")
    result = runner.invoke(
        app, ["score", str(CASE / "scorecard.yaml"), "--leads", str(leads), "--id-column", "Prospect ID", "--output", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2 and message in result.output
