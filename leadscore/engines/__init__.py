"""Engines that run compiled scorecards: DuckDB (embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leadscore.engines.base import Engine
from leadscore.errors import UnsupportedError

ENGINE_NAMES = ("duckdb", "postgres")


def connect(target: str | Path | Engine | None = None, **options: Any) -> Engine:
    """An engine from a name, a DuckDB file path or a PostgreSQL URL.

    ``None`` or ``"duckdb"`` or ``":memory:"``: DuckDB in memory. A path ending in
    ``.duckdb``/``.db``: that DuckDB database file. ``postgresql://...``: PostgreSQL.
    """
    if isinstance(target, Engine):
        return target
    text = str(target) if target is not None else ":memory:"
    if text.startswith(("postgresql://", "postgres://")):
        from leadscore.engines.postgres import PostgresEngine

        return PostgresEngine(text)
    if text in ("duckdb", ":memory:"):
        from leadscore.engines.duckdb import DuckDBEngine

        return DuckDBEngine(":memory:", **options)
    if text in ("postgres", "postgresql"):
        raise UnsupportedError("PostgreSQL needs a URL: --database postgresql://user@host:5432/db")
    from leadscore.engines.duckdb import DuckDBEngine

    return DuckDBEngine(text, **options)


__all__ = ["ENGINE_NAMES", "Engine", "connect"]
