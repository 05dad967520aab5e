"""Compile scorecard conditions to SQL booleans that are never NULL.

Every leaf is wrapped in COALESCE(..., FALSE), so a missing value gives a plain
non-match and ``not`` of it holds, as the contract says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from leadscore.compiler import dialects
from leadscore.compiler.dialects import Dialect
from leadscore.compiler.sources import Kind
from leadscore.spec.conditions import AllCondition, AnyCondition, Condition, FieldCondition, NotCondition

WHITESPACE = dialects.WHITESPACE


@dataclass(frozen=True)
class Value:
    """A field's value in SQL, with the kind of its column (None: the field is missing)."""

    expr: exp.Expression | None
    kind: Kind | None = None
    text: exp.Expression | None = None
    """Its text form (lower-cased, trimmed), when already computed upstream."""
    number: exp.Expression | None = None
    """Its number (NULL when not a number), when already computed upstream."""


Resolver = Callable[[str], Value]


def compile_condition(cond: Condition, resolve: Resolver, dialect: Dialect) -> exp.Expression:
    """A SQL boolean, never NULL, that holds where ``cond`` does."""
    if isinstance(cond, AllCondition):
        return exp.and_(*(compile_condition(c, resolve, dialect) for c in cond.all_))
    if isinstance(cond, AnyCondition):
        return exp.or_(*(compile_condition(c, resolve, dialect) for c in cond.any_))
    if isinstance(cond, NotCondition):
        return exp.not_(exp.paren(compile_condition(cond.not_, resolve, dialect)))
    return _leaf(cond, resolve(cond.field), dialect)


def _leaf(cond: FieldCondition, value: Value, dialect: Dialect) -> exp.Expression:
    op = cond.operator
    if value.expr is None:  # a field the data lacks is missing everywhere
        return exp.true() if op == "exists" and cond.exists is False else exp.false()
    compiled = _OPERATORS[op](cond, _Field(value, dialect))
    return exp.func("COALESCE", exp.paren(compiled), exp.false())


class _Field:
    """Lazy text and number forms of one field value."""

    def __init__(self, value: Value, dialect: Dialect) -> None:
        assert value.expr is not None
        self.raw = value.expr
        self.kind = value.kind
        self.dialect = dialect
        self.value = value

    @property
    def text(self) -> exp.Expression:
        """Lower-cased, trimmed text."""
        if self.value.text is not None:
            return self.value.text.copy()
        return text_form(self.raw.copy(), self.kind)

    @property
    def present(self) -> exp.Expression:
        if self.value.text is not None:
            nonempty = exp.NEQ(this=self.value.text.copy(), expression=exp.Literal.string(""))
            return exp.func("COALESCE", nonempty, exp.false())
        raw = self.raw.copy() if self.kind is Kind.TEXT else dialects.as_text(self.raw.copy())
        not_null = exp.not_(exp.Is(this=self.raw.copy(), expression=exp.null()))
        return exp.and_(not_null, exp.NEQ(this=dialects.trimmed(raw), expression=exp.Literal.string("")))

    @property
    def number(self) -> exp.Expression:
        if self.value.number is not None:
            return self.value.number.copy()
        return number_form(self.raw.copy(), self.kind, self.dialect)


def text_form(raw: exp.Expression, kind: Kind | None) -> exp.Expression:
    """The contract's text form of a column: cast to text, trimmed, lower-cased."""
    if kind is Kind.NUMBER:
        return exp.Lower(this=dialects.number_as_text(raw))
    return exp.Lower(this=dialects.trimmed(raw if kind is Kind.TEXT else dialects.as_text(raw)))


def number_form(raw: exp.Expression, kind: Kind | None, dialect: Dialect) -> exp.Expression:
    """The number in a column, NULL when it holds no number."""
    if kind is Kind.NUMBER:
        return exp.cast(raw, exp.DataType.build("double"))
    return dialects.safe_number(raw if kind is Kind.TEXT else dialects.as_text(raw), dialect)


