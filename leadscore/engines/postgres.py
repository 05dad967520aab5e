"""PostgreSQL: the production store. The same compiled query as on DuckDB, in its dialect.

Files and DataFrames are read and checked by DuckDB (the same checks as the embedded
engine), then copied into temporary tables of the session. Tables already in the database
(``table:NAME``) are read where they are, through temporary views that give them the
canonical column types.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import duckdb
import pyarrow as pa

from leadscore.compiler.sources import Kind, Table
from leadscore.engines.base import Engine
from leadscore.errors import EngineError, InputError, UnsupportedError
from leadscore.io.load import ID_COLUMNS, REQUIRED, TIME_COLUMNS, DuckDBLoader, kind_of, unique_key_covers_event_id
from leadscore.io.sources import TableRef

if TYPE_CHECKING:
    import psycopg
    from sqlglot import exp

PG_TYPES = {Kind.NUMBER: "double precision", Kind.TIMESTAMP: "timestamptz", Kind.TEXT: "text", Kind.JSON: "text"}
PG_NUMERIC = {"smallint", "integer", "bigint", "real", "double precision", "numeric", "decimal"}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresEngine(Engine):
    """Runs scorecards in PostgreSQL.

    Args:
        url: a libpq connection string, e.g. ``postgresql://user@host:5432/db``.
    """

    name: ClassVar[str] = "postgres"
    dialect: ClassVar[str] = "postgres"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise EngineError("PostgreSQL needs psycopg: pip install 'leadscore[postgres]'") from exc
        try:
            self.conn: psycopg.Connection[Any] = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise EngineError(f"cannot connect to PostgreSQL at {_redact(url)}: {str(exc).strip()}") from exc
        self.conn.execute("SET TIME ZONE 'UTC'")
        self._staging = duckdb.connect()
        self._staging.execute("SET TimeZone = 'UTC'")
        self._loader = DuckDBLoader(self._staging)
        self._counter = 0

    # -- inputs --------------------------------------------------------------------
    def load(self, role: str, source: Any, *, validate: bool = True, id_column: str | None = None) -> Table:
        self._counter += 1
        name = f"__ls_in_{role}_{self._counter}"
        if isinstance(source, TableRef):
            if id_column not in (None, "lead_id"):
                raise UnsupportedError(f"{source}: --id-column works on files and DataFrames; for a table, create a view with a lead_id column")
            return self._view_over_table(role, source, name)
        loaded = self._loader.load(role, source, validate=validate, id_column=id_column)
        kinds = loaded.table.columns
        columns = ", ".join(f"{_ident(c)} {PG_TYPES.get(k, 'text')}" for c, k in kinds.items())
        self.conn.execute(f"CREATE TEMP TABLE {_ident(name)} ({columns})")
        self._copy_in(loaded.view, name, list(kinds))
        if role in ("events", "leads"):
            self.conn.execute(f"CREATE INDEX ON {_ident(name)} (lead_id)")
        self.conn.execute(f"ANALYZE {_ident(name)}")
        return Table((name,), {c: (Kind.TEXT if k is Kind.OTHER else k) for c, k in kinds.items()})

    def _copy_in(self, view: str, table: str, columns: list[str]) -> None:
        """Stream the canonical rows from DuckDB into PostgreSQL with COPY (CSV)."""
        select = ", ".join(f"CAST({_ident(c)} AS VARCHAR) AS {_ident(c)}" for c in columns)
        with tempfile.TemporaryDirectory(prefix="leadscore-") as folder:
            path = Path(folder) / "rows.csv"
            self._staging.execute(
                f"COPY (SELECT {select} FROM {_ident(view)}) TO '{str(path).replace(chr(39), chr(39) * 2)}' "
                "(FORMAT csv, HEADER false, FORCE_QUOTE *)"
            )
            names = ", ".join(_ident(c) for c in columns)
            # every present value is quoted, so an unquoted empty field is NULL and "" is an empty text
            with self.conn.cursor() as cur, cur.copy(f"COPY {_ident(table)} ({names}) FROM STDIN (FORMAT csv)") as copy, path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)

    def _view_over_table(self, role: str, ref: TableRef, name: str) -> Table:
        source = ".".join(_ident(p) for p in ref.name)
        try:
            with self.conn.cursor() as cur:
                cur.execute(f"SELECT * FROM {source} LIMIT 0")
                described = [(c.name, self._type_name(c.type_code)) for c in cur.description or []]
        except Exception as exc:
            raise InputError(f"{ref}: cannot read the table: {str(exc).strip()}") from exc
        columns = [c for c, _ in described]
        missing = [c for c in REQUIRED[role] if c not in columns]
        if missing:
            raise InputError(f"{ref}: missing required column(s) {', '.join(map(repr, missing))} (found {', '.join(columns)})")
        parts = []
        kinds: dict[str, Kind] = {}
        for column, type_name in described:
            col = _ident(column)
            if column in ID_COLUMNS:
                parts.append(f"NULLIF(CAST({col} AS text), '') AS {col}")
                kinds[column] = Kind.TEXT
            elif column in TIME_COLUMNS[role]:
                parts.append(f"CAST({col} AS timestamptz) AS {col}")
                kinds[column] = Kind.TIMESTAMP
            elif role == "events" and column == "properties":
                parts.append(f"CAST({col} AS text) AS {col}")
                kinds[column] = Kind.JSON
            else:
                parts.append(col)
                kinds[column] = Kind.NUMBER if type_name in PG_NUMERIC else Kind.TEXT if type_name in ("text", "character varying", "character") else Kind.OTHER
        self.conn.execute(f"CREATE TEMP VIEW {_ident(name)} AS SELECT {', '.join(parts)} FROM {source}")
        unique = role == "events" and self._has_unique_event_ids(source)
        return Table((name,), kinds, unique_event_ids=unique)

    def _has_unique_event_ids(self, source: str) -> bool:
        """Whether a unique index of the table makes (lead_id, event_id) unique."""
        rows = self.conn.execute(
            "SELECT array_agg(a.attname::text) FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = to_regclass(%s) AND i.indisunique GROUP BY i.indexrelid",
            [source],
        ).fetchall()
        return any(unique_key_covers_event_id(list(r[0])) for r in rows)

    def _type_name(self, oid: int) -> str:
        row = self.conn.execute("SELECT format_type(%s, NULL)", [oid]).fetchone()
        return str(row[0]) if row else "unknown"

    # -- running ----------------------------------------------------------------------
    def execute(self, query: exp.Expression) -> pa.Table:
        import psycopg

        sql = query.sql(dialect=self.dialect)
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql)
                names = [c.name for c in cur.description or []]
                rows = cur.fetchall()
        except psycopg.Error as exc:
            raise EngineError(f"PostgreSQL failed: {str(exc).strip()}") from exc
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table({n: pa.array(list(col)) if rows else pa.array([], pa.null()) for n, col in zip(names, columns, strict=True)})

    def write_table(self, query: exp.Expression, target: TableRef) -> None:
        import psycopg

        name = ".".join(_ident(p) for p in target.name)
        sql = query.sql(dialect=self.dialect)
        try:
            with self.conn.transaction():
                self.conn.execute(f"DROP TABLE IF EXISTS {name}")
                self.conn.execute(f"CREATE TABLE {name} AS {sql}")
        except psycopg.Error as exc:
            raise InputError(f"{target}: cannot write the table: {str(exc).strip()}") from exc

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        self._staging.close()


def _redact(url: str) -> str:
    """Hide a password in a connection URL."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        auth, host = rest.rsplit("@", 1)
        user = auth.split(":", 1)[0]
        return f"{scheme}://{user}@{host}" if ":" in auth else url
    return url


__all__ = ["PostgresEngine", "kind_of"]
