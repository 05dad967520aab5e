"""PostgreSQL: the production store. The same compiled query as on DuckDB, in its dialect.

Files and DataFrames are read and checked by DuckDB (the same checks as the embedded
engine), then copied into temporary tables of the session. Tables already in the database
(``table:NAME``) are read where they are, through temporary views that give them the
canonical column types.
"""

from __future__ import annotations

import contextlib
import copy
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import duckdb
import pyarrow as pa

from leadscore.compiler.dialects import DIALECTS, Dialect
from leadscore.compiler.sources import Kind, Table
from leadscore.engines.base import Engine
from leadscore.engines.duckdb_loader import FIRST_MOMENT, LAST_MOMENT, DuckDBLoader
from leadscore.errors import EngineError, InputError, UnsupportedError, parameter
from leadscore.io.roles import (
    ID_COLUMNS,
    NUMBER_COLUMNS,
    REQUIRED,
    SHOWN_ROWS,
    TEXT_COLUMNS,
    TIME_COLUMNS,
    missing_columns_message,
    unique_key_covers_event_id,
)
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
    dialect: ClassVar[Dialect] = DIALECTS["postgres"]

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._pool: Any = None
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

    # -- inputs --------------------------------------------------------------------
    def load(self, role: str, source: Any, *, validate: bool = True, id_column: str | None = None) -> Table:
        with self.lock:
            return self._load(role, source, validate=validate, id_column=id_column)

    def _load(self, role: str, source: Any, *, validate: bool, id_column: str | None) -> Table:
        name = self._fresh_name(f"in_{role}")
        if isinstance(source, TableRef):
            if id_column not in (None, "lead_id"):
                raise UnsupportedError(
                    f"{source}: {parameter('id_column')} works on files and DataFrames; for a table, create a view with a lead_id column"
                )
            return self._view_over_table(role, source, name, validate=validate)
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

    def _view_over_table(self, role: str, ref: TableRef, name: str, *, validate: bool = True) -> Table:
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
            raise InputError(missing_columns_message(role, str(ref), missing, columns))
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
            elif column in TEXT_COLUMNS.get(role, ()):
                parts.append(f"NULLIF(TRIM(CAST({col} AS text)), '') AS {col}" if role == "outcomes" else f"CAST({col} AS text) AS {col}")
                kinds[column] = Kind.TEXT
            elif column in NUMBER_COLUMNS.get(role, ()) and type_name in PG_NUMERIC:
                parts.append(f"CAST({col} AS double precision) AS {col}")
                kinds[column] = Kind.NUMBER
            else:
                parts.append(col)
                kinds[column] = Kind.NUMBER if type_name in PG_NUMERIC else Kind.TEXT if type_name in ("text", "character varying", "character") else Kind.OTHER
        self.conn.execute(f"CREATE TEMP VIEW {_ident(name)} AS SELECT {', '.join(parts)} FROM {source}")
        if validate:
            self._check_table(role, ref, name, dict(described))
        unique = role == "events" and self._has_unique_event_ids(source)
        return Table((name,), kinds, unique_event_ids=unique)

    def _check_table(self, role: str, ref: TableRef, view: str, types: dict[str, str]) -> None:
        """The checks files get (engines/duckdb_loader.py), on a table read in place: bad rows are counted,
        and named by their lead (a table has no line numbers)."""
        key = "account_id" if role == "accounts" else "lead_id"
        blank = "btrim({}, E' \\t\\n\\r') = ''"
        checks: list[tuple[str, str, bool]] = [(f"{key} is empty", f"{_ident(key)} IS NULL", False)]
        for column in (c for c in types if c in ID_COLUMNS and c != "event_id"):
            checks.append((f"{column} is blank (only white space)", blank.format(_ident(column)), column != key))
        if role == "events":
            checks.append(("event is empty", f'"event" IS NULL OR {blank.format(chr(34) + "event" + chr(34))}', True))
        for column in (c for c in TIME_COLUMNS[role] if c in types):
            col = _ident(column)
            if column == "timestamp":
                checks.append(("timestamp is empty", f"{col} IS NULL", True))
            checks.append((
                f"{column} is outside the years 1 to 9999",
                f"{col} < TIMESTAMPTZ '{FIRST_MOMENT}' OR {col} > TIMESTAMPTZ '{LAST_MOMENT}'", True,
            ))
        if role == "events" and "properties" in types:
            checks.append(("properties is not a JSON object", f"properties IS NOT NULL AND NOT {self._json_object_test(types['properties'])}", True))
        counts_sql = ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond, _ in checks)
        _, rows = self._query(f"SELECT {counts_sql} FROM {_ident(view)}")
        messages = []
        for (what, cond, named), n in zip(checks, rows[0], strict=True):
            if not n:
                continue
            shown = ""
            if named:
                _, found = self._query(
                    f"SELECT DISTINCT {_ident(key)} FROM {_ident(view)} WHERE {cond} ORDER BY 1 LIMIT {SHOWN_ROWS}"
                )
                names = [repr(r[0]) for r in found if r[0] is not None]
                shown = f" ({key} {', '.join(names)}{', ...' if n > len(found) else ''})" if names else ""
            messages.append(f"{ref}: {n} row{'s' if n > 1 else ''}: {what}{shown}")
        if messages:
            raise InputError("\n".join(messages))
        if role in ("leads", "accounts"):
            col = _ident(key)
            _, dupes = self._query(
                f"SELECT count(*), min({col}) FROM (SELECT {col} FROM {_ident(view)} WHERE {col} IS NOT NULL "
                f"GROUP BY {col} HAVING count(*) > 1) AS d"
            )
            if dupes[0][0]:
                count, first = dupes[0]
                raise InputError(
                    f"{ref}: {key} {first!r} appears more than once; {count} {key}{'s are' if count > 1 else ' is'} repeated: "
                    f"each {key} must be unique"
                )

    def _json_object_test(self, type_name: str) -> str:
        """SQL that holds when ``properties`` is a JSON object (text is parsed without raising)."""
        if type_name in ("json", "jsonb"):
            return "(jsonb_typeof(CAST(properties AS jsonb)) = 'object')"
        self.conn.execute(
            "CREATE OR REPLACE FUNCTION pg_temp.leadscore_json_object(value text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$ "
            "BEGIN RETURN jsonb_typeof(value::jsonb) = 'object'; EXCEPTION WHEN others THEN RETURN false; END $$"
        )
        return "pg_temp.leadscore_json_object(properties)"

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
    def materialize(self, table: Table) -> Table:
        name = self._fresh_name("copy")
        with self.lock:
            self._statement(f"CREATE TEMP TABLE {_ident(name)} AS {self.source_sql(table)}")
            self._statement(f"ANALYZE {_ident(name)}")
        return Table((name,), dict(table.columns), unique_event_ids=table.unique_event_ids)

    def json_keys(self, table: Table, column: str, limit: int) -> set[str]:
        source = ".".join(_ident(p) for p in table.name)
        col = _ident(column)
        sql = (
            f"SELECT DISTINCT jsonb_object_keys(v) FROM (SELECT CAST({col} AS jsonb) AS v FROM {source} "
            f"WHERE {col} IS NOT NULL LIMIT {int(limit)}) AS sample WHERE jsonb_typeof(v) = 'object'"
        )
        _, rows = self._query(sql)
        return {str(r[0]) for r in rows}

    # -- running ----------------------------------------------------------------------
    def _statement(self, sql: str) -> None:
        import psycopg

        with self.lock:
            try:
                self.conn.execute(sql)
            except psycopg.Error as exc:
                raise EngineError(f"PostgreSQL failed: {str(exc).strip()}") from exc

    def _query(self, sql: str) -> tuple[list[tuple[str, int]], list[tuple[Any, ...]]]:
        import psycopg

        with self.lock:
            try:
                with self.conn.cursor() as cur:
                    cur.execute(sql)
                    described = [(c.name, c.type_code) for c in cur.description or []]
                    return described, cur.fetchall()
            except psycopg.Error as exc:
                raise EngineError(f"PostgreSQL failed: {str(exc).strip()}") from exc

    def execute(self, query: exp.Expression) -> pa.Table:
        query, long_names = _short_aliases(query)
        return self.execute_sql(self.render(query), long_names)

    def execute_sql(self, text: str, long_names: dict[str, str] | None = None) -> pa.Table:
        """Rows of SQL text in this dialect (``long_names``: output names to give back whole)."""
        described, rows = self._query(text)
        long_names = long_names or {}
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in described]
        arrays = [_arrow_column(list(values), oid) for (_, oid), values in zip(described, columns, strict=True)]
        return pa.Table.from_arrays(arrays, names=[long_names.get(name, name) for name, _ in described])

    # -- statements and transactions ---------------------------------------------------
    def run(self, statement: exp.Expression, rows: Sequence[Sequence[Any]] | None = None) -> None:
        import psycopg

        sql = self.render(statement)
        with self.lock:
            try:
                if rows is None:
                    self.conn.execute(sql)
                elif rows:
                    with self.conn.cursor() as cur:
                        cur.executemany(sql, [list(r) for r in rows])
            except psycopg.Error as exc:
                raise EngineError(f"PostgreSQL failed: {str(exc).strip()}") from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        import psycopg

        with self.lock:
            try:
                with self.conn.transaction():
                    yield
            except psycopg.Error as exc:
                raise EngineError(f"PostgreSQL failed: {str(exc).strip()}") from exc

    @contextlib.contextmanager
    def rows(self, name: str, data: pa.Table) -> Iterator[Table]:
        import psycopg

        kinds = {c: _kind_of_arrow(t) for c, t in zip(data.column_names, data.schema.types, strict=True)}
        types = {c: "bigint" if pa.types.is_integer(t) else PG_TYPES.get(kinds[c], "text") for c, t in zip(data.column_names, data.schema.types, strict=True)}
        columns = ", ".join(f"{_ident(c)} {t}" for c, t in types.items())
        names = ", ".join(_ident(c) for c in kinds)
        with self.lock:
            try:
                self.conn.execute(f"CREATE TEMP TABLE {_ident(name)} ({columns})")
                with self.conn.cursor() as cur, cur.copy(f"COPY {_ident(name)} ({names}) FROM STDIN") as copy_in:
                    for row in zip(*(data.column(c).to_pylist() for c in data.column_names), strict=True):
                        copy_in.write_row(row)
            except psycopg.Error as exc:
                raise EngineError(f"PostgreSQL failed: {str(exc).strip()}") from exc
            try:
                yield Table((name,), kinds)
            finally:
                with contextlib.suppress(psycopg.Error):
                    self.conn.execute(f"DROP TABLE IF EXISTS {_ident(name)}")

    @contextlib.contextmanager
    def reader(self) -> Iterator[Engine]:
        with self.lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self.url, min_size=1, max_size=8, open=True, timeout=30,
                    kwargs={"autocommit": True, "connect_timeout": 10},
                    configure=lambda c: c.execute("SET TIME ZONE 'UTC'"),
                )
        with self._pool.connection() as conn:
            clone = copy.copy(self)
            clone.conn, clone.lock, clone._pool = conn, threading.RLock(), None
            yield clone

    def write_table(self, query: exp.Expression, target: TableRef) -> None:
        self.write_tables([(query, target)])

    def write_tables(self, tables: list[tuple[exp.Expression, TableRef]]) -> None:
        import psycopg

        with self.lock:
            target = tables[0][1] if tables else None
            for query, target in tables:
                too_long = [n for n in getattr(query, "named_selects", []) if len(n.encode()) > MAX_IDENTIFIER_BYTES]
                if too_long:
                    raise InputError(
                        f"{target}: PostgreSQL keeps column names of at most {MAX_IDENTIFIER_BYTES} bytes, and would cut "
                        f"{too_long[0]!r} ({len(too_long[0].encode())} bytes): give the rule a shorter name, or write a file"
                    )
            try:
                with self.conn.transaction():
                    for query, target in tables:
                        name = ".".join(_ident(p) for p in target.name)
                        self.conn.execute(f"DROP TABLE IF EXISTS {name}")
                        self.conn.execute(f"CREATE TABLE {name} AS {query.sql(dialect=self.dialect.name)}")
            except psycopg.Error as exc:
                raise InputError(f"{target}: cannot write the table: {str(exc).strip()}") from exc

    def same_table(self, a: TableRef, b: TableRef) -> bool:
        return self._qualified(a) == self._qualified(b)

    def _qualified(self, ref: TableRef) -> tuple[str, ...]:
        """database, schema and name: of the relation the name finds when one exists (the search
        path decides), else where CREATE TABLE would put it."""
        source = ".".join(_ident(p) for p in ref.name)
        with self.lock:
            row = self.conn.execute(
                "SELECT current_database(), n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.oid = to_regclass(%s)",
                [source],
            ).fetchone()
            if row is None:
                defaults = self.conn.execute("SELECT current_database(), current_schema()").fetchone()
                assert defaults is not None
                return (*[str(defaults[0]), str(defaults[1])][: 3 - len(ref.name)], *ref.name)
        return tuple(str(v) for v in row)

    def close(self) -> None:
        if self._pool is not None:
            with contextlib.suppress(Exception):
                self._pool.close()
        with contextlib.suppress(Exception):
            self.conn.close()
        self._staging.close()


