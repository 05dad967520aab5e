"""What every engine does: take inputs, run compiled queries, hand back Arrow, write files and tables.

An engine is the only code that talks to a database. Everything above it (scoring, back-tests,
learning, the CLI) builds sqlglot trees or asks for relations through these methods, so a
new database is one module under ``engines/`` (see docs/architecture.md).

Engines are safe to share between threads: calls on one engine are serialized on its
connection (a query itself runs on all the database's threads).
"""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from leadscore.compiler.query import table_expression

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlglot import exp

    from leadscore.compiler.dialects import Dialect
    from leadscore.compiler.sources import Table
    from leadscore.io.sources import TableRef


_RENDERED: dict[int, tuple[exp.Expression, str, str]] = {}
_RENDERED_LOCK = threading.Lock()
_RENDERED_MAX = 256
_RENDERED_TEXT_MAX = 2000


class Engine(abc.ABC):
    """A database that runs compiled scorecards."""

    name: ClassVar[str]
    """The engine's name in the registry (``duckdb``, ``postgres``)."""
    dialect: ClassVar[Dialect]
    """The SQL dialect profile its queries are compiled for and rendered in."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._counter = 0

    def render(self, query: exp.Expression) -> str:
        """``query`` as text in this engine's dialect. Statements a caller reuses (the store's,
        parsed once and cached) are rendered once: the text is kept by the tree's identity, with
        the tree itself, so an id is never reused while it is kept."""
        key = id(query)
        found = _RENDERED.get(key)
        if found is not None and found[0] is query and found[1] == self.dialect.name:
            return found[2]
        text = query.sql(dialect=self.dialect.name)
        if len(text) > _RENDERED_TEXT_MAX:  # a compiled scorecard: made afresh each time, not kept
            return text
        with _RENDERED_LOCK:
            if len(_RENDERED) >= _RENDERED_MAX:
                _RENDERED.pop(next(iter(_RENDERED)))
            _RENDERED[key] = (query, self.dialect.name, text)
        return text

    def _fresh_name(self, role: str) -> str:
        with self.lock:
            self._counter += 1
            return f"__ls_{role}_{self._counter}"

    # -- inputs ------------------------------------------------------------------------
    @abc.abstractmethod
    def load(self, role: str, source: Any, *, validate: bool = True, id_column: str | None = None) -> Table:
        """Make ``source`` available as the canonical ``role`` table (leads, events, accounts, outcomes).

        ``id_column`` names the leads' id column when it is not ``lead_id``.

        Raises:
            InputError: the source cannot be read, lacks a required column, or has bad rows.
        """

    @abc.abstractmethod
    def materialize(self, table: Table) -> Table:
        """A temporary copy of ``table`` (for a relation read many times, such as a back-test's inputs)."""

    def json_keys(self, table: Table, column: str, limit: int) -> set[str]:
        """The keys of the JSON objects in ``column`` among the first ``limit`` rows (empty: unknown)."""
        return set()

    # -- queries -----------------------------------------------------------------------
    @abc.abstractmethod
    def execute(self, query: exp.Expression) -> pa.Table:
        """Run a query and return its rows as an Arrow table."""

    def execute_sql(self, text: str) -> pa.Table:
        """Run ``text``, a query in this engine's dialect (a prepared query: rendered once, its
        literals substituted), and return its rows as an Arrow table."""
        raise NotImplementedError(f"{self.name} cannot run prepared text")

    def fetch(self, table: Table, columns: list[str] | None = None) -> pa.Table:
        """Every row of ``table`` (or of some of its columns) as an Arrow table."""
        from sqlglot import exp

        names = columns if columns is not None else list(table.columns)
        select = [exp.column(exp.to_identifier(c, quoted=True), table="t") for c in names] or [exp.Star()]
        return self.execute(exp.select(*select).from_(table_expression(table, "t")))

    def source_sql(self, table: Table) -> str:
        """``SELECT *`` of a relation in the engine's dialect (a stored table or a query table)."""
        from sqlglot import exp

        return exp.select(exp.Star()).from_(table_expression(table, "t")).sql(dialect=self.dialect.name)

    # -- statements and transactions (the store's seam) -----------------------------------
    @abc.abstractmethod
    def run(self, statement: exp.Expression, rows: Sequence[Sequence[Any]] | None = None) -> None:
        """Run a statement (DDL or DML) that returns nothing; with ``rows``, once per row, its
        placeholders (``exp.Placeholder``, ``?`` in DuckDB-dialect text) bound to the row's values.

        Raises:
            EngineError: the database refused it.
        """

    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """A transaction on this engine's connection: committed when the block ends, rolled back
        when it raises. Holds ``lock`` meanwhile (other calls on this engine wait). Nested blocks
        join the outer transaction."""

    @abc.abstractmethod
    def rows(self, name: str, data: pa.Table) -> contextlib.AbstractContextManager[Table]:
        """Arrow rows readable as the relation ``name`` inside the block (to insert or upsert many
        rows with one ``INSERT ... SELECT``): DuckDB registers the Arrow table, PostgreSQL COPYs
        it into a temporary table. Use inside ``transaction()``."""

    @contextlib.contextmanager
    def reader(self) -> Iterator[Engine]:
        """An engine for reads that run beside this one's statements (same database, its own
        connection: a DuckDB cursor, a pooled PostgreSQL connection). Default: this engine."""
        yield self

    # -- outputs -----------------------------------------------------------------------
    @abc.abstractmethod
    def write_table(self, query: exp.Expression, target: TableRef) -> None:
        """Replace table ``target`` with the query's rows, in one transaction."""

    def write_tables(self, tables: list[tuple[exp.Expression, TableRef]]) -> None:
        """Replace several tables, all or none (one transaction). This default writes them one
        after the other: an engine whose database has transactions overrides it."""
        for query, target in tables:
            self.write_table(query, target)

    def write_file(self, query: exp.Expression, path: Path) -> None:
        """Write the query's rows to ``path`` (format by extension), atomically."""
        self.write_outputs([(query, path)])

    def write_outputs(self, outputs: list[tuple[exp.Expression, Path | TableRef]]) -> None:
        """Write each query to its file or table, all or none: every file is written to a
        temporary first and the tables in one transaction; the files are renamed into place
        only when everything else succeeded."""
        from leadscore.io.files import atomic_write_all
        from leadscore.io.formats import file_format
        from leadscore.io.sources import TableRef

        tables = [(q, t) for q, t in outputs if isinstance(t, TableRef)]
        files = [(q, Path(t)) for q, t in outputs if not isinstance(t, TableRef)]
        for _, path in files:
            file_format(path)

        def produce(temporaries: list[Path]) -> None:
            for (query, path), tmp in zip(files, temporaries, strict=True):
                self._write_file_to(query, tmp, path)
            if tables:
                self.write_tables(tables)

        atomic_write_all([p for _, p in files], produce)

    def _write_file_to(self, query: exp.Expression, tmp: Path, path: Path) -> None:
        """Write the query's rows to ``tmp`` in the format of ``path``'s extension."""
        from leadscore.engines.files import write_arrow_to

        write_arrow_to(self.execute(query), tmp, path)

    @property
    def keeps_tables(self) -> bool:
        """Whether tables written here outlive the engine (not so for a database in memory)."""
        return True

    def same_table(self, a: TableRef, b: TableRef) -> bool:
        """Whether two table names resolve to one table (an engine may know the default schema)."""
        return a.name == b.name

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
