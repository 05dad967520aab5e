"""Shared fixtures: the golden cases, a PostgreSQL URL (or a clear skip), a fixed as_of."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden_cases"
SHARED = HERE.parent.parent / "shared"
AS_OF = datetime(2026, 6, 1, 12, tzinfo=UTC)
POSTGRES_URL = os.environ.get("LEADSCORE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def golden_cases() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if p.is_dir())


def _postgres_problem() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'leadscore[postgres]')"
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"no PostgreSQL server at {POSTGRES_URL} ({str(exc).strip().splitlines()[0]}); set LEADSCORE_TEST_POSTGRES_URL"
    return None


_PG_PROBLEM: list[str | None] = []


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a reachable PostgreSQL server, or a skip that says why there is none.

    With LEADSCORE_REQUIRE_POSTGRES=1 (set by .ci/run) a missing server fails instead.
    """
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_postgres_problem())
    problem = _PG_PROBLEM[0]
    if problem:
        if os.environ.get("LEADSCORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here (LEADSCORE_REQUIRE_POSTGRES=1): {problem}")
        pytest.skip(problem)
    return POSTGRES_URL


@pytest.fixture
def as_of() -> datetime:
    return AS_OF


@pytest.fixture
def pg_schema(postgres_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL schema named after the test, dropped afterwards."""
    import psycopg

    schema = "leadscore_" + request.node.name.removeprefix("test_")[:40]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    yield schema
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
