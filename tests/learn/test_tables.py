"""learn reads table:NAME inputs through the engine (DuckDB files, PostgreSQL) and learns what it learns from files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.learn import learn_scorecard
from tests.learn.factories import synthetic

runner = CliRunner()
AS_OF = "2026-03-01"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Leads (a number column with gaps), events and timestamped outcomes as CSV files, and leads with an outcome column."""
    data = synthetic(800, seed=3)
    folder = tmp_path_factory.mktemp("learn-tables")
    paths = {name: folder / f"{name}.csv" for name in ("leads", "events", "outcomes", "with_outcome")}
    data.leads.to_csv(paths["leads"], index=False)
    data.events.to_csv(paths["events"], index=False)
    outcomes = data.leads.loc[data.y == 1, ["lead_id"]].assign(outcome="won", timestamp="2026-04-01T00:00:00Z")
    outcomes.to_csv(paths["outcomes"], index=False)
    data.leads_with_outcome().to_csv(paths["with_outcome"], index=False)
    return paths


def _learn_cli(tmp_path: Path, name: str, *args: str) -> str:
    output = tmp_path / f"{name}.yaml"
    result = runner.invoke(app, ["learn", *args, "--as-of", AS_OF, "--folds", "0", "--name", "learned", "--output", str(output)])
    assert result.exit_code == 0, result.output
    return output.read_text()


def _learn(leads: str, events: str, outcomes: str, database: str | None = None) -> str:
    result = learn_scorecard(leads, events=events, outcomes=outcomes, as_of=AS_OF, folds=0, database=database)
    return result.yaml("learned")


def test_learn_from_duckdb_tables_is_learn_from_files(files: dict[str, Path], tmp_path: Path) -> None:
    import duckdb

    database = tmp_path / "crm.duckdb"
    with duckdb.connect(str(database)) as conn:
        for name in ("leads", "events", "outcomes", "with_outcome"):  # typed by DuckDB's CSV sniffer: numbers, timestamps
            conn.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{files[name]}')")
        assert conn.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'leads' AND column_name = 'employees'").fetchone() == ("DOUBLE",)
    from_files = _learn_cli(
        tmp_path, "files", "--leads", str(files["leads"]), "--events", str(files["events"]), "--outcomes", str(files["outcomes"])
    )
    from_tables = _learn_cli(
        tmp_path, "tables", "--leads", "table:leads", "--events", "table:events", "--outcomes", "table:outcomes", "--database", str(database)
    )
    assert "employees" in from_files and "event_count[page_view]" in from_files  # numbers and events were learned from
    assert from_tables == from_files

    points = tmp_path / "points.yaml"
    args = ["--outcome-column", "converted", "--field", "industry", "--output", str(points)]
    by_file = runner.invoke(app, ["learn-points", "--leads", str(files["with_outcome"]), *args])
    file_points = points.read_text()
    by_table = runner.invoke(app, ["learn-points", "--leads", "table:with_outcome", "--database", str(database), *args])
    assert by_file.exit_code == 0 and by_table.exit_code == 0, by_table.output
    assert by_table.output == by_file.output and points.read_text() == file_points


def test_learn_from_a_missing_table_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, [
        "learn", "--leads", "table:nope", "--outcome-column", "converted", "--database", str(tmp_path / "empty.duckdb"),
        "--output", str(tmp_path / "c.yaml"),
    ])
    assert result.exit_code == 2
    assert "table:nope: cannot read the table" in " ".join(result.output.split())


@pytest.mark.postgres
def test_learn_from_postgres_tables_is_learn_from_files(files: dict[str, Path], postgres_url: str, pg_schema: str) -> None:
    import psycopg

    schema = pg_schema
    tables = {
        "leads": "lead_id text, employees double precision, industry text, country text",
        "events": "lead_id text, event text, timestamp timestamptz, event_id text",
        "outcomes": "lead_id text, outcome text, timestamp timestamptz",
    }
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for name, columns in tables.items():
            conn.execute(f"CREATE TABLE {schema}.{name} ({columns})")
            with files[name].open() as handle, conn.cursor().copy(f"COPY {schema}.{name} FROM STDIN (FORMAT csv, HEADER true)") as copy:
                copy.write(handle.read())
    from_files = _learn(str(files["leads"]), str(files["events"]), str(files["outcomes"]))
    from_tables = _learn(f"table:{schema}.leads", f"table:{schema}.events", f"table:{schema}.outcomes", database=postgres_url)
    assert "employees" in from_files and "event_count[page_view]" in from_files
    assert from_tables == from_files
    # files read by PostgreSQL (copied in) learn the same, too
    assert _learn(str(files["leads"]), str(files["events"]), str(files["outcomes"]), database=postgres_url) == from_files


def test_csv_columns_are_typed_as_pandas_read_csv_types_them(tmp_path: Path) -> None:
    import pandas as pd

    from leadscore.learn import read_frame

    path = tmp_path / "leads.csv"
    path.write_text(
        "lead_id,employees,score,zip,flag,partly,words,empty,code\n"
        "007,12,1.5,08001,True,TRUE,a,,1e3\n"
        "008,,2,08002,False,,NA,,-inf\n"
        "009,7,NA,08003,false,false,3,,.5\n"
    )
    ours = read_frame(path, "leads")
    theirs = pd.read_csv(path, dtype={"lead_id": str})
    assert ours["lead_id"].tolist() == ["007", "008", "009"]  # ids are text as written
    for column in ("employees", "score", "zip", "flag", "partly", "empty", "code"):
        assert ours[column].dtype == theirs[column].dtype, column
        pd.testing.assert_series_equal(ours[column], theirs[column], check_names=False)
    assert ours["words"].tolist() == ["a", "NA", "3"]  # text stays text as written (the scorecard reads 'NA' as a value)
    # a DataFrame keeps its types: text of digits is text
    frame = read_frame(pd.DataFrame({"lead_id": ["a", "b"], "code": ["1", "2"]}), "leads")
    assert frame["code"].tolist() == ["1", "2"]


def test_outcome_rows_without_timestamps_may_name_the_lead_by_the_id_column(tmp_path: Path) -> None:
    from leadscore.learn import read_frame

    path = tmp_path / "deals.csv"
    path.write_text("mql_id,won_date\nm1,2026-01-01\nm2,2026-01-02\n")
    rows = read_frame(path, "outcomes", id_column="mql_id")
    assert rows["lead_id"].tolist() == ["m1", "m2"]
    bad = tmp_path / "bad.csv"
    bad.write_text("lead_id,timestamp\nm1,yesterday\n")
    from leadscore.errors import InputError

    with pytest.raises(InputError, match="line 2: timestamp is not an ISO-8601 timestamp"):
        read_frame(bad, "outcomes")
