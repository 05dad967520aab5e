"""SQL for the store: DuckDB-dialect text parsed by sqlglot, rendered by each engine in its dialect.

The store never sends text to a database itself: it builds trees here and hands them to the
engine's methods (``run``, ``execute``, ``rows``, ``transaction``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime

import sqlglot
from sqlglot import exp


@functools.lru_cache(maxsize=512)
def _parsed(text: str) -> exp.Expression:
    return sqlglot.parse_one(text, read="duckdb")


def sql(text: str) -> exp.Expression:
    """DuckDB-dialect text as a sqlglot tree (cached; engines render it, they do not change it)."""
    return _parsed(text)


def ident(name: str) -> str:
    """A quoted identifier (any text, safely escaped)."""
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def lit(value: str) -> str:
    """A string literal (any text, safely escaped)."""
    return exp.Literal.string(value).sql("duckdb")


def moment(value: datetime) -> str:
    """A timestamp literal."""
    return f"CAST({lit(value.isoformat(sep=' '))} AS TIMESTAMPTZ)"


def in_list(column: str, values: Iterable[str]) -> str:
    """``column IN ('a', 'b')``; never true for an empty list."""
    items = [lit(v) for v in values]
    return f"{column} IN ({', '.join(items)})" if items else "FALSE"
