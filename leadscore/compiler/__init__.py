"""Compile a scorecard to one SQL query (a sqlglot tree) that any supported engine runs."""

from __future__ import annotations

from datetime import datetime

from sqlglot import exp

from leadscore.compiler.dialects import DIALECTS, Dialect, normalize_dialect
from leadscore.compiler.query import ACCOUNT_COLUMNS, OUTPUT_COLUMNS, CompileOptions, QueryBuilder
from leadscore.compiler.sources import Kind, Sources, Table
from leadscore.spec.scorecard import Scorecard


def compile_scorecard(
    card: Scorecard,
    sources: Sources,
    *,
    as_of: datetime,
    dialect: str | Dialect = "duckdb",
    lead_ids: list[str] | None = None,
) -> exp.Select:
    """The query that scores every lead (or just ``lead_ids``) as of ``as_of``.

    Args:
        card: a validated scorecard.
        sources: the input tables and their columns.
        as_of: the moment of scoring; time-zone aware. Events after it do not count.
        dialect: the SQL dialect the tree is built for (see ``DIALECTS``).
        lead_ids: score only these leads; other leads' events are never read.
    """
    options = CompileOptions(as_of=as_of, dialect=dialect, lead_ids=tuple(lead_ids) if lead_ids is not None else None)
    return QueryBuilder(card, sources, options).build()


def compile_sql(card: Scorecard, sources: Sources, *, as_of: datetime, dialect: str | Dialect = "duckdb", pretty: bool = True) -> str:
    """The scoring query as SQL text for ``dialect``."""
    profile = normalize_dialect(dialect)
    return compile_scorecard(card, sources, as_of=as_of, dialect=profile).sql(dialect=profile.name, pretty=pretty)


__all__ = [
    "ACCOUNT_COLUMNS",
    "DIALECTS",
    "OUTPUT_COLUMNS",
    "CompileOptions",
    "Dialect",
    "Kind",
    "QueryBuilder",
    "Sources",
    "Table",
    "compile_scorecard",
    "compile_sql",
]
