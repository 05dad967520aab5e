"""Writing the sample: leads, accounts and events as CSV, Parquet or JSON Lines files."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leadscore.io.files import atomic_write
from leadscore.sample.data import SampleData


def write_sample(data: SampleData, directory: str | Path, fmt: str = "csv") -> dict[str, Path]:
    """Write ``leads``, ``accounts`` and ``events`` to ``directory`` as ``csv``, ``parquet`` or ``jsonl``.

    Timestamps are written as ISO-8601 UTC (``2025-06-30T14:03:12Z``) in CSV and JSON Lines.
    Each file is written whole or not at all. Returns the paths by table name.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in _WRITERS:
        raise ValueError(f"unknown format {fmt!r}: use csv, parquet or jsonl")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in ("leads", "accounts", "events"):
        path = out / f"{name}.{fmt}"
        atomic_write(path, partial(_WRITERS[fmt], getattr(data, name)))
        paths[name] = path
    return paths


def _write_parquet(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, path)


def _write_csv(table: pa.Table, path: Path) -> None:
    import pyarrow.csv as pcsv

    pcsv.write_csv(_iso_times(table), path)


def _write_jsonl(table: pa.Table, path: Path, batch_rows: int = 1_000_000) -> None:
    """JSON Lines, built column-wise with pyarrow (every key on every line; null where missing)."""
    table = _iso_times(table)
    with open(path, "wb") as f:
        for offset in range(0, table.num_rows, batch_rows):
            batch = table.slice(offset, batch_rows)
            parts = []
            for i, name in enumerate(batch.column_names):
                key = ("{" if i == 0 else ",") + json.dumps(name) + ":"
                parts += [key, _json_value(batch.column(i))]
            line = pc.binary_join_element_wise(*parts, "}\n", "")
            for chunk in line.chunks if isinstance(line, pa.ChunkedArray) else [line]:
                if len(chunk):
                    f.write(_values_buffer(chunk))


_WRITERS: dict[str, Callable[[pa.Table, Path], None]] = {
    "csv": _write_csv,
    "parquet": _write_parquet,
    "jsonl": _write_jsonl,
}


def _iso_times(table: pa.Table) -> pa.Table:
    """Timestamps as ISO-8601 UTC text, to the second."""
    for i, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type):
            text = pc.strftime(table.column(i).cast(pa.timestamp("s", tz="UTC")), "%Y-%m-%dT%H:%M:%SZ")
            table = table.set_column(i, column.name, text)
    return table


def _json_value(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Each value as JSON text: quoted and escaped strings, numbers as they are, ``null``."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        escaped = column
        for raw, quoted in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            escaped = pc.replace_substring(escaped, raw, quoted)
        text = pc.binary_join_element_wise('"', escaped, '"', "")
    else:
        text = column.cast(pa.string())
    return pc.fill_null(text, "null")


def _values_buffer(chunk: pa.Array) -> pa.Buffer:
    """The bytes of a string array's values, back to back (no copy)."""
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
    return chunk.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
