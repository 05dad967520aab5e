"""The one place that maps a ``--database`` value to an engine.

Each engine registers an ``EngineSpec``: which targets are its own (a URL scheme, a keyword),
how to open one, and which options it understands. ``connect`` asks the specs in order; the
last one, DuckDB, takes any other text as the path of a database file. Engine modules are
imported only when one is opened (the CLI starts without DuckDB or psycopg).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadscore.errors import UnsupportedError, parameter

if TYPE_CHECKING:
    from collections.abc import Callable

    from leadscore.engines.base import Engine


@dataclass(frozen=True)
class EngineSpec:
    """How to recognise and open one kind of engine."""

    name: str
    claims: Callable[[str], bool]
    """Whether a ``--database`` text names this engine."""
    factory: str
    """``module:Class`` of the engine, called as ``Class(target, **options)``."""
    options: frozenset[str] = frozenset()
    """The options it understands; others (a DuckDB memory limit on PostgreSQL, say) are dropped."""

    def open(self, target: str, **options: Any) -> Engine:
        module, _, attribute = self.factory.partition(":")
        engine_class = getattr(importlib.import_module(module), attribute)
        return engine_class(target, **{k: v for k, v in options.items() if k in self.options and v is not None})


_SPECS: list[EngineSpec] = []


def register(spec: EngineSpec, *, fallback: bool = False) -> None:
    """Add an engine; a ``fallback`` engine is asked last (DuckDB: any other text is a file path)."""
    global _SPECS
    others = [s for s in _SPECS if s.name != spec.name]
    _SPECS = [*others, spec] if fallback else [spec, *others]


def engine_names() -> list[str]:
    return [s.name for s in _SPECS]


def spec_for(target: str) -> EngineSpec:
    """The spec of the engine that ``target`` names."""
    for spec in _SPECS:
        if spec.claims(target):
            return spec
    raise UnsupportedError(f"no engine for database {target!r}: use a DuckDB file path or one of {', '.join(engine_names())}")


def connect(target: str | Path | Engine | None = None, **options: Any) -> Engine:
    """An engine from a name, a DuckDB file path or a URL; an Engine is returned as it is.

    ``None``, ``"duckdb"`` or ``":memory:"``: DuckDB in memory. ``postgresql://...``: PostgreSQL.
    Any other text: a DuckDB database file. ``options`` (``progress``, ``memory_limit``,
    ``threads``, ``temp_directory``) go to the engines that understand them.
    """
    from leadscore.engines.base import Engine

    if isinstance(target, Engine):
        return target
    text = str(target) if target is not None else ":memory:"
    return spec_for(text).open(text, **options)


def _refuse_bare_postgres(target: str) -> bool:
    if target.lower() in ("postgres", "postgresql"):
        raise UnsupportedError(f"PostgreSQL needs a URL: {parameter('database')} postgresql://user@host:5432/db")
    return False


register(
    EngineSpec("duckdb", lambda t: not _refuse_bare_postgres(t), "leadscore.engines.duckdb:DuckDBEngine",
               frozenset({"progress", "memory_limit", "threads", "temp_directory"})),
    fallback=True,
)
_LIBPQ_KEYWORDS = re.compile(r"^\s*(host|hostaddr|port|dbname|user|password|service|sslmode|connect_timeout)\s*=")
"""A libpq ``key=value`` connection string (``host=db dbname=crm``) names PostgreSQL, not a DuckDB file."""

register(
    EngineSpec(
        "postgres", lambda t: t.startswith(("postgresql://", "postgres://")) or bool(_LIBPQ_KEYWORDS.match(t)),
        "leadscore.engines.postgres:PostgresEngine",
    )
)
