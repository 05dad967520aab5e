"""Load inputs into DuckDB as canonical, validated relations.

Whatever the source (CSV, Parquet, JSON Lines, a DataFrame, a DuckDB table), each input
becomes a view with the contract's column names and types: ids as text, ``created_at`` and
``timestamp`` as TIMESTAMPTZ (a timestamp without an offset is UTC), event ``properties``
as JSON text. Bad rows are reported with the file, the column, the first row numbers and a
count, before anything is scored.

The DuckDB engine reads its inputs through these views; the PostgreSQL engine uses them to
check files and DataFrames before it copies them in (the same checks everywhere).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from leadscore.compiler.sources import Kind, Table
from leadscore.errors import InputError
from leadscore.io.formats import file_format
from leadscore.io.roles import (
    ID_COLUMNS,
    NUMBER_COLUMNS,
    REQUIRED,
    SHOWN_ROWS,
    TEXT_COLUMNS,
    TIME_COLUMNS,
    missing_columns_message,
    unique_key_covers_event_id,
)
from leadscore.io.sources import TableRef, describe

logger = logging.getLogger(__name__)


def quote(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def literal(value: str) -> str:
    return exp.Literal.string(value).sql("duckdb")


def kind_of(duckdb_type: str) -> Kind:
    t = duckdb_type.upper()
    if t in {"VARCHAR", "TEXT", "STRING"} or t.startswith("VARCHAR"):
        return Kind.TEXT
    if t.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")):
        return Kind.NUMBER
    if t.startswith(("TIMESTAMP", "DATE")):
        return Kind.TIMESTAMP
    if t == "JSON":
        return Kind.JSON
    return Kind.OTHER


@dataclass
class Loaded:
    """A canonical view in DuckDB and what it holds."""

    view: str
    table: Table
    label: str
    row_offset: int  # add to a 0-based row index to get the number users see
    row_word: str


class DuckDBLoader:
    """Turns sources into canonical views on one DuckDB connection."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        self._counter = 0

    def load(self, role: str, source: Any, *, validate: bool = True, id_column: str | None = None) -> Loaded:
        self._counter += 1
        raw = f"__ls_raw_{role}_{self._counter}"
        view = f"__ls_in_{role}_{self._counter}"
        label, offset, word = self._register_raw(raw, source)
        if id_column not in (None, "lead_id"):
            raw = self._rename_id(raw, id_column, label)
        columns = self._columns(raw)
        missing = [c for c in REQUIRED[role] if c not in columns]
        if missing:
            raise InputError(missing_columns_message(role, label, missing, list(columns)))
        select = self._canonical_select(role, raw, columns)
        self.conn.execute(f"CREATE OR REPLACE TEMP VIEW {quote(view)} AS {select}").fetchall()
        unique = role == "events" and isinstance(source, TableRef) and self._has_unique_event_ids(source)
        loaded = Loaded(view, Table((view,), self._kinds(view), unique_event_ids=unique), label, offset, word)
        if validate:
            try:
                self._validate(role, raw, loaded, columns)
            except duckdb.Error as exc:  # a malformed file shows up when it is read in full
                raise InputError(f"{label}: cannot read it: {_first_line(exc)}") from exc
        return loaded

    def _has_unique_event_ids(self, ref: TableRef) -> bool:
        """Whether a key constraint of exactly this table makes (lead_id, event_id) unique.

        The table is matched by catalog, schema and name as the query resolves them: a table
        of the same name in another schema says nothing about this one.
        """
        catalog, schema = _qualifiers(ref)
        rows = self.conn.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE table_name = ? AND schema_name = coalesce(?, current_schema()) "
            "AND database_name = coalesce(?, current_database()) "
            "AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')",
            [ref.name[-1], schema, catalog],
        ).fetchall()
        return any(unique_key_covers_event_id(list(r[0])) for r in rows)

    def _rename_id(self, raw: str, id_column: str, label: str) -> str:
        """A view of ``raw`` whose ``id_column`` is called lead_id."""
        columns = self._columns(raw)
        if id_column not in columns:
            raise InputError(f"{label}: no id column {id_column!r} (found {', '.join(columns)})")
        if "lead_id" in columns:
            raise InputError(f"{label}: has both lead_id and {id_column!r}: name one id column")
        renamed = f"{raw}_ids"
        self.conn.execute(
            f"CREATE OR REPLACE TEMP VIEW {quote(renamed)} AS SELECT * RENAME ({quote(id_column)} AS lead_id) FROM {quote(raw)}"
        ).fetchall()
        return renamed

    # -- reading ---------------------------------------------------------------
    def _register_raw(self, raw: str, source: Any) -> tuple[str, int, str]:
        if isinstance(source, TableRef):
            name = ".".join(quote(p) for p in source.name)
            try:
                self.conn.execute(f"CREATE OR REPLACE TEMP VIEW {quote(raw)} AS SELECT * FROM {name}").fetchall()
            except duckdb.Error as exc:
                raise InputError(f"{source}: cannot read the table: {_first_line(exc)}") from exc
            return str(source), 1, "row"
        if isinstance(source, Path):
            return self._register_file(raw, source)
        try:
            self.conn.register(raw, source)
        except (duckdb.Error, TypeError, ValueError) as exc:
            raise InputError(f"{describe(source)}: cannot read this table: {exc}") from exc
        return describe(source), 1, "row"

    def _register_file(self, raw: str, path: Path) -> tuple[str, int, str]:
        reader = file_reader(path)
        try:
            self.conn.execute(f"CREATE OR REPLACE TEMP VIEW {quote(raw)} AS SELECT * FROM {reader}").fetchall()
            self.conn.execute(f"SELECT * FROM {quote(raw)} LIMIT 0").fetchall()
        except duckdb.Error as exc:
            raise InputError(f"{path}: cannot read it as {file_format(path).upper()}: {_first_line(exc)}") from exc
        return row_numbering(path)

    def _columns(self, relation: str) -> dict[str, str]:
        rows = self.conn.execute(f"DESCRIBE SELECT * FROM {quote(relation)}").fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def _kinds(self, relation: str) -> dict[str, Kind]:
        kinds = {name: kind_of(t) for name, t in self._columns(relation).items()}
        if "properties" in kinds:
            kinds["properties"] = Kind.JSON
        return kinds

    # -- canonical form ------------------------------------------------------------
    def _canonical_select(self, role: str, raw: str, columns: dict[str, str]) -> str:
        return f"SELECT {self._canonical_columns(role, columns)} FROM {quote(raw)}"

    def _canonical_columns(self, role: str, columns: dict[str, str]) -> str:
        parts = []
        for name, type_ in columns.items():
            col = quote(name)
            kind = kind_of(type_)
            if name in ID_COLUMNS:  # ids are kept as given (not trimmed); empty means missing
                expr = f"NULLIF({col}, '')" if kind is Kind.TEXT else f"CAST({col} AS VARCHAR)"
            elif name in TIME_COLUMNS[role]:
                expr = _timestamp_expr(col, kind)
            elif role == "events" and name == "properties":
                expr = f"NULLIF(TRIM(CAST({col} AS VARCHAR)), '')" if kind is Kind.TEXT else f"CAST(to_json({col}) AS VARCHAR)"
            elif name in TEXT_COLUMNS.get(role, ()):
                expr = f"NULLIF(TRIM(CAST({col} AS VARCHAR)), '')" if role == "outcomes" else f"CAST({col} AS VARCHAR)"
            elif name in NUMBER_COLUMNS.get(role, ()):
                expr = f"TRY_CAST(NULLIF(TRIM(CAST({col} AS VARCHAR)), '') AS DOUBLE)"
            else:
                expr = col
            parts.append(f"{expr} AS {col}")
        return ", ".join(parts)

    # -- validation ----------------------------------------------------------------
    def _validate(self, role: str, raw: str, loaded: Loaded, columns: dict[str, str]) -> None:
        checks: list[tuple[str, str]] = []
        key = "account_id" if role == "accounts" else "lead_id"
        checks.append((f"{key} is empty", f"{quote(key)} IS NULL"))
        if role == "events":
            checks.append(("event is empty", "\"event\" IS NULL OR \"event\" = '' OR TRIM(\"event\") = ''"))
        present = [n for n in TIME_COLUMNS[role] if n in columns]
        # text is parsed, so compare it with what it parsed to; typed timestamps only can be NULL
        raw_times = [n for n in present if kind_of(columns[n]) is not Kind.TIMESTAMP]
        for name in present:
            source = quote(f"__raw_{name}")
            checks.append((f"{name} is outside the years 1 to 9999", _outside_years(quote(name))))
            if name not in raw_times:
                if name == "timestamp":
                    checks.append(("timestamp is empty", f"{quote(name)} IS NULL"))
                continue
            if name == "timestamp":
                checks.append(("timestamp is empty", f"NULLIF(TRIM({source}), '') IS NULL"))
            checks.append(
                (f"{name} is not an ISO-8601 timestamp", f"NULLIF(TRIM({source}), '') IS NOT NULL AND {quote(name)} IS NULL")
            )
        if role == "events" and "properties" in columns:
            checks.append((
                "properties is not a JSON object",
                "properties IS NOT NULL AND NOT (CASE WHEN json_valid(properties) THEN json_type(properties) = 'OBJECT' ELSE FALSE END)",
            ))
        numbers = [n for n in NUMBER_COLUMNS.get(role, ()) if n in columns and kind_of(columns[n]) is not Kind.NUMBER]
        for name in numbers:
            source = quote(f"__raw_{name}")
            checks.append((f"{name} is not a number", f"NULLIF(TRIM({source}), '') IS NOT NULL AND {quote(name)} IS NULL"))
        raw_times += numbers
        self._run_checks(role, raw, loaded, columns, checks, raw_times)
        if role in ("leads", "accounts"):
            self._check_unique(raw, loaded, key)

    def _checked(self, role: str, relation: str, columns: dict[str, str], raw_times: list[str], *, rowid: bool) -> str:
        """The canonical rows beside the raw text of their time columns (and their index)."""
        canonical = self._canonical_columns(role, columns)
        extra = "".join(f", CAST({quote(n)} AS VARCHAR) AS {quote('__raw_' + n)}" for n in raw_times)
        index = ", rowid AS __ls_row" if rowid else ""
        return f"SELECT {canonical}{extra}{index} FROM {quote(relation)}"

    def _numbered(self, raw: str) -> str:
        """The raw rows in source order, in a table whose rowid is their index (made on failure only)."""
        numbered = f"{raw}_numbered"
        self.conn.execute(f"CREATE OR REPLACE TEMP TABLE {quote(numbered)} AS SELECT * FROM {quote(raw)}").fetchall()
        return numbered

    def _run_checks(
        self, role: str, raw: str, loaded: Loaded, columns: dict[str, str], checks: list[tuple[str, str]], raw_times: list[str]
    ) -> None:
        # one pass counts every kind of bad row; row numbers are looked up only when something is wrong
        counts_sql = ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond in checks)
        counts = self.conn.execute(f"SELECT {counts_sql} FROM ({self._checked(role, raw, columns, raw_times, rowid=False)})").fetchall()[0]
        assert counts is not None
        bad = [(what, cond, n) for (what, cond), n in zip(checks, counts, strict=True) if n]
        if not bad:
            return
        numbered = self._checked(role, self._numbered(raw), columns, raw_times, rowid=True)
        messages = []
        for what, cond, n in bad:
            rows = self.conn.execute(
                f"SELECT __ls_row FROM ({numbered}) WHERE {cond} ORDER BY __ls_row LIMIT {SHOWN_ROWS}"
            ).fetchall()
            shown = ", ".join(str(r[0] + loaded.row_offset) for r in rows)
            more = f" and {n - len(rows)} more" if n > len(rows) else ""
            messages.append(f"{loaded.label}: {loaded.row_word}{'s' if n > 1 else ''} {shown}{more}: {what}")
        raise InputError("\n".join(messages))

    def _check_unique(self, raw: str, loaded: Loaded, key: str) -> None:
        col = quote(key)
        dupes = self.conn.execute(
            f"SELECT count(*), min({col}) FROM (SELECT {col} FROM {quote(loaded.view)} WHERE {col} IS NOT NULL GROUP BY {col} HAVING count(*) > 1)"
        ).fetchall()[0]
        assert dupes is not None
        if not dupes[0]:
            return
        numbered = self._numbered(raw)
        rows = self.conn.execute(
            f"SELECT rowid FROM {quote(numbered)} WHERE CAST({col} AS VARCHAR) = ? ORDER BY rowid LIMIT {SHOWN_ROWS}",
            [dupes[1]],
        ).fetchall()
        shown = ", ".join(str(r[0] + loaded.row_offset) for r in rows)
        raise InputError(
            f"{loaded.label}: {key} {dupes[1]!r} appears more than once ({loaded.row_word}s {shown}); "
            f"{dupes[0]} {key}{'s are' if dupes[0] > 1 else ' is'} repeated: each {key} must be unique"
        )


