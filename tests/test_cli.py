"""The commands other than score: validate, explain, top, sql, schema."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from tests.conftest import GOLDEN

CASE = GOLDEN / "spec-example"
DATA = ["--leads", str(CASE / "leads.csv"), "--events", str(CASE / "events.csv"), "--as-of", "2026-06-01T12:00:00Z"]
runner = CliRunner()


def test_help_texts_are_readable() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "validate", "score", "explain", "top", "sql", "schema", "demo"):
        assert command in result.output
    score_help = runner.invoke(app, ["score", "--help"])
    assert "--as-of" in score_help.output and "--output" in score_help.output


def test_validate_ok_and_warnings_for_missing_fields(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(
        (CASE / "scorecard.yaml").read_text()
        .replace("field: job_title", "field: jobtitle")
        .replace("field: form, equals", "field: formular, equals")
        .replace("event: email_open", "event: e-mail-open")
    )
    result = runner.invoke(app, ["validate", str(card), "--leads", str(CASE / "leads.csv"), "--events", str(CASE / "events.csv")])
    assert result.exit_code == 0, result.output
    assert "field 'jobtitle': the leads have no column 'jobtitle'" in result.output
    assert "event property 'formular'" in result.output
    assert "event type 'e-mail-open' does not occur" in result.output
    assert "ok:" in result.output and "3 warnings" in result.output


def test_validate_warns_about_settings_without_effect(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(
        "name: t\nengagement:\n  rules:\n    - {name: a, event: x, at_least: 2, decay: {half_life: 7d}, points: 5}\n"
        "stages:\n  - {name: lead}\n  - {name: never, min_score: 5}\n"
    )
    result = runner.invoke(app, ["validate", str(card)])
    assert result.exit_code == 0
    assert "decay has no effect on threshold rules" in result.output
    assert "the stages below it are never reached" in result.output


def test_explain_lists_rules_points_and_events() -> None:
    result = runner.invoke(app, ["explain", str(CASE / "scorecard.yaml"), "maria", *DATA, "--json"])
    assert result.exit_code == 0, result.output
    [explained] = json.loads(result.output)
    assert explained["score"]["stage"] == "SQL"
    rules = {r["rule"]: r for r in explained["rules"]}
    form = rules["consultation-form"]
    assert form["fired"] and abs(form["points"] - 78.17) < 0.01 and form["half_life_days"] == 30
    assert [e["event"] for e in form["events"]] == ["form_submit"]
    assert abs(form["events"][0]["weight"] - 0.9772) < 0.001
    # the re-sent event 9 counts once: five opens
    assert len(rules["email-opener"]["events"]) == 5
    assert not rules["outside-territory"]["fired"]
    # fit rules show the lead's values they read
    assert rules["decision-maker"]["fields"] == {"job_title": "Directora de Marketing"}
    assert rules["b2b-software"]["fields"] == {"industry": "SaaS", "email": "maria@acme.io"}


def test_explain_unknown_lead_fails() -> None:
    result = runner.invoke(app, ["explain", str(CASE / "scorecard.yaml"), "nobody", *DATA])
    assert result.exit_code == 1
    assert "'nobody' is not in the leads table" in result.output


def test_top_orders_by_priority_then_score(tmp_path: Path) -> None:
    output = tmp_path / "top.csv"
    result = runner.invoke(app, ["top", str(CASE / "scorecard.yaml"), *DATA, "-n", "3", "--output", str(output)])
    assert result.exit_code == 0, result.output
    rows = duckdb.connect().sql(f"SELECT lead_id, priority, score FROM '{output}'").fetchall()
    assert [r[0] for r in rows] == ["maria", "maria2", "carla", "dan", "erin", "bob"]
    assert "maria" in result.output and "Call list (3 of 6 leads)" in result.output


def test_top_filters_by_stage() -> None:
    result = runner.invoke(app, ["top", str(CASE / "scorecard.yaml"), *DATA, "--stage", "SQL"])
    assert result.exit_code == 0
    assert "(1 of 1 leads)" in result.output


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark", "bigquery", "snowflake"])
def test_sql_prints_one_query_per_dialect(dialect: str) -> None:
    result = runner.invoke(app, ["sql", str(CASE / "scorecard.yaml"), "--dialect", dialect, "--as-of", "2026-06-01"])
    assert result.exit_code == 0, result.output
    assert result.output.count("SELECT") > 3 and result.output.strip().endswith(";")


def test_sql_duckdb_output_runs_on_canonical_tables() -> None:
    result = runner.invoke(app, ["sql", str(CASE / "scorecard.yaml"), "--as-of", "2026-06-01T12:00:00Z"])
    conn = duckdb.connect()
    conn.execute("SET TimeZone='UTC'")
    conn.execute(f"CREATE TABLE leads AS SELECT * REPLACE (CAST(created_at AS TIMESTAMPTZ) AS created_at) FROM read_csv('{CASE / 'leads.csv'}', all_varchar=true)")
    conn.execute(f"CREATE TABLE events AS SELECT * REPLACE (CAST(timestamp AS TIMESTAMPTZ) AS timestamp) FROM read_csv('{CASE / 'events.csv'}', all_varchar=true)")
    rows = conn.sql(result.output).fetchall()
    assert {r[0]: r[3] for r in rows}["maria"] == 100.0


def test_sql_unknown_dialect_exit_2() -> None:
    result = runner.invoke(app, ["sql", str(CASE / "scorecard.yaml"), "--dialect", "oracle"])
    assert result.exit_code == 2
    assert "unknown SQL dialect 'oracle'" in result.output


def test_bad_as_of_exit_2() -> None:
    result = runner.invoke(app, ["score", str(CASE / "scorecard.yaml"), *DATA[:4], "--as-of", "yesterday", "--output", "x.csv"])
    assert result.exit_code == 2
    assert "--as-of 'yesterday' is not an ISO-8601 timestamp" in result.output


def test_init_makes_a_project_that_scores(tmp_path: Path) -> None:
    project = tmp_path / "project"
    result = runner.invoke(app, ["init", str(project), "--leads", "200"])
    assert result.exit_code == 0, result.output
    data = project / "data"
    assert (project / "scorecard.yaml").exists() and (data / "events.csv").exists()
    output = tmp_path / "scores.csv"
    scored = runner.invoke(
        app,
        ["score", str(project / "scorecard.yaml"), "--leads", str(data / "leads.csv"), "--events", str(data / "events.csv"),
         "--accounts", str(data / "accounts.csv"), "--output", str(output)],
    )
    assert scored.exit_code == 0, scored.output
    assert duckdb.connect().sql(f"SELECT count(*) FROM '{output}'").fetchall() == [(200,)]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_demo_scores_sample_data_and_summarizes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--output", str(tmp_path / "demo"), "--leads", "300"])
    assert result.exit_code == 0, result.output
    assert "Top 10 leads" in result.output and "stages:" in result.output and "labels:" in result.output
    rows = duckdb.connect().sql(f"SELECT stage, count(*) FROM '{tmp_path / 'demo' / 'scores.csv'}' GROUP BY stage").fetchall()
    assert sum(n for _, n in rows) == 300


def test_score_memory_limit_is_checked(tmp_path: Path) -> None:
    args = ["score", str(CASE / "scorecard.yaml"), *DATA, "--output", str(tmp_path / "o.csv")]
    assert runner.invoke(app, [*args, "--memory-limit", "1GB"]).exit_code == 0
    bad = runner.invoke(app, [*args, "--memory-limit", "1GB'; DROP TABLE x; --"])
    assert bad.exit_code == 2 and "is not a size" in bad.output


def test_cli_starts_without_importing_heavy_libraries() -> None:
    import subprocess
    import sys

    code = "import sys, leadscore.cli; print(sorted(m for m in ('pandas', 'sklearn', 'numpy', 'duckdb', 'pyarrow', 'psycopg') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
