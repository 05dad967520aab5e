"""Learning's inputs, read through an engine like every command's: files, DataFrames, ``table:NAME``.

The engine gives the canonical rows (ids as text, ``created_at`` and ``timestamp`` as UTC
moments) after the same row checks as scoring. Two things are learning's own:

- **CSV cells are text** in the canonical form, while learning bins numbers: a column of a
  CSV file whose every non-empty cell is a number becomes numbers, and one of only
  ``True``/``False`` cells booleans, as ``pandas.read_csv`` would type them (the scorecard
  compares such text as numbers, too). Parquet, JSON Lines, DataFrames and database tables
  keep their types: there a text column is text on purpose.
- **Outcome rows may lack timestamps** (a list of the leads that converted): the engine's
  outcomes need one, so such rows are read as they are, without the row checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leadscore.engines import Engine, connect
from leadscore.errors import InputError
from leadscore.io.formats import file_format
from leadscore.io.roles import ID_COLUMNS, NUMBER_COLUMNS, ROLES, TEXT_COLUMNS, TIME_COLUMNS
from leadscore.io.sources import parse_source

if TYPE_CHECKING:
    import pyarrow as pa

    from leadscore.compiler.sources import Table

CSV_MISSING = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA",
    "NULL", "NaN", "None", "n/a", "nan", "null",
})
"""Cells ``pandas.read_csv`` reads as missing: in a column of numbers they are missing numbers."""
CSV_TRUE = frozenset({"True", "TRUE", "true"})
CSV_FALSE = frozenset({"False", "FALSE", "false"})
EVENT_COLUMNS = ("lead_id", "event", "timestamp", "event_id")
"""What learning reads of the events (their properties are not features)."""


@contextmanager
def opened(database: str | Path | Engine | None) -> Iterator[Engine]:
    """The engine of ``database``; closed afterwards unless the caller gave an open Engine."""
    engine = connect(database)
    try:
        yield engine
    finally:
        if engine is not database:
            engine.close()


def read_frame(
    source: Any, role: str = "leads", *, database: str | Path | Engine | None = None, id_column: str = "lead_id"
) -> pd.DataFrame:
    """The canonical rows of a leads, events or outcomes source as a DataFrame.

    Args:
        source: a .csv, .parquet or .jsonl file, ``table:NAME`` (a table of ``database``),
            or a pandas/polars/Arrow table.
        role: ``leads``, ``events`` or ``outcomes``.
        database: the engine that reads it: None (DuckDB in memory), a DuckDB file, a
            ``postgresql://`` URL or an Engine.
        id_column: the leads' id column (outcome rows may name the lead by it, too); the
            frame keeps that name.

    Raises:
        InputError: the source cannot be read, lacks a required column, or has bad rows.
    """
    if role not in ROLES:
        raise InputError(f"cannot read {role!r}: use one of {', '.join(ROLES)}")
    with opened(database) as engine:
        return load_frame(engine, role, source, id_column=id_column)


def load_frame(engine: Engine, role: str, source: Any, *, id_column: str = "lead_id") -> pd.DataFrame:
    """``read_frame`` on an open engine."""
    parsed = parse_source(source)
    if role == "outcomes":
        table = _outcome_table(engine, parsed, id_column)
    else:
        table = engine.load(role, parsed, id_column=_renamed(id_column) if role == "leads" else None)
    columns = [c for c in EVENT_COLUMNS if c in table.columns] if role == "events" else None
    frame = arrow_frame(engine.fetch(table, columns))
    if isinstance(parsed, Path) and file_format(parsed) == "csv":
        frame = csv_types(frame, role)
    if role == "leads" and _renamed(id_column):
        frame = frame.rename(columns={"lead_id": id_column})
    return frame


def _renamed(id_column: str) -> str | None:
    return id_column if id_column != "lead_id" else None


def _outcome_table(engine: Engine, source: Any, id_column: str) -> Table:
    """Outcome rows naming the lead in ``lead_id`` (or else in ``id_column``), with or without timestamps.

    Rows with a timestamp are the engine's outcomes, checked like a back-test's. When the
    engine refuses them, a lenient read (no checks) shows why: without a timestamp column
    they are a plain list of leads that converted, read as they are; otherwise the refusal
    stands.
    """
    first: InputError | None = None
    for ids in dict.fromkeys([None, _renamed(id_column)]):
        try:
            return engine.load("outcomes", source, id_column=ids)
        except InputError as exc:
            first = first or exc
            refusal = exc
        try:
            rows = engine.load("leads", source, validate=False, id_column=ids)  # ids as text, nothing checked
        except InputError:
            continue  # no lead_id (or no id_column): try the other name
        if "timestamp" in rows.columns:
            raise refusal
        return rows
    assert first is not None
    raise first


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as pandas, with decimals as floats (numbers, not Python objects)."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
    return table.to_pandas()


def csv_types(frame: pd.DataFrame, role: str = "leads") -> pd.DataFrame:
    """Text columns of a CSV file typed as ``pandas.read_csv`` types them: numbers and booleans.

    A column becomes numbers when every cell is a number or missing (empty, or one of
    ``CSV_MISSING``): integers (int64) when all are whole and none is missing, otherwise
    floats; booleans when every present cell is ``True`` or ``False`` (any case
    ``read_csv`` knows). Any other column stays text, its cells as written. The columns
    the role defines (ids, moments, ``outcome``, ``amount``) keep their canonical form.
    """
    fixed = ID_COLUMNS | set(TIME_COLUMNS.get(role, ())) | set(TEXT_COLUMNS.get(role, ())) | set(NUMBER_COLUMNS.get(role, ()))
    typed = {}
    for column in frame.columns:
        values = frame[column]
        if column in fixed or not pd.api.types.is_string_dtype(values.dtype):
            continue
        converted = _csv_column(values)
        if converted is not None:
            typed[column] = converted
    return frame.assign(**typed) if typed else frame


def _csv_column(values: pd.Series) -> pd.Series | None:
    cells = pd.Series(values.to_numpy(dtype=object, na_value=None), dtype=object)
    if cells.empty:
        return None
    missing = (cells.isna() | cells.isin(CSV_MISSING)).to_numpy()
    present = cells[~missing]
    if len(present) and present.isin(CSV_TRUE | CSV_FALSE).all():
        flags = present.isin(CSV_TRUE).to_numpy()
        if not missing.any():
            return pd.Series(flags, index=values.index, dtype=bool)
        out = np.full(len(cells), np.nan, dtype=object)
        out[~missing] = flags.astype(object)
        return pd.Series(out, index=values.index, dtype=object)
    try:
        numbers = pd.to_numeric(present)
    except (ValueError, TypeError):
        return None
    if not missing.any():
        return pd.Series(numbers.to_numpy(), index=values.index)
    out = np.full(len(cells), np.nan, dtype=float)
    out[~missing] = numbers.to_numpy(dtype=float)
    return pd.Series(out, index=values.index)