MAX_IDENTIFIER_BYTES = DIALECTS["postgres"].max_identifier_bytes or 63
"""PostgreSQL cuts longer names silently (two rule columns could become one)."""


def _short_aliases(query: exp.Expression) -> tuple[exp.Expression, dict[str, str]]:
    """The query with its output names longer than PostgreSQL keeps replaced by short ones, and
    the way back (``fit.<a long rule name>`` must come back whole, and distinct)."""
    from sqlglot import exp

    if not isinstance(query, exp.Select) or not any(len(n.encode()) > MAX_IDENTIFIER_BYTES for n in query.named_selects):
        return query, {}
    query = query.copy()
    back: dict[str, str] = {}
    for i, expression in enumerate(query.expressions):
        name = expression.alias_or_name
        if len(name.encode()) > MAX_IDENTIFIER_BYTES:
            short = f"__ls_column_{i}"
            back[short] = name
            inner = expression.this if isinstance(expression, exp.Alias) else expression
            expression.replace(exp.alias_(inner.copy(), short, quoted=True))
    return query, back


_ARROW_TYPES = {  # PostgreSQL type OIDs → Arrow types (others: inferred from the values)
    16: pa.bool_(), 20: pa.int64(), 21: pa.int16(), 23: pa.int32(), 25: pa.string(), 1043: pa.string(),
    700: pa.float64(), 701: pa.float64(), 1700: pa.float64(), 1184: pa.timestamp("us", tz="UTC"),
}


def _arrow_column(values: list[Any], oid: int) -> pa.Array:
    """One result column as Arrow, typed by its PostgreSQL type (NUMERIC as a double)."""
    arrow_type = _ARROW_TYPES.get(oid)
    if arrow_type is None:
        return pa.array(values) if values else pa.array([], pa.null())
    if oid == 1700:
        values = [None if v is None else float(v) for v in values]
    return pa.array(values, arrow_type)


def _kind_of_arrow(arrow_type: pa.DataType) -> Kind:
    if pa.types.is_timestamp(arrow_type):
        return Kind.TIMESTAMP
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return Kind.NUMBER
    return Kind.TEXT


def _redact(url: str) -> str:
    """Hide a password in a connection URL or libpq string."""
    from leadscore.errors import redact

    return redact(url)


__all__ = ["PostgresEngine"]
