"""What every engine does: take inputs, run a compiled query, hand back Arrow or write a file."""

from __future__ import annotations

import abc
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlglot import exp

    from leadscore.compiler.sources import Table
    from leadscore.io.sources import TableRef


class Engine(abc.ABC):
    """A database that runs compiled scorecards."""

    name: ClassVar[str]
    """The engine's name in the registry (``duckdb``, ``postgres``)."""
    dialect: ClassVar[str]
    """The sqlglot dialect its queries are rendered in."""

    @abc.abstractmethod
    def load(self, role: str, source: Any, *, validate: bool = True, id_column: str | None = None) -> Table:
        """Make ``source`` available as the canonical ``role`` table (leads, events, accounts).

        ``id_column`` names the leads' id column when it is not ``lead_id``.

        Raises:
            InputError: the source cannot be read, lacks a required column, or has bad rows.
        """

    @abc.abstractmethod
    def execute(self, query: exp.Expression) -> pa.Table:
        """Run a query and return its rows as an Arrow table."""

    @abc.abstractmethod
    def write_table(self, query: exp.Expression, target: TableRef) -> None:
        """Replace table ``target`` with the query's rows, in one transaction."""

    def write_file(self, query: exp.Expression, path: Path) -> None:
        """Write the query's rows to ``path`` (format by extension), atomically."""
        from leadscore.io.write import write_arrow

        write_arrow(self.execute(query), path)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def temporary_sibling(path: Path) -> Path:
    """A fresh temporary file next to ``path`` (same file system, so a rename is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)
