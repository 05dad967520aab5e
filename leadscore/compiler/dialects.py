"""The few places where SQL dialects differ in what the scorecard semantics need.

The compiler builds one sqlglot tree; a ``Dialect`` profile says which form of each
operation keeps the contract's meaning there (a safe number cast, epoch seconds, rounding,
reading a JSON property, the fast deduplication plan). The differences live in the table
``DIALECTS`` below, not in ``if`` branches spread across the compiler. An engine hands its
profile to the compiler; ``leadscore sql`` picks one by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlglot import exp

# A number, as the contract means it: optional sign, digits with an optional fraction, and an
# optional exponent. "inf", "nan", "1,000" and "0x10" are not numbers.
NUMBER_PATTERN = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$"
WHITESPACE = " \t\n\r"


class NumberCast(StrEnum):
    """How text that looks like a number becomes one."""

    TRY_DOUBLE = "try_double"
    """``TRY_CAST(... AS DOUBLE)`` behind the pattern guard."""
    DECIMAL = "decimal"
    """``CAST(... AS DECIMAL)`` behind the guard: no TRY_CAST, and 1e400 would overflow a double."""


class Epoch(StrEnum):
    """How a timestamp becomes seconds since 1970."""

    TIME_TO_UNIX = "time_to_unix"
    EXTRACT = "extract"
    UNIX_SECONDS = "unix_seconds"


@dataclass(frozen=True)
class Dialect:
    """What the compiler needs to know of one SQL dialect."""

    name: str
    """The sqlglot dialect the tree is rendered in."""
    number_cast: NumberCast = NumberCast.TRY_DOUBLE
    epoch: Epoch = Epoch.TIME_TO_UNIX
    json_needs_cast: bool = False
    """The JSON properties column is text and must be cast to JSON before a key is read."""
    native_round: bool = False
    """``ROUND(x, 2)`` works on any number type (else: through DECIMAL)."""
    native_ends_with: bool = True
    json_pointer: bool = False
    """A JSON key is read with a JSON Pointer (``/key``, ``~`` and ``/`` escaped), because the
    dialect's JSON paths give metacharacters (``*``) a meaning even inside quotes."""
    max_identifier_bytes: int | None = None
    """Longer output names are cut by the database (PostgreSQL: 63 bytes); None: no limit."""
    keyed_dedupe: bool = False
    """128-bit integers and ``epoch_us``: re-sent events are removed by a hash aggregate over
    ``(lead_id, event_id)`` with the rule bits packed in one key, not by a window."""

    def __str__(self) -> str:
        return self.name


DIALECTS: dict[str, Dialect] = {
    "duckdb": Dialect("duckdb", native_round=True, keyed_dedupe=True, json_pointer=True),
    "postgres": Dialect(
        "postgres", number_cast=NumberCast.DECIMAL, epoch=Epoch.EXTRACT, json_needs_cast=True,
        native_ends_with=False, max_identifier_bytes=63,
    ),
    "spark": Dialect("spark"),
    "bigquery": Dialect("bigquery", epoch=Epoch.UNIX_SECONDS),
    "snowflake": Dialect("snowflake"),
}
DIALECT_ALIASES = {"postgresql": "postgres", "pg": "postgres", "databricks": "spark"}


def normalize_dialect(name: str | Dialect) -> Dialect:
    """The profile of a dialect given by name (or alias), or the profile itself."""
    if isinstance(name, Dialect):
        return name
    key = name.lower()
    key = DIALECT_ALIASES.get(key, key)
    if key not in DIALECTS:
        from leadscore.errors import UnsupportedError

        raise UnsupportedError(f"unknown SQL dialect {name!r}: use one of {', '.join(DIALECTS)}")
    return DIALECTS[key]


def as_text(value: exp.Expression) -> exp.Expression:
    return exp.cast(value, exp.DataType.build("text"))


def number_as_text(value: exp.Expression) -> exp.Expression:
    """A number's text: whole numbers without a fraction (``120.0`` → ``120``), others as the engine
    prints them (the shortest text that reads back the same: ``75.5``)."""
    whole = exp.and_(
        exp.EQ(this=value.copy(), expression=exp.func("TRUNC", value.copy())),
        exp.LT(this=exp.Abs(this=value.copy()), expression=exp.Literal.number("1e15")),
    )
    integer = as_text(exp.cast(value.copy(), exp.DataType.build("bigint")))
    return exp.Case(ifs=[exp.If(this=whole, true=integer)], default=as_text(value.copy()))


def trimmed(value: exp.Expression) -> exp.Expression:
    return exp.Trim(this=value, expression=exp.Literal.string(WHITESPACE))


_NUMBER_CASTS: dict[NumberCast, Callable[[exp.Expression], exp.Expression]] = {
    NumberCast.TRY_DOUBLE: lambda v: exp.TryCast(this=v, to=exp.DataType.build("double")),
    NumberCast.DECIMAL: lambda v: exp.cast(v, exp.DataType.build("decimal")),
}


def safe_number(text: exp.Expression, dialect: Dialect) -> exp.Expression:
    """The number in a text value, or NULL when it is not one (never an error)."""
    value = trimmed(text)
    guard = exp.RegexpLike(this=value.copy(), expression=exp.Literal.string(NUMBER_PATTERN))
    return exp.Case(ifs=[exp.If(this=guard, true=_NUMBER_CASTS[dialect.number_cast](value.copy()))])


_EPOCHS: dict[Epoch, Callable[[exp.Expression], exp.Expression]] = {
    Epoch.TIME_TO_UNIX: lambda ts: exp.TimeToUnix(this=ts),
    Epoch.EXTRACT: lambda ts: exp.Extract(this=exp.var("EPOCH"), expression=ts),
    Epoch.UNIX_SECONDS: lambda ts: exp.UnixSeconds(this=ts),
}


def epoch_seconds(ts: exp.Expression, dialect: Dialect) -> exp.Expression:
    return _EPOCHS[dialect.epoch](ts)


def round2(value: exp.Expression, dialect: Dialect) -> exp.Expression:
    """Round to 2 decimals; always a DOUBLE (PostgreSQL has no ROUND(double, n): there through NUMERIC)."""
    if not dialect.native_round:
        value = exp.cast(value, exp.DataType.build("decimal(38, 6)"))
    return exp.cast(exp.Round(this=value, decimals=exp.Literal.number(2)), exp.DataType.build("double"))


def json_text(column: exp.Expression, key: str, dialect: Dialect) -> exp.Expression:
    """A property of a JSON object column as text (NULL when absent)."""
    if dialect.json_needs_cast:
        column = exp.cast(column, exp.DataType.build("json"))
    if dialect.json_pointer:  # a property name is data: '*' or 'a.b' is that key, nothing else
        pointer = "/" + key.replace("~", "~0").replace("/", "~1")
        return exp.Anonymous(this="json_extract_string", expressions=[column, exp.Literal.string(pointer)])
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=key)])
    return exp.JSONExtractScalar(this=column, expression=path)


def ends_with(text: exp.Expression, suffix: exp.Expression, dialect: Dialect) -> exp.Expression:
    """``text`` ends with ``suffix`` (PostgreSQL has STARTS_WITH but no ENDS_WITH)."""
    if dialect.native_ends_with:
        return exp.EndsWith(this=text, expression=suffix)
    position = exp.StrPosition(this=exp.func("REVERSE", text), substr=exp.func("REVERSE", suffix))
    return exp.EQ(this=position, expression=exp.Literal.number(1))