def numeric_fields(cond: Condition) -> set[str]:
    """Fields a condition compares as numbers."""
    if isinstance(cond, AllCondition | AnyCondition):
        return {f for c in (cond.all_ if isinstance(cond, AllCondition) else cond.any_) for f in numeric_fields(c)}
    if isinstance(cond, NotCondition):
        return numeric_fields(cond.not_)
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    if cond.operator in ("gt", "gte", "lt", "lte", "between") or any(_is_number(v) for v in values):
        return {cond.field}
    return set()


def text_fields(cond: Condition) -> set[str]:
    """Fields a condition reads as text (every operator but the purely numeric ones)."""
    if isinstance(cond, AllCondition | AnyCondition):
        return {f for c in (cond.all_ if isinstance(cond, AllCondition) else cond.any_) for f in text_fields(c)}
    if isinstance(cond, NotCondition):
        return text_fields(cond.not_)
    return set() if cond.operator in ("gt", "gte", "lt", "lte", "between") else {cond.field}


def text_of(value: object) -> str:
    """The contract's text form of a scorecard value: trimmed; booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip(WHITESPACE)


def _lit(value: object) -> exp.Expression:
    return exp.Lower(this=exp.Literal.string(text_of(value)))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equals_any(f: _Field, values: list[object]) -> exp.Expression:
    texts = [_lit(v) for v in values if text_of(v)]
    parts: list[exp.Expression] = []
    if texts:
        parts.append(exp.In(this=f.text, expressions=texts))
    numbers = [exp.Literal.number(float(v)) for v in values if _is_number(v)]  # type: ignore[arg-type]
    if numbers:
        parts.append(exp.In(this=f.number, expressions=numbers))
    return exp.or_(*parts) if parts else exp.false()


def _not_equals_any(f: _Field, values: list[object]) -> exp.Expression:
    return exp.and_(f.present, exp.not_(exp.func("COALESCE", exp.paren(_equals_any(f, values)), exp.false())))


def _contains(f: _Field, value: object) -> exp.Expression:
    return exp.and_(f.present, exp.GT(this=exp.StrPosition(this=f.text, substr=_lit(value)), expression=exp.Literal.number(0)))


def _starts_with(f: _Field, value: object) -> exp.Expression:
    return exp.and_(f.present, exp.StartsWith(this=f.text, expression=_lit(value)))


def _ends_with(f: _Field, value: object) -> exp.Expression:
    return exp.and_(f.present, dialects.ends_with(f.text, _lit(value), f.dialect))


def _compare(kind: type[exp.Binary]) -> Callable[[FieldCondition, _Field], exp.Expression]:
    def build(cond: FieldCondition, f: _Field) -> exp.Expression:
        return kind(this=f.number, expression=exp.Literal.number(float(cond.value)))

    return build


def _between(cond: FieldCondition, f: _Field) -> exp.Expression:
    assert cond.between is not None
    low, high = cond.between
    return exp.Between(this=f.number, low=exp.Literal.number(float(low)), high=exp.Literal.number(float(high)))


def _exists(cond: FieldCondition, f: _Field) -> exp.Expression:
    return f.present if cond.exists else exp.not_(exp.paren(f.present))


_OPERATORS: dict[str, Callable[[FieldCondition, _Field], exp.Expression]] = {
    "equals": lambda c, f: _equals_any(f, [c.equals]),
    "not_equals": lambda c, f: _not_equals_any(f, [c.not_equals]),
    "in": lambda c, f: _equals_any(f, list(c.in_ or [])),
    "not_in": lambda c, f: _not_equals_any(f, list(c.not_in or [])),
    "contains": lambda c, f: _contains(f, c.contains),
    "contains_any": lambda c, f: exp.or_(*(_contains(f, v) for v in c.contains_any or [])),
    "starts_with": lambda c, f: _starts_with(f, c.starts_with),
    "ends_with": lambda c, f: _ends_with(f, c.ends_with),
    "gt": _compare(exp.GT),
    "gte": _compare(exp.GTE),
    "lt": _compare(exp.LT),
    "lte": _compare(exp.LTE),
    "between": _between,
    "exists": _exists,
}
