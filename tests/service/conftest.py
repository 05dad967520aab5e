"""Stores for the service tests: a DuckDB file and a PostgreSQL schema (skipped without a server)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

CARD = """\
name: svc
fit:
  rules:
    - {name: decision-maker, if: {field: job_title, contains_any: [director, vp]}, points: 20}
    - {name: big-account, if: {field: account.employees, gte: 100}, points: 10}
  grades: {A: 20, B: 10}
engagement:
  rules:
    - {name: demo, event: demo_request, points: 50}
    - {name: visits, event: page_view, per: event, points: 5, max: 20}
    - {name: opener, event: email_open, at_least: 2, points: 7}
  levels: {1: 50, 2: 10}
stages:
  - {name: SQL, min_score: 70}
  - {name: MQL, min_score: 25}
  - {name: lead}
labels:
  hot: [A1, B1]
  cold: ["*"]
"""


def pg_store_url(postgres_url: str, schema: str) -> str:
    separator = "&" if "?" in postgres_url else "?"
    return f"{postgres_url}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL store URL on a fresh schema, dropped afterwards."""
    import psycopg

    schema = "ls_svc_" + secrets.token_hex(4)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield pg_store_url(postgres_url, schema)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a DuckDB file path, or a PostgreSQL URL on a fresh schema."""
    if request.param == "duckdb":
        return str(tmp_path / "store.duckdb")
    return request.getfixturevalue("pg_store")


@pytest.fixture
def card_file(tmp_path: Path) -> Path:
    path = tmp_path / "svc.yaml"
    path.write_text(CARD)
    return path
