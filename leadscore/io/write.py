"""Write results to CSV, Parquet or JSON Lines, atomically: a temporary file, then a rename."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from leadscore.errors import InputError
from leadscore.io.formats import file_format

if TYPE_CHECKING:
    from collections.abc import Callable

    import pyarrow as pa

COPY_OPTIONS = {"csv": "FORMAT csv, HEADER true", "parquet": "FORMAT parquet", "jsonl": "FORMAT json"}


def check_writable(path: Path) -> None:
    """Fail before any work when the output cannot be written."""
    file_format(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{path}: the folder {str(parent)!r} does not exist")
    if path.is_dir():
        raise InputError(f"{path}: is a directory")


def atomic_write(path: Path, produce: Callable[[Path], None]) -> None:
    """Call ``produce(tmp)`` and move ``tmp`` onto ``path`` only if it succeeded."""
    from leadscore.engines.base import temporary_sibling

    check_writable(path)
    tmp = temporary_sibling(path)
    try:
        produce(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def copy_options(path: Path) -> str:
    return COPY_OPTIONS[file_format(path)]


def write_arrow(table: pa.Table, path: Path) -> None:
    """Write an Arrow table to ``path`` by extension, atomically."""

    def produce(tmp: Path) -> None:
        conn = duckdb.connect()
        try:
            conn.register("__ls_out", table)
            conn.execute(f"COPY (SELECT * FROM __ls_out) TO '{_escape(tmp)}' ({copy_options(path)})").fetchall()
        finally:
            conn.close()

    atomic_write(path, produce)


def _escape(path: Path) -> str:
    return str(path).replace("'", "''")
