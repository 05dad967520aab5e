"""The few places where SQL dialects differ in what the scorecard semantics need.

The compiler builds one sqlglot tree; these helpers pick the form of an operation that
keeps the contract's meaning on each dialect (a safe number cast, epoch seconds, rounding,
reading a JSON property).
"""

from __future__ import annotations

from sqlglot import exp

DIALECTS = ("duckdb", "postgres", "spark", "bigquery", "snowflake")
DIALECT_ALIASES = {"postgresql": "postgres", "pg": "postgres", "databricks": "spark"}

# A number, as the contract means it: optional sign, digits with an optional fraction, and an
# optional exponent. "inf", "nan", "1,000" and "0x10" are not numbers.
NUMBER_PATTERN = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$"
WHITESPACE = " \t\n\r"


def normalize_dialect(name: str) -> str:
    key = name.lower()
    key = DIALECT_ALIASES.get(key, key)
    if key not in DIALECTS:
        from leadscore.errors import UnsupportedError

        raise UnsupportedError(f"unknown SQL dialect {name!r}: use one of {', '.join(DIALECTS)}")
    return key


def double_type(dialect: str) -> exp.DataType:
    return exp.DataType.build("double", dialect=dialect if dialect != "postgres" else None)


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


def safe_number(text: exp.Expression, dialect: str) -> exp.Expression:
    """The number in a text value, or NULL when it is not one (never an error)."""
    value = trimmed(text)
    guard = exp.RegexpLike(this=value.copy(), expression=exp.Literal.string(NUMBER_PATTERN))
    # The guard keeps the cast from failing where there is no TRY_CAST (PostgreSQL). There the
    # number is NUMERIC: any text the guard lets through fits (1e400 would overflow a double).
    cast: exp.Expression
    if dialect == "postgres":
        cast = exp.cast(value.copy(), exp.DataType.build("decimal"))
    else:
        cast = exp.TryCast(this=value.copy(), to=exp.DataType.build("double"))
    return exp.Case(ifs=[exp.If(this=guard, true=cast)])


def epoch_seconds(ts: exp.Expression, dialect: str) -> exp.Expression:
    if dialect == "bigquery":
        return exp.UnixSeconds(this=ts)
    if dialect == "postgres":
        return exp.Extract(this=exp.var("EPOCH"), expression=ts)
    return exp.TimeToUnix(this=ts)


def round2(value: exp.Expression, dialect: str) -> exp.Expression:
    """Round to 2 decimals (PostgreSQL has no ROUND(double, n): there through NUMERIC)."""
    if dialect == "duckdb":  # points may be exact DECIMALs here; the output is always DOUBLE
        return exp.cast(exp.Round(this=value, decimals=exp.Literal.number(2)), exp.DataType.build("double"))
    decimal = exp.cast(value, exp.DataType.build("decimal(38, 6)"))
    return exp.cast(exp.Round(this=decimal, decimals=exp.Literal.number(2)), exp.DataType.build("double"))


def json_text(column: exp.Expression, key: str, dialect: str) -> exp.Expression:
    """A property of a JSON object column as text (NULL when absent)."""
    if dialect == "postgres":
        column = exp.cast(column, exp.DataType.build("json"))
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=key)])
    return exp.JSONExtractScalar(this=column, expression=path)


def ends_with(text: exp.Expression, suffix: exp.Expression, dialect: str) -> exp.Expression:
    """``text`` ends with ``suffix`` (PostgreSQL has STARTS_WITH but no ENDS_WITH)."""
    if dialect == "postgres":
        position = exp.StrPosition(this=exp.func("REVERSE", text), substr=exp.func("REVERSE", suffix))
        return exp.EQ(this=position, expression=exp.Literal.number(1))
    return exp.EndsWith(this=text, expression=suffix)
