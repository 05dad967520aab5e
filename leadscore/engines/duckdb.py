"""DuckDB: the embedded default engine (in memory, or one database file)."""

from __future__ import annotations

import contextlib
import copy
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import duckdb

from leadscore.compiler.dialects import DIALECTS, Dialect
from leadscore.compiler.sources import Kind, Table
from leadscore.engines.base import Engine
from leadscore.engines.duckdb_loader import DuckDBLoader, database_reason, literal, quote
from leadscore.engines.files import copy_statement
from leadscore.errors import EngineError, InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    import pyarrow as pa
    from sqlglot import exp

    from leadscore.io.sources import TableRef

_MEMORY = re.compile(r"^\s*[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
IN_MEMORY = ("duckdb", ":memory:", "")
MAX_IDLE_CURSORS = 8


class DuckDBEngine(Engine):
    """Runs scorecards in DuckDB.

    Args:
        database: ``":memory:"`` (default; also ``"duckdb"``) or the path of a DuckDB database
            file, whose tables can be read with ``table:NAME`` and written to.
        memory_limit: e.g. ``"8GB"``; DuckDB spills to ``temp_directory`` beyond it.
        threads: worker threads (default: all cores).
        temp_directory: where to spill when data outgrows memory.
        progress: called with the percentage done while a long query runs.
    """

    name: ClassVar[str] = "duckdb"
    dialect: ClassVar[Dialect] = DIALECTS["duckdb"]

    def __init__(
        self,
        database: str | Path = ":memory:",
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: str | Path | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__()
        target = ":memory:" if str(database) in IN_MEMORY else str(database)
        self.database = target
        try:
            self.conn = duckdb.connect(target)
        except duckdb.Error as exc:
            raise EngineError(f"cannot open DuckDB database {target!r}: {exc}") from exc
        self._set("TimeZone", literal("UTC"))
        if memory_limit:
            if not _MEMORY.match(memory_limit):
                raise InputError(f"memory limit {memory_limit!r} is not a size: write it like 8GB or 512MB")
            self._set("memory_limit", literal(memory_limit))
        if threads:
            self._set("threads", str(int(threads)))
        if temp_directory:
            self._set("temp_directory", literal(str(temp_directory)))
        self.progress = progress
        if progress is not None:  # track progress for query_progress(), print nothing ourselves
            self._set("enable_progress_bar", "true")
            self._set("enable_progress_bar_print", "false")
        self.loader = DuckDBLoader(self.conn)
        self._depth = 0
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        """Reader cursors kept for reuse (a reader never waits for this connection's lock)."""
        self._cursors_lock = threading.Lock()

    def _set(self, setting: str, value: str) -> None:
        self.conn.execute(f"SET {setting} = {value}").fetchall()

    # -- inputs ------------------------------------------------------------------------
    def load(self, role: str, source: Any, *, validate: bool = True, id_column: str | None = None) -> Table:
        with self.lock:
            return self.loader.load(role, source, validate=validate, id_column=id_column).table

    def materialize(self, table: Table) -> Table:
        name = self._fresh_name("copy")
        with self.lock:
            self._statement(f"CREATE OR REPLACE TEMP TABLE {quote(name)} AS {self.source_sql(table)}")
        return Table((name,), dict(table.columns), unique_event_ids=table.unique_event_ids)

    def json_keys(self, table: Table, column: str, limit: int) -> set[str]:
        source = ".".join(quote(p) for p in table.name)
        col = quote(column)
        sql = f"SELECT DISTINCT unnest(json_keys({col})) FROM (SELECT {col} FROM {source} LIMIT {int(limit)}) WHERE json_valid({col})"
        return {str(r[0]) for r in self._run(sql, lambda c, q: c.execute(q).fetchall())}

    # -- running -------------------------------------------------------------------------
    def _statement(self, sql: str) -> None:
        self._run(sql, lambda c, q: c.execute(q).fetchall())

    def _run(self, sql: str, fetch: Callable[[duckdb.DuckDBPyConnection, str], Any]) -> Any:
        """Run ``sql`` on the connection; report progress from another thread while it runs."""
        with self.lock:
            if self.progress is None:
                return self._guarded(sql, fetch)
            return self._with_progress(sql, fetch)

    def _with_progress(self, sql: str, fetch: Callable[[duckdb.DuckDBPyConnection, str], Any]) -> Any:
        assert self.progress is not None
        result: dict[str, Any] = {}

        def work() -> None:
            try:
                result["value"] = self._guarded(sql, fetch)
            except BaseException as exc:  # handed to the caller's thread below
                result["error"] = exc

        # the query runs on this connection (its temporary views live there) in a worker
        # thread; DuckDB's query_progress() is meant to be read from another thread meanwhile
        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.25)
            done = self.conn.query_progress()
            if done is not None and done >= 0:
                self.progress(float(done))
        if "error" in result:
            raise result["error"]
        return result["value"]

    def _guarded(self, sql: str, fetch: Callable[[duckdb.DuckDBPyConnection, str], Any]) -> Any:
        try:
            return fetch(self.conn, sql)
        except duckdb.Error as exc:
            if isinstance(exc, duckdb.InterruptException) or "KeyboardInterrupt" in str(exc):
                raise KeyboardInterrupt from exc  # a signal reached us inside DuckDB: the run was interrupted
            raise EngineError(f"DuckDB failed: {exc}") from exc

    def execute(self, query: exp.Expression) -> pa.Table:
        return self.execute_sql(self.render(query))

    def execute_sql(self, text: str) -> pa.Table:
        return self._run(text, lambda c, q: c.sql(q).to_arrow_table())

    # -- statements and transactions ---------------------------------------------------
    def run(self, statement: exp.Expression, rows: Sequence[Sequence[Any]] | None = None) -> None:
        sql = self.render(statement)
        if rows is None:
            self._statement(sql)
        elif rows:
            self._run(sql, lambda c, q: c.executemany(q, [list(r) for r in rows]))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._statement("BEGIN TRANSACTION")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                with contextlib.suppress(duckdb.Error):
                    self.conn.execute("ROLLBACK").fetchall()
                raise
            self._depth = 0
            try:
                self.conn.execute("COMMIT").fetchall()
            except duckdb.Error as exc:
                with contextlib.suppress(duckdb.Error):
                    self.conn.execute("ROLLBACK").fetchall()
                raise EngineError(f"DuckDB failed to commit: {exc}") from exc

    @contextlib.contextmanager
    def rows(self, name: str, data: pa.Table) -> Iterator[Table]:
        from leadscore.engines.duckdb_loader import kind_of

        with self.lock:
            self.conn.register(name, data)
            try:
                kinds = {c: _arrow_kind(t) for c, t in zip(data.column_names, data.schema.types, strict=True)}
                if any(k is None for k in kinds.values()):  # a type Arrow alone does not say: ask DuckDB
                    kinds = {c: kind_of(str(t)) for c, t in zip(data.column_names, self.conn.sql(f"SELECT * FROM {quote(name)}").types, strict=True)}
                yield Table((name,), kinds)
            finally:
                self.conn.unregister(name)

    @contextlib.contextmanager
    def reader(self) -> Iterator[Engine]:
        # cursors are kept for reuse, so a read never waits for a transaction on this
        # connection (only making a new cursor takes its lock)
        with self._cursors_lock:
            cursor = self._cursors.pop() if self._cursors else None
        if cursor is None:
            with self.lock:
                cursor = self.conn.cursor()
        clone = copy.copy(self)
        clone.conn, clone.lock, clone.progress, clone._depth = cursor, threading.RLock(), None, 0
        clone.loader = DuckDBLoader(cursor)
        clone._cursors, clone._cursors_lock = [], threading.Lock()
        healthy = False
        try:
            yield clone
            healthy = True
        finally:
            with self._cursors_lock:
                keep = healthy and clone._depth == 0 and len(self._cursors) < MAX_IDLE_CURSORS and not self._closed
                if keep:
                    self._cursors.append(cursor)
            if not keep:
                with contextlib.suppress(duckdb.Error):
                    cursor.close()

    # -- outputs -------------------------------------------------------------------------
    def _write_file_to(self, query: exp.Expression, tmp: Path, path: Path) -> None:
        self._statement(copy_statement(query.sql(dialect=self.dialect.name), tmp, path))

    def write_table(self, query: exp.Expression, target: TableRef) -> None:
        self.write_tables([(query, target)])

    def write_tables(self, tables: list[tuple[exp.Expression, TableRef]]) -> None:
        with self.lock:
            target = tables[0][1] if tables else None
            try:
                self.conn.execute("BEGIN TRANSACTION").fetchall()
                for query, target in tables:
                    name = ".".join(quote(p) for p in target.name)
                    self.conn.execute(f"CREATE OR REPLACE TABLE {name} AS {query.sql(dialect=self.dialect.name)}").fetchall()
                self.conn.execute("COMMIT").fetchall()
            except duckdb.Error as exc:
                self.conn.execute("ROLLBACK").fetchall()
                raise InputError(f"{target}: cannot write the table: {database_reason(exc)}") from exc

    @property
    def keeps_tables(self) -> bool:
        return self.database != ":memory:"

    def same_table(self, a: TableRef, b: TableRef) -> bool:
        return self._qualified(a) == self._qualified(b)

    def _qualified(self, ref: TableRef) -> tuple[str, ...]:
        """catalog, schema and name as DuckDB resolves them (names are case-blind)."""
        with self.lock:
            row = self.conn.execute("SELECT current_database(), current_schema()").fetchone()
        assert row is not None
        parts = [str(row[0]), str(row[1])][: 3 - len(ref.name)] + list(ref.name)
        return tuple(p.lower() for p in parts)

    _closed = False

    def close(self) -> None:
        with self._cursors_lock:
            self._closed = True
            cursors, self._cursors = self._cursors, []
        for cursor in cursors:
            with contextlib.suppress(duckdb.Error):
                cursor.close()
        with self.lock, contextlib.suppress(duckdb.Error):
            self.conn.close()


def _arrow_kind(arrow_type: pa.DataType) -> Kind | None:
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return Kind.TEXT
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return Kind.NUMBER
    if pa.types.is_timestamp(arrow_type):
        return Kind.TIMESTAMP
    return None
