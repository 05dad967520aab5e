"""Files of rows: CSV, Parquet or JSON Lines by extension, written by DuckDB, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from leadscore.io.files import atomic_write
from leadscore.io.formats import file_format

if TYPE_CHECKING:
    import pyarrow as pa

COPY_OPTIONS = {"csv": "FORMAT csv, HEADER true", "parquet": "FORMAT parquet", "jsonl": "FORMAT json"}


def copy_options(path: Path) -> str:
    """DuckDB's COPY options for the format of ``path``."""
    return COPY_OPTIONS[file_format(path)]


def copy_statement(select_sql: str, tmp: Path, path: Path) -> str:
    """``COPY (select) TO tmp`` in the format ``path`` asks for."""
    return f"COPY ({select_sql}) TO '{str(tmp).replace(chr(39), chr(39) * 2)}' ({copy_options(path)})"


def write_arrow(table: pa.Table, path: str | Path) -> None:
    """Write an Arrow table to ``path`` (format by extension), atomically."""
    target = Path(path)
    file_format(target)
    atomic_write(target, lambda tmp: write_arrow_to(table, tmp, target))


def write_arrow_to(table: pa.Table, tmp: Path, target: Path) -> None:
    """Write an Arrow table to ``tmp`` in the format of ``target``'s extension."""
    conn = duckdb.connect()
    try:
        conn.register("__ls_out", table)
        conn.execute(copy_statement("SELECT * FROM __ls_out", tmp, target)).fetchall()
    finally:
        conn.close()
