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
from collections.abc import Callable, Iterator
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
    WHITESPACE,
    missing_columns_message,
    unique_key_covers_event_id,
)
from leadscore.io.sources import TableRef, describe
from leadscore.io.textfiles import (
    csv_header,
    csv_problem,
    csv_record_lines,
    delimiter_of,
    is_blank,
    jsonl_problem,
    jsonl_record_lines,
    record_lines,
    repeated_names,
)

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
class Numbering:
    """How users number the records of a source: rows from 1, or the lines of a text file."""

    label: str
    word: str = "row"
    lines: Callable[[], Iterator[int]] | None = None
    """The line on which each record starts, in order (CSV and JSON Lines files)."""

    def numbers(self, indexes: list[int]) -> list[int]:
        """The numbers users see of some 0-based record indexes."""
        if self.lines is None:
            return [i + 1 for i in indexes]
        found = record_lines(self.lines(), indexes)
        return [found.get(i, i + 1) for i in indexes]


@dataclass
class Loaded:
    """A canonical view in DuckDB and what it holds."""

    view: str
    table: Table
    numbering: Numbering

    @property
    def label(self) -> str:
        return self.numbering.label


class DuckDBLoader:
    """Turns sources into canonical views on one DuckDB connection."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        self._counter = 0

    def load(self, role: str, source: Any, *, validate: bool = True, id_column: str | None = None) -> Loaded:
        self._counter += 1
        raw = f"__ls_raw_{role}_{self._counter}"
        view = f"__ls_in_{role}_{self._counter}"
        numbering = self._register_raw(raw, source)
        label = numbering.label
        if id_column not in (None, "lead_id"):
            raw = self._rename_id(raw, id_column, label)
        columns = self._columns(raw)
        missing = [c for c in REQUIRED[role] if c not in columns]
        if missing:
            raise InputError(missing_columns_message(role, label, missing, list(columns)))
        _refuse_id_types(label, columns)
        select = self._canonical_select(role, raw, columns)
        self.conn.execute(f"CREATE OR REPLACE TEMP VIEW {quote(view)} AS {select}").fetchall()
        unique = role == "events" and isinstance(source, TableRef) and self._has_unique_event_ids(source)
        loaded = Loaded(view, Table((view,), self._kinds(view), unique_event_ids=unique), numbering)
        if validate:
            try:
                self._validate(role, raw, loaded, columns)
            except duckdb.Error as exc:  # a malformed file shows up when it is read in full
                raise InputError(unreadable(source, exc)) from exc
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
    def _register_raw(self, raw: str, source: Any) -> Numbering:
        if isinstance(source, TableRef):
            name = ".".join(quote(p) for p in source.name)
            try:
                self.conn.execute(f"CREATE OR REPLACE TEMP VIEW {quote(raw)} AS SELECT * FROM {name}").fetchall()
            except duckdb.Error as exc:
                raise InputError(f"{source}: cannot read the table: {database_reason(exc)}") from exc
            return Numbering(str(source))
        if isinstance(source, Path):
            return self._register_file(raw, source)
        _refuse_repeated(describe(source), _frame_columns(source))
        try:
            self.conn.register(raw, source)
        except (duckdb.Error, TypeError, ValueError) as exc:
            raise InputError(f"{describe(source)}: cannot read this table: {exc}") from exc
        return Numbering(describe(source))

    def _register_file(self, raw: str, path: Path) -> Numbering:
        reader = self.file_reader(path)
        try:
            self.conn.execute(f"CREATE OR REPLACE TEMP VIEW {quote(raw)} AS SELECT * FROM {reader}").fetchall()
            self.conn.execute(f"SELECT * FROM {quote(raw)} LIMIT 0").fetchall()
        except duckdb.Error as exc:
            raise InputError(unreadable(path, exc)) from exc
        return row_numbering(path)

    def file_reader(self, path: Path) -> str:
        """The DuckDB table function that reads a file, by its extension (CSV cells stay text).

        CSV: the delimiter is the one of the header line, quotes are ``"`` (``""`` inside them),
        no line is skipped or taken for a comment, and every line must have the header's width.
        JSON Lines: every key of every line is a column, read as JSON and turned into text by
        the contract's rules (see ``_json_text``), whatever its type in other lines.
        """
        kind = file_format(path)
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not a file")
        name = literal(str(path))
        if kind == "parquet":
            _refuse_repeated(str(path), _parquet_columns(self.conn, path))
            return f"read_parquet({name})"
        if is_blank(path):
            what = "a header line" if kind == "csv" else "one JSON object per line"
            raise InputError(f"{path}: is empty: a {kind.upper().replace('JSONL', 'JSON Lines')} file needs {what}")
        if kind == "csv":
            delimiter = delimiter_of(path)
            _refuse_repeated(str(path), csv_header(path, delimiter))
            return (
                f"read_csv({name}, header = true, all_varchar = true, delim = {literal(delimiter)}, quote = '\"', "
                "escape = '\"', skip = 0, comment = '', strict_mode = true, null_padding = false)"
            )
        keys = self._jsonl_keys(path)
        _refuse_repeated(str(path), keys, "key")
        columns = ", ".join(f"{literal(k)}: 'JSON'" for k in keys)
        return f"read_json({name}, format = 'newline_delimited', records = true, columns = {{{columns}}})"

    def _jsonl_keys(self, path: Path) -> list[str]:
        """Every key of the file's objects, in order of first appearance (one pass over the file)."""
        objects = f"read_json_objects({literal(str(path))}, format = 'newline_delimited')"
        try:
            rows = self.conn.execute(
                f"SELECT key FROM (SELECT unnest(json_keys(json)) AS key, row_number() OVER () AS line FROM {objects} "
                "WHERE json_type(json) = 'OBJECT') GROUP BY key ORDER BY min(line), key"
            ).fetchall()
        except duckdb.Error as exc:
            raise InputError(unreadable(path, exc)) from exc
        keys = [str(r[0]) for r in rows if str(r[0])]
        if not keys:
            raise InputError(f"{path}: {jsonl_problem(path) or 'has no JSON object with keys: each line must be one object'}")
        return keys

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
            if kind is Kind.JSON and not (role == "events" and name == "properties"):
                col, kind = _json_text(col), Kind.TEXT  # a column of mixed types: each value read as text
            if name in ID_COLUMNS:  # ids are kept as given (not trimmed); empty means missing
                expr = f"NULLIF({col}, '')" if kind is Kind.TEXT else _number_text(col) if _is_fraction(type_) else f"CAST({col} AS VARCHAR)"
            elif name in TIME_COLUMNS[role]:
                expr = _timestamp_expr(col, kind, type_)
            elif role == "events" and name == "properties":
                expr = f"NULLIF(TRIM(CAST({col} AS VARCHAR)), '')" if kind is Kind.TEXT else f"CAST(to_json({col}) AS VARCHAR)"
            elif name in TEXT_COLUMNS.get(role, ()):
                expr = f"NULLIF(TRIM(CAST({col} AS VARCHAR)), '')" if role == "outcomes" else f"CAST({col} AS VARCHAR)"
            elif name in NUMBER_COLUMNS.get(role, ()):
                expr = f"TRY_CAST(NULLIF(TRIM(CAST({col} AS VARCHAR)), '') AS DOUBLE)"
            else:
                expr = col
            parts.append(f"{expr} AS {quote(name)}")
        return ", ".join(parts)

    # -- validation ----------------------------------------------------------------
    def _validate(self, role: str, raw: str, loaded: Loaded, columns: dict[str, str]) -> None:
        checks: list[tuple[str, str]] = []
        key = "account_id" if role == "accounts" else "lead_id"
        checks.append((f"{key} is empty", f"{quote(key)} IS NULL"))
        extras: dict[str, str] = {}
        for name in (n for n in columns if n in ID_COLUMNS):
            col = quote(name)
            if name != "event_id":  # (an event_id is compared as given: white space is an id; not read here, it is costly)
                # only a text that starts below '!' can be blank: the CASE trims those alone (cheap on millions)
                blank = f"CASE WHEN {col} < '!' THEN TRIM({col}, {literal(WHITESPACE)}) = '' ELSE FALSE END"
                checks.append((f"{name} is blank (only white space)", blank))
            if kind_of(columns[name]) is Kind.JSON:  # a JSON Lines key of mixed types
                extras[f"__type_{name}"] = f"json_type({col})"
                checks.append((f"{name} is a list or an object, not an id", f"{quote('__type_' + name)} IN ('ARRAY', 'OBJECT')"))
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
        extras |= {f"__raw_{n}": _raw_text(n, columns[n]) for n in raw_times}
        self._run_checks(role, raw, loaded, columns, checks, extras)
        if role in ("leads", "accounts"):
            self._check_unique(raw, loaded, key)

    def _checked(self, role: str, relation: str, columns: dict[str, str], extras: dict[str, str], *, rowid: bool) -> str:
        """The canonical rows beside what the checks read of the raw ones (the text of time columns...)."""
        canonical = self._canonical_columns(role, columns)
        extra = "".join(f", {sql} AS {quote(name)}" for name, sql in extras.items())
        index = ", rowid AS __ls_row" if rowid else ""
        return f"SELECT {canonical}{extra}{index} FROM {quote(relation)}"

    def _numbered(self, raw: str) -> str:
        """The raw rows in source order, in a table whose rowid is their index (made on failure only)."""
        numbered = f"{raw}_numbered"
        self.conn.execute(f"CREATE OR REPLACE TEMP TABLE {quote(numbered)} AS SELECT * FROM {quote(raw)}").fetchall()
        return numbered

    def _run_checks(
        self, role: str, raw: str, loaded: Loaded, columns: dict[str, str], checks: list[tuple[str, str]], extras: dict[str, str]
    ) -> None:
        # one pass counts every kind of bad row; row numbers are looked up only when something is wrong
        counts_sql = ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond in checks)
        counts = self.conn.execute(f"SELECT {counts_sql} FROM ({self._checked(role, raw, columns, extras, rowid=False)})").fetchall()[0]
        assert counts is not None
        bad = [(what, cond, n) for (what, cond), n in zip(checks, counts, strict=True) if n]
        if not bad:
            return
        numbered = self._checked(role, self._numbered(raw), columns, extras, rowid=True)
        messages = []
        for what, cond, n in bad:
            rows = self.conn.execute(
                f"SELECT __ls_row FROM ({numbered}) WHERE {cond} ORDER BY __ls_row LIMIT {SHOWN_ROWS}"
            ).fetchall()
            shown = ", ".join(str(number) for number in loaded.numbering.numbers([int(r[0]) for r in rows]))
            more = f" and {n - len(rows)} more" if n > len(rows) else ""
            messages.append(f"{loaded.label}: {loaded.numbering.word}{'s' if n > 1 else ''} {shown}{more}: {what}")
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
        ids = f"SELECT {_canonical_id(quote(key), self._columns(numbered)[key])} AS id, rowid AS row FROM {quote(numbered)}"
        rows = self.conn.execute(f"SELECT row FROM ({ids}) WHERE id = ? ORDER BY row LIMIT {SHOWN_ROWS}", [dupes[1]]).fetchall()
        shown = ", ".join(str(number) for number in loaded.numbering.numbers([int(r[0]) for r in rows]))
        raise InputError(
            f"{loaded.label}: {key} {dupes[1]!r} appears more than once ({loaded.numbering.word}s {shown}); "
            f"{dupes[0]} {key}{'s are' if dupes[0] > 1 else ' is'} repeated: each {key} must be unique"
        )