def file_reader(path: Path) -> str:
    """The DuckDB table function that reads a file, by its extension (CSV cells stay text)."""
    kind = file_format(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    return {
        "csv": f"read_csv({literal(str(path))}, header = true, all_varchar = true)",
        "parquet": f"read_parquet({literal(str(path))})",
        "jsonl": f"read_json({literal(str(path))}, format = 'newline_delimited')",
    }[kind]


def row_numbering(path: Path) -> tuple[str, int, str]:
    """How to name a row of a file in errors: (label, number of the first data row, word)."""
    kind = file_format(path)
    if kind == "csv":
        return str(path), 2, "line"  # the header is line 1
    return str(path), 1, "line" if kind == "jsonl" else "row"


def _qualifiers(ref: TableRef) -> tuple[str | None, str | None]:
    """The catalog and schema a table name gives (None: the connection's current one)."""
    parts = (None, None, *ref.name)
    return parts[-3], parts[-2]


FIRST_MOMENT, LAST_MOMENT = "0001-01-01 00:00:00+00", "9999-12-31 23:59:59.999999+00"
"""The timestamps leadscore takes (those of ISO-8601 and of Python); others, such as infinity,
dates BC or year 20000, are refused as bad rows."""


def _outside_years(col: str) -> str:
    return f"{col} IS NOT NULL AND NOT ({col} BETWEEN TIMESTAMPTZ '{FIRST_MOMENT}' AND TIMESTAMPTZ '{LAST_MOMENT}')"


def _timestamp_expr(col: str, kind: Kind) -> str:
    if kind is Kind.TEXT:
        return f"TRY_CAST(NULLIF(TRIM({col}), '') AS TIMESTAMPTZ)"
    if kind is Kind.TIMESTAMP:
        return f"CAST({col} AS TIMESTAMPTZ)"
    return f"TRY_CAST(CAST({col} AS VARCHAR) AS TIMESTAMPTZ)"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
