"""DuckDB: the embedded default engine (in memory, or one database file)."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import duckdb

from leadscore.engines.base import Engine
from leadscore.errors import EngineError, InputError
from leadscore.io.load import DuckDBLoader, quote
from leadscore.io.write import atomic_write, copy_options

if TYPE_CHECKING:
    from collections.abc import Callable

    import pyarrow as pa
    from sqlglot import exp

    from leadscore.compiler.sources import Table
    from leadscore.io.sources import TableRef

_MEMORY = re.compile(r"^\s*[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


class DuckDBEngine(Engine):
    """Runs scorecards in DuckDB.

    Args:
        database: ``":memory:"`` (default) or the path of a DuckDB database file, whose
            tables can be read with ``table:NAME`` and written to.
        memory_limit: e.g. ``"8GB"``; DuckDB spills to ``temp_directory`` beyond it.
        threads: worker threads (default: all cores).
        temp_directory: where to spill when data outgrows memory.
        progress: called with the percentage done while a long query runs.
    """

    name: ClassVar[str] = "duckdb"
    dialect: ClassVar[str] = "duckdb"

    def __init__(
        self,
        database: str | Path = ":memory:",
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: str | Path | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> None:
        try:
            self.conn = duckdb.connect(str(database))
        except duckdb.Error as exc:
            raise EngineError(f"cannot open DuckDB database {str(database)!r}: {exc}") from exc
        self.conn.execute("SET TimeZone = 'UTC'").fetchall()
        if memory_limit:
            if not _MEMORY.match(memory_limit):
                raise InputError(f"memory limit {memory_limit!r} is not a size: write it like 8GB or 512MB")
            self.conn.execute(f"SET memory_limit = '{memory_limit}'").fetchall()
        if threads:
            self.conn.execute(f"SET threads = {int(threads)}").fetchall()
        if temp_directory:
            self.conn.execute(f"SET temp_directory = '{str(temp_directory).replace(chr(39), chr(39) * 2)}'").fetchall()
        self.progress = progress
        if progress is not None:  # track progress for query_progress(), print nothing ourselves
            self.conn.execute("SET enable_progress_bar = true").fetchall()
            self.conn.execute("SET enable_progress_bar_print = false").fetchall()
        self.loader = DuckDBLoader(self.conn)

    def load(self, role: str, source: Any, *, validate: bool = True, id_column: str | None = None) -> Table:
        return self.loader.load(role, source, validate=validate, id_column=id_column).table

    def _run(self, sql: str, fetch: Callable[[duckdb.DuckDBPyConnection, str], Any]) -> Any:
        """Run ``sql``; report progress from another thread while it runs."""
        if self.progress is None:
            return self._guarded(sql, fetch, self.conn)
        result: dict[str, Any] = {}

        def work() -> None:
            try:
                result["value"] = self._guarded(sql, fetch, self.conn)
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

    @staticmethod
    def _guarded(sql: str, fetch: Callable[[duckdb.DuckDBPyConnection, str], Any], conn: duckdb.DuckDBPyConnection) -> Any:
        try:
            return fetch(conn, sql)
        except duckdb.Error as exc:
            raise EngineError(f"DuckDB failed: {exc}") from exc

    def execute(self, query: exp.Expression) -> pa.Table:
        return self._run(query.sql(dialect=self.dialect), lambda c, q: c.sql(q).to_arrow_table())

    def write_file(self, query: exp.Expression, path: Path) -> None:
        sql = query.sql(dialect=self.dialect)

        def produce(tmp: Path) -> None:
            target = str(tmp).replace("'", "''")
            self._run(f"COPY ({sql}) TO '{target}' ({copy_options(path)})", lambda c, q: c.execute(q).fetchall())

        atomic_write(path, produce)

    def write_table(self, query: exp.Expression, target: TableRef) -> None:
        name = ".".join(quote(p) for p in target.name)
        sql = query.sql(dialect=self.dialect)
        try:
            self.conn.execute("BEGIN TRANSACTION").fetchall()
            self.conn.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}").fetchall()
            self.conn.execute("COMMIT").fetchall()
        except duckdb.Error as exc:
            self.conn.execute("ROLLBACK").fetchall()
            raise InputError(f"{target}: cannot write the table: {exc}") from exc

    def close(self) -> None:
        self.conn.close()