def row_numbering(path: Path) -> Numbering:
    """How to name a record of a file in errors: its line (CSV, JSON Lines) or its row (Parquet)."""
    kind = file_format(path)
    if kind == "csv":
        delimiter = delimiter_of(path)
        return Numbering(str(path), "line", lambda: csv_record_lines(path, delimiter))
    if kind == "jsonl":
        return Numbering(str(path), "line", lambda: jsonl_record_lines(path))
    return Numbering(str(path))


def unreadable(source: Any, exc: Exception) -> str:
    """Why a source cannot be read, in the user's words: the first line at fault in a text file
    (found by reading it in Python), else the database's reason, in full."""
    if isinstance(source, Path):
        kind = file_format(source)
        problem = {"csv": lambda: csv_problem(source, delimiter_of(source)), "jsonl": lambda: jsonl_problem(source)}.get(kind)
        found = problem() if problem is not None else None
        if found:
            return f"{source}: {found}"
        return f"{source}: cannot read it as {kind.upper().replace('JSONL', 'JSON Lines')}: {database_reason(exc)}"
    return f"{describe(source)}: cannot read it: {database_reason(exc)}"


def database_reason(exc: Exception) -> str:
    """A database error's reason: its lines up to the advice and settings DuckDB appends, joined."""
    kept = []
    for line in str(exc).strip().splitlines():
        text = line.strip()
        if not text and kept:
            break
        if text.startswith(("Possible Solution", "Possible fixes", "* ", "Try setting", "file =")):
            break
        if text:
            kept.append(text.rstrip("."))
    return "; ".join(kept) or type(exc).__name__


