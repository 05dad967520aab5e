"""DuckDB: the embedded default engine (in memory, or one database file)."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import duckdb

from leadscore.compiler.dialects import DIALECTS, Dialect
from leadscore.compiler.sources import Table
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

    def _set(self, setting: str, value: str) -> None:
        self.conn.execute(f"SET {setting} = {value}").fetchall()

    # -- inputs ------------------------------------------------------------------------
    def load(self, role: str, source: Any, *, validate: bool = True, id_column: str | None = None) -> Table:
        with self.lock:
            return self.loader.load(role, source, validate=validate, id_column=id_column).table

    def materialize(self, table: Table) -> Table:
        name = self._fresh_name("copy")
        source = ".".join(quote(p) for p in table.name)
        with self.lock:
            self._statement(f"CREATE OR REPLACE TEMP TABLE {quote(name)} AS SELECT * FROM {source}")
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
            raise EngineError(f"DuckDB failed: {exc}") from exc

    def execute(self, query: exp.Expression) -> pa.Table:
        return self._run(query.sql(dialect=self.dialect.name), lambda c, q: c.sql(q).to_arrow_table())

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

    def close(self) -> None:
        with self.lock:
            self.conn.close()
