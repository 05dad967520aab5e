"""A scorecard's scoring query over the store, compiled and rendered once, for any as_of and leads.

Rescoring runs the same query many times a second with two things changing: the moment
(``as_of``) and which leads. Compiling it with sqlglot and rendering it each time cost most
of a pass. Here the leads come from a relation (``IDS``, column ``id``: Arrow rows, not
literals in the text) and the query is rendered once per engine dialect; what depends on
``as_of`` are literals (timestamps ``as_of - d`` for fixed ``d``, and ``as_of``'s epoch
seconds), found by compiling at two sentinel moments and comparing the trees. Those literals
become unique markers in the rendered text, replaced per run by the values at ``as_of``.

The template is checked once against a fresh compile at a third moment (the text must be
identical); a scorecard whose query does not have that shape is compiled for each run (as
before), so the result is always the compiled query's.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pyarrow as pa
from sqlglot import exp

from leadscore.compiler.query import CompileOptions, QueryBuilder
from leadscore.engines import Engine
from leadscore.spec import Scorecard
from leadscore.store import asof

IDS = "__ls_score_ids"
_SENTINELS = (
    datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC),
    datetime(2011, 12, 13, 14, 15, 16, 171819, tzinfo=UTC),
    datetime(2031, 7, 8, 9, 10, 11, 121314, tzinfo=UTC),
)


def _compile(card: Scorecard, engine: Engine, as_of: datetime, some: bool) -> exp.Expression:
    ids = asof.Relation(IDS) if some else None
    options = CompileOptions(as_of=as_of, dialect=engine.dialect, lead_relation=IDS if some else None)
    return QueryBuilder(card, asof.sources_at(card, as_of, ids), options).build()


def _literals(tree: exp.Expression) -> list[exp.Literal]:
    return [n for n in tree.walk() if isinstance(n, exp.Literal)]


class PreparedScore:
    """The scoring query of ``card`` on ``engine``'s dialect: all leads, or those of ``IDS``."""

    def __init__(self, card: Scorecard, engine: Engine, *, some: bool = True) -> None:
        self.card = card
        self.some = some
        self.dialect = engine.dialect.name
        self._template: str | None = None
        self._slots: list[tuple[str, Callable[[datetime], str]]] = []
        self._prepare(engine)

    @property
    def prepared(self) -> bool:
        """Whether runs reuse the rendered text (else each run compiles, as a fallback)."""
        return self._template is not None

    def _prepare(self, engine: Engine) -> None:
        first, second, check = _SENTINELS
        one, two = _compile(self.card, engine, first, self.some), _compile(self.card, engine, second, self.some)
        limit = engine.dialect.max_identifier_bytes
        if limit is not None and isinstance(one, exp.Select) and any(len(n.encode()) > limit for n in one.named_selects):
            return  # the engine must shorten the output names (execute does): not as text
        a, b = _literals(one), _literals(two)
        if len(a) != len(b):
            return
        nonce = secrets.token_hex(8)
        slots: list[tuple[str, Callable[[datetime], str]]] = []
        for x, y in zip(a, b, strict=True):
            if x.this == y.this and x.is_string == y.is_string:
                continue
            if x.is_string != y.is_string:
                return
            value = self._slot(x, y, first, second)
            if value is None:
                return
            marker = f"__ls_asof_{nonce}_{len(slots)}__"
            for node in (x, y):
                node.replace(exp.Literal.string(marker))
            slots.append((exp.Literal.string(marker).sql(self.dialect), value))
        text = one.sql(dialect=self.dialect)
        if text != two.sql(dialect=self.dialect):
            return  # the queries differ beyond the moment's literals
        self._template, self._slots = text, slots
        if self.text(check) != _compile(self.card, engine, check, self.some).sql(dialect=self.dialect):
            self._template, self._slots = None, []

    def _slot(self, x: exp.Literal, y: exp.Literal, first: datetime, second: datetime) -> Callable[[datetime], str] | None:
        """How a literal follows as_of: a timestamp at a fixed distance, or the epoch seconds."""
        dialect = self.dialect
        if x.is_string:
            try:
                one, two = datetime.fromisoformat(x.this), datetime.fromisoformat(y.this)
            except ValueError:
                return None
            if one.tzinfo is None or first - one != second - two:
                return None
            distance: timedelta = first - one
            return lambda at: exp.Literal.string((at - distance).astimezone(UTC).isoformat(sep=" ")).sql(dialect)
        if x.this == repr(first.timestamp()) and y.this == repr(second.timestamp()):
            return lambda at: exp.Literal.number(repr(float(at.timestamp()))).sql(dialect)
        return None

    def text(self, as_of: datetime) -> str:
        """The query's text at ``as_of`` (prepared only)."""
        assert self._template is not None
        text = self._template
        for marker, value in self._slots:
            text = text.replace(marker, value(as_of))
        return text

    def score(self, engine: Engine, as_of: datetime, lead_ids: Sequence[str] | None = None) -> pa.Table:
        """The batch contract's rows at ``as_of``: of ``lead_ids`` (``some``) or every lead, by lead id."""
        if as_of.tzinfo is None:
            raise ValueError("as_of must be time-zone aware")
        if not self.some:
            return self._run(engine, as_of)
        ids = pa.table({"id": pa.array(list(dict.fromkeys(lead_ids or ())), pa.string())})
        with engine.rows(IDS, ids):
            return self._run(engine, as_of)

    def _run(self, engine: Engine, as_of: datetime) -> pa.Table:
        if self._template is not None and engine.dialect.name == self.dialect:
            return engine.execute_sql(self.text(as_of))
        return engine.execute(_compile(self.card, engine, as_of, self.some))