def _refuse_repeated(label: str, names: list[str], what: str = "column") -> None:
    """Refuse two columns (or JSON keys) of one name: DuckDB would rename one ``name_1`` silently."""
    repeated = repeated_names(names)
    if repeated is None:
        return
    first, second, i, j = repeated
    spelled = f"{first!r}" if first == second else f"{first!r} and {second!r} (names are compared ignoring case)"
    where = f" ({what}s {i} and {j})" if what == "column" else ""
    raise InputError(f"{label}: two {what}s are named {spelled}{where}: give each {what} its own name")


def _parquet_columns(conn: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The top-level column names of a Parquet file as written (DuckDB renames repeats)."""
    try:
        rows = conn.execute(f"SELECT name, num_children FROM parquet_schema({literal(str(path))})").fetchall()
    except duckdb.Error:
        return []  # not a Parquet file: reading it says why
    names: list[str] = []
    pending = [int(rows[0][1] or 0)] if rows else []  # children still to see at each depth; the first row is the root
    for name, children in rows[1:]:
        if len(pending) == 1:
            names.append(str(name))
        pending[-1] -= 1
        if children:
            pending.append(int(children))
        while len(pending) > 1 and pending[-1] == 0:
            pending.pop()
    return names


def _frame_columns(source: Any) -> list[str]:
    names = getattr(source, "column_names", None)
    if names is None:
        names = getattr(source, "columns", [])
    return [str(n) for n in names]


def _number_text(col: str) -> str:
    """A number's text as the contract writes it: no fraction when whole (``6.0`` is ``6``)."""
    number = f"CAST({col} AS DOUBLE)"
    whole = f"{number} = trunc({number}) AND abs({number}) < 1e15"
    return f"CASE WHEN {whole} THEN CAST(CAST({number} AS BIGINT) AS VARCHAR) ELSE CAST({number} AS VARCHAR) END"


def _is_fraction(type_: str) -> bool:
    return type_.upper().startswith(("FLOAT", "DOUBLE", "DECIMAL", "REAL"))


def _json_text(col: str) -> str:
    """A JSON value as the contract's text: a string unquoted, a whole number without a fraction,
    true/false, null as NULL, arrays and objects as JSON text."""
    # one json_type per value (a CASE json_type(...) WHEN ... would compute it once per WHEN)
    return f"CASE WHEN json_type({col}) = 'DOUBLE' THEN {_number_text(col)} ELSE json_extract_string({col}, '$') END"


ID_TYPES = ("VARCHAR", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "UUID", "JSON", "NULL")
"""Column types an id may have: text, numbers (a whole one reads without its fraction), UUIDs (and
NULL: an empty DataFrame's column of no type)."""


def _refuse_id_types(label: str, columns: dict[str, str]) -> None:
    for name, type_ in columns.items():
        if name in ID_COLUMNS and (type_.endswith("]") or not type_.strip('"').upper().startswith(ID_TYPES)):
            raise InputError(f"{label}: {name} holds values of type {type_}: an id is text or a number")


def _raw_text(name: str, type_: str) -> str:
    col = quote(name)
    return _json_text(col) if kind_of(type_) is Kind.JSON else f"CAST({col} AS VARCHAR)"


def _canonical_id(col: str, type_: str) -> str:
    return _json_text(col) if kind_of(type_) is Kind.JSON else f"CAST({col} AS VARCHAR)"


def _qualifiers(ref: TableRef) -> tuple[str | None, str | None]:
    """The catalog and schema a table name gives (None: the connection's current one)."""
    parts = (None, None, *ref.name)
    return parts[-3], parts[-2]


FIRST_MOMENT, LAST_MOMENT = "0001-01-01 00:00:00+00", "9999-12-31 23:59:59.999999+00"
"""The timestamps leadscore takes (those of ISO-8601 and of Python); others, such as infinity,
dates BC or year 20000, are refused as bad rows."""


def _outside_years(col: str) -> str:
    return f"{col} IS NOT NULL AND NOT ({col} BETWEEN TIMESTAMPTZ '{FIRST_MOMENT}' AND TIMESTAMPTZ '{LAST_MOMENT}')"


def _timestamp_expr(col: str, kind: Kind, type_: str = "") -> str:
    """A timestamp as TIMESTAMPTZ, rounded UP to the microsecond: an event 100 ns after as_of is
    after it, and one 1 ns inside a window is inside (DuckDB and PostgreSQL keep microseconds)."""
    if kind is Kind.TEXT:
        parsed = f"TRY_CAST(NULLIF(TRIM({col}), '') AS TIMESTAMPTZ)"
        finer = f"regexp_matches({col}, '[.][0-9]{{6}}0*[1-9]')"  # only text of 27 characters or more can be finer
        return f"CASE WHEN length({col}) < 27 THEN {parsed} WHEN {finer} THEN {parsed} + INTERVAL 1 MICROSECOND ELSE {parsed} END"
    if type_.upper().endswith("_NS"):
        nanos = f"epoch_ns({col})"
        micros = f"{nanos} // 1000 + CASE WHEN {nanos} % 1000 > 0 THEN 1 ELSE 0 END"  # // and % truncate toward 0
        return f"CAST(make_timestamp({micros}) AS TIMESTAMPTZ)"
    if kind is Kind.TIMESTAMP:
        return f"CAST({col} AS TIMESTAMPTZ)"
    return _timestamp_expr(f"CAST({col} AS VARCHAR)", Kind.TEXT)

