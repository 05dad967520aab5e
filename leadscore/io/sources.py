"""Where a table comes from: a file, an in-memory table, or a table of a database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadscore.errors import InputError

TABLE_PREFIX = "table:"


@dataclass(frozen=True)
class TableRef:
    """A table in the engine's database, written ``table:NAME`` or ``table:SCHEMA.NAME`` on the CLI."""

    name: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> TableRef:
        body = text.removeprefix(TABLE_PREFIX)
        parts = tuple(p.strip() for p in body.split("."))
        if not body or any(not p for p in parts) or len(parts) > 3:
            raise InputError(f"{text!r} is not a table name: write table:NAME or table:SCHEMA.NAME")
        return cls(parts)

    def __str__(self) -> str:
        return TABLE_PREFIX + ".".join(self.name)


Source = str | Path | TableRef | Any  # Any: a pandas/polars DataFrame or an Arrow table


def parse_source(value: Any) -> Any:
    """A CLI value or Python object → a path, a TableRef, or the in-memory table itself."""
    if isinstance(value, str) and value.startswith(TABLE_PREFIX):
        return TableRef.parse(value)
    if isinstance(value, str | Path):
        return Path(value)
    if isinstance(value, TableRef):
        return value
    if _is_frame(value):
        return value
    raise InputError(f"cannot read {type(value).__name__}: give a file path, table:NAME, or a pandas/polars/Arrow table")


def _is_frame(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith(("pandas", "polars", "pyarrow"))


def describe(source: Any) -> str:
    """How to name a source in an error message."""
    if isinstance(source, Path | TableRef):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]} {type(source).__name__}>"
