"""Back-tests and threshold advice run on PostgreSQL as they do on DuckDB, with the same answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.report.backtest import backtest
from leadscore.report.thresholds import propose_thresholds
from tests.report.conftest import tiny_history, write_csvs

runner = CliRunner()
CUTOFFS = "2026-02-14,2026-03-06"
pytestmark = pytest.mark.postgres


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The parts of a back-test that depend on the data, not on where it ran."""
    settings = {k: v for k, v in document["settings"].items() if k != "sources"}
    return {**{k: document[k] for k in ("data", "evaluation", "scorecards", "reference_models", "time_to_outcome")}, "settings": settings}


def test_backtest_on_postgres_equals_duckdb(tmp_path: Path, tiny_card: Path, postgres_url: str) -> None:
    files = write_csvs(tiny_history(), tmp_path)
    inputs = {"leads": files["leads"], "events": files["events"], "outcomes": files["outcomes"]}
    options = {"horizon": "30d", "cutoffs": CUTOFFS, "bootstrap_rounds": 20, "folds": 3}
    on_duckdb = backtest(tiny_card, **inputs, **options).to_dict()
    on_postgres = backtest(tiny_card, **inputs, **options, database=postgres_url).to_dict()
    assert on_duckdb["reference_models"] is not None  # the event features ran too
    assert _comparable(on_postgres) == _comparable(on_duckdb)


def _tables_in(postgres_url: str, schema: str, folder: Path) -> None:
    import psycopg

    columns = {
        "leads": "lead_id text, created_at timestamptz, title text",
        "events": "lead_id text, event text, timestamp timestamptz",
        "outcomes": "lead_id text, outcome text, timestamp timestamptz, amount double precision",
    }
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for table, definition in columns.items():
            conn.execute(f"CREATE TABLE {schema}.{table} ({definition})")
            with (folder / f"{table}.csv").open() as handle, conn.cursor().copy(
                f"COPY {schema}.{table} FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy:
                copy.write(handle.read())


def test_backtest_and_thresholds_commands_read_postgres_tables(tmp_path: Path, tiny_card: Path, postgres_url: str, pg_schema: str) -> None:
    files = write_csvs(tiny_history(), tmp_path)
    _tables_in(postgres_url, pg_schema, tmp_path)
    tables = ["--leads", f"table:{pg_schema}.leads", "--events", f"table:{pg_schema}.events", "--outcomes", f"table:{pg_schema}.outcomes"]
    fast = ["--no-weekly", "--no-reference", "--horizon", "30d", "--cutoffs", CUTOFFS]
    from_tables = tmp_path / "tables.json"
    result = runner.invoke(app, ["backtest", str(tiny_card), *tables, *fast, "--database", postgres_url, "--json", str(from_tables)])
    assert result.exit_code == 0, result.output
    from_files = tmp_path / "files.json"
    inputs = ["--leads", str(files["leads"]), "--events", str(files["events"]), "--outcomes", str(files["outcomes"])]
    result = runner.invoke(app, ["backtest", str(tiny_card), *inputs, *fast, "--json", str(from_files)])
    assert result.exit_code == 0, result.output
    assert _comparable(json.loads(from_tables.read_text())) == _comparable(json.loads(from_files.read_text()))

    advice = tmp_path / "thresholds.json"
    result = runner.invoke(
        app, ["thresholds", str(tiny_card), *tables, "--capacity", "1/week", "--horizon", "30d", "--database", postgres_url, "--json", str(advice)]
    )
    assert result.exit_code == 0, result.output
    on_duckdb = propose_thresholds(
        tiny_card, leads=files["leads"], events=files["events"], outcomes=files["outcomes"], capacity="1/week", horizon="30d"
    ).to_dict()
    assert json.loads(advice.read_text())["proposals"] == json.loads(json.dumps(on_duckdb["proposals"], default=str))
