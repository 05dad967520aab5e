"""Compile a scorecard into one relational query over the canonical tables.

The query is one sqlglot tree with these steps (common table expressions):

1. ``__ls_events``: the events of the leads being scored with ``timestamp <= as_of``,
   one row per ``event_id`` (the earliest copy), with the properties the rules read;
2. ``__ls_activity``: per lead, one aggregate per engagement rule (matches, newest match,
   sum of decay weights), in a single pass over the events;
3. ``__ls_points``: per lead, the points of every rule;
4. ``__ls_totals``: fit, engagement, clamped score;
5. ``__ls_ranked``: grade, level, priority;
6. ``__ls_scored``: stage and label;
7. with an account roll-up, ``__ls_accounts``: per account, its score, leads and engaged leads.

Names from the scorecard (fields, event types, rule names) only ever appear as quoted
identifiers or as string literals that sqlglot escapes; they are never pasted into SQL.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlglot import exp

from leadscore.compiler import dialects
from leadscore.compiler.conditions import Value, compile_condition, number_form, numeric_fields, text_fields, text_form
from leadscore.compiler.sources import Kind, Sources, Table
from leadscore.spec.rules import EngagementRule, Mode
from leadscore.spec.scorecard import Scorecard, Stage

OUTPUT_COLUMNS = ("lead_id", "fit", "engagement", "score", "grade", "level", "priority", "stage", "label")
ACCOUNT_COLUMNS = ("account_score", "account_leads", "account_engaged_leads")

MAX_KEYED_RULES = 62
"""Engagement rules that fit in the event mask of the DuckDB plan (more: the window plan)."""
KEY_SHIFT = 62
"""A key is ``(epoch_us + KEY_OFFSET) << KEY_SHIFT | mask``: the mask takes the low 62 bits."""
KEY_OFFSET = 1 << 63
"""Makes every epoch_us non-negative (a BIGINT is at least -2**63), so the shifted key is too
(at most 2**126, inside a HUGEINT) and keys order as their timestamps do, before 1970 as after."""
UNDERFLOW_EXPONENT = 1075
"""``0.5 ** x`` for x >= 1075 is 0 in double precision."""

EV, ACT, PTS, TOT, RANKED, SCORED, ACC = (
    "__ls_events",
    "__ls_activity",
    "__ls_points",
    "__ls_totals",
    "__ls_ranked",
    "__ls_scored",
    "__ls_accounts",
)


def _id(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _alias(expression: exp.Expression, name: str, quoted: bool = True) -> exp.Expression:
    """``expression AS "name"`` without copying the expression (the tree is built once)."""
    return exp.alias_(expression, name, quoted=quoted, copy=False)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(_id(name), table=_id(table) if table else None)


def table_expression(table: Table, alias: str) -> exp.Expression:
    """``table`` in a FROM clause under ``alias``: a table name, or the table's query as a subquery."""
    if table.query is not None:
        return exp.Subquery(this=table.query.copy(), alias=exp.TableAlias(this=_id(alias)))
    parts = [_id(p) for p in table.name]
    name = parts[-1]
    db = parts[-2] if len(parts) > 1 else None
    catalog = parts[-3] if len(parts) > 2 else None
    return exp.Table(this=name, db=db, catalog=catalog, alias=exp.TableAlias(this=_id(alias)))


def _num(value: float) -> exp.Expression:
    literal = exp.Literal.number(repr(float(value)))
    return exp.Neg(this=exp.Literal.number(repr(-float(value)))) if value < 0 else literal


def timestamp_literal(moment: datetime) -> exp.Expression:
    text = moment.astimezone(UTC).isoformat(sep=" ")
    return exp.cast(exp.Literal.string(text), exp.DataType.build("timestamptz"))


def _sum(expr: exp.Expression) -> exp.Expression:
    return exp.func("SUM", expr)


def _case(cond: exp.Expression, then: exp.Expression, default: exp.Expression | None = None) -> exp.Case:
    case = exp.Case(ifs=[exp.If(this=cond, true=then)])
    return case.else_(default) if default is not None else case


def _sum_of(terms: list[exp.Expression]) -> exp.Expression:
    """``a + b + c + ...`` as a balanced tree: a thousand terms nest 10 deep, not 1000 (DuckDB
    refuses expressions nested more than 1000 deep, and rendering recurses)."""
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return exp.Add(this=exp.paren(_sum_of(terms[:middle])), expression=exp.paren(_sum_of(terms[middle:])))


def _coalesce0(expr: exp.Expression) -> exp.Expression:
    return exp.func("COALESCE", expr, exp.Literal.number(0))


@dataclass(frozen=True)
class CompileOptions:
    """What varies between runs of one scorecard."""

    as_of: datetime
    dialect: str | dialects.Dialect = "duckdb"
    """A dialect's name, or its profile (an engine's ``dialect``)."""
    lead_ids: tuple[str, ...] | None = None
    lead_relation: str | None = None
    """Score only the leads whose ids the relation of this name holds (its column ``id``): the
    ids as rows (an Arrow relation), not as literals in the query's text."""


class QueryBuilder:
    """Builds the scoring query (and the explain query) of one scorecard."""

    def __init__(self, card: Scorecard, sources: Sources, options: CompileOptions) -> None:
        if options.as_of.tzinfo is None:
            raise ValueError("as_of must be time-zone aware")
        self.card = card
        self.sources = sources
        self.as_of = options.as_of
        self.dialect = dialects.normalize_dialect(options.dialect)
        self.lead_ids = options.lead_ids
        self.lead_relation = options.lead_relation
        self.properties = card.event_properties()
        self.property_column = {name: f"p{i}" for i, name in enumerate(self.properties)}
        wheres = [r.where for r in card.engagement.rules if r.where is not None]
        numeric = {f for w in wheres for f in numeric_fields(w)}
        textual = {f for w in wheres for f in text_fields(w)}
        self.numeric_properties = [p for p in self.properties if p in numeric]
        self.text_properties = [p for p in self.properties if p in textual]
        # the same for lead fields, computed once (a scorecard may have a thousand rules)
        self.lead_fields = card.lead_fields()
        self.lead_field_index = {name: i for i, name in enumerate(self.lead_fields)}
        conditions = [r.if_ for r in card.fit.rules]
        self.text_lead_fields = {f for c in conditions for f in text_fields(c)}
        self.numeric_lead_fields = {f for c in conditions for f in numeric_fields(c)}

    # -- step 1: the events ------------------------------------------------
    def _property_value(self, name: str) -> exp.Expression | None:
        events = self.sources.events
        if events.has(name) and name != "properties":
            return _col(name, "e")
        if events.kind("properties") is not None:
            return dialects.json_text(_col("properties", "e"), name, self.dialect)
        return None

    def _property_kind(self, name: str) -> Kind:
        events = self.sources.events
        if events.has(name) and name != "properties":
            return events.kind(name) or Kind.OTHER
        return Kind.TEXT

    def _lead_filter(self, column: exp.Expression) -> exp.Expression | None:
        if self.lead_relation is not None:
            ids = exp.select(_col("id")).from_(exp.Table(this=_id(self.lead_relation)), copy=False)
            return exp.In(this=column, query=exp.Subquery(this=ids))
        if self.lead_ids is None:
            return None
        if not self.lead_ids:  # no lead at all ("IN ()" is not SQL everywhere)
            return exp.false()
        return exp.In(this=column, expressions=[exp.Literal.string(i) for i in self.lead_ids])

    def _event_forms(self) -> exp.Select:
        """The events that exist at as_of (of the chosen leads), with their properties' forms.

        Text forms and numbers are computed on the scan itself, once per event (DuckDB then
        evaluates them once per dictionary entry of a Parquet column), not once per rule.
        """
        events = self.sources.events
        columns: list[exp.Expression] = [
            _alias(_col("lead_id", "e"), "lead_id", quoted=True),
            _alias(_col("event", "e"), "event", quoted=True),
            _alias(_col("timestamp", "e"), "ts", quoted=True),
        ]
        if events.needs_dedupe:
            columns.append(_alias(_col("event_id", "e"), "event_id", quoted=True))
        for name, alias in self.property_column.items():
            value = self._property_value(name)
            kind = self._property_kind(name)
            if name in self.text_properties:
                form = text_form(value, kind) if value is not None else exp.null()
                columns.append(_alias(form, alias, quoted=True))
            if name in self.numeric_properties:
                number = number_form(value.copy(), kind, self.dialect) if value is not None else exp.null()
                columns.append(_alias(number, f"n{alias}", quoted=True))
        where = exp.LTE(this=_col("timestamp", "e"), expression=timestamp_literal(self.as_of))
        lead_filter = self._lead_filter(_col("lead_id", "e"))
        if lead_filter is not None:
            where = exp.and_(where, lead_filter)
        types = self.card.event_types()
        if types and all(r.events for r in self.card.engagement.rules) and not events.needs_dedupe:
            # every rule names its event types: other types can never count. (With event ids, a
            # copy of another type may be the earliest copy of an event, so it must stay.)
            where = exp.and_(where, exp.In(this=_col("event", "e"), expressions=[exp.Literal.string(t) for t in types]))
        return exp.select(*columns).from_(table_expression(events, "e"), copy=False).where(where, copy=False)

    def events_cte(self) -> exp.Select:
        """One row per counting event: a re-sent event (same lead and event_id) keeps its earliest copy."""
        forms = self._event_forms()
        if not self.sources.events.needs_dedupe:
            return forms
        # the forms are computed in a subquery below the window, so the window does not evaluate
        # them; copies at the same instant are ordered by the rules they count for (rule_mask)
        masked = exp.select(exp.Star(), _alias(self.rule_mask(), "mask", quoted=True)).from_(
            exp.Subquery(this=forms, alias=exp.TableAlias(this=_id("v"))), copy=False)
        order = exp.Order(expressions=[exp.Ordered(this=_col("ts", "f")), exp.Ordered(this=_col("mask", "f"))])
        copy = exp.Window(this=exp.RowNumber(), partition_by=[_col("lead_id", "f"), _col("event_id", "f")], order=order)
        inner = exp.select(exp.Star(), _alias(copy, "copy", quoted=True)).from_(
            exp.Subquery(this=masked, alias=exp.TableAlias(this=_id("f"))), copy=False)
        keep = exp.or_(exp.Is(this=_col("event_id", "d"), expression=exp.null()), exp.EQ(this=_col("copy", "d"), expression=exp.Literal.number(1)))
        names = [c.alias_or_name for c in forms.expressions]
        return exp.select(*(_col(n, "d") for n in names)).from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=_id("d"))), copy=False).where(keep, copy=False)

    # -- step 2: per-lead activity -------------------------------------------
    def _resolve_property(self, name: str) -> Value:
        if name not in self.property_column:
            return Value(None)
        if self._property_value(name) is None:
            return Value(None)
        column = self.property_column[name]
        number = _col(f"n{column}", "v") if name in self.numeric_properties else None
        if name not in self.text_properties:  # only compared as a number
            assert number is not None
            return Value(number, Kind.NUMBER, number=number)
        return Value(_col(column, "v"), Kind.TEXT, text=_col(column, "v"), number=number)

    def match(self, rule: EngagementRule) -> exp.Expression:
        """Holds for an event (row of ``__ls_events`` as ``v``) that counts for ``rule``."""
        parts: list[exp.Expression] = []
        if rule.events is not None:
            parts.append(exp.In(this=_col("event", "v"), expressions=[exp.Literal.string(t) for t in rule.events]))
        if rule.where is not None:
            parts.append(compile_condition(rule.where, self._resolve_property, self.dialect))
        # "ignores events older than D": the golden cases place an event at exactly D and it does not count
        windows = [rule.within, rule.expiry(self.card.engagement.expire_after)]
        if rule.mode is Mode.INACTIVITY:
            windows.append(rule.inactive_for)
        for window in windows:
            start = self.since(window) if window is not None else None
            if start is not None:
                parts.append(exp.GT(this=_col("ts", "v"), expression=timestamp_literal(start)))
        return exp.and_(*parts) if parts else exp.true()

    def since(self, duration: timedelta) -> datetime | None:
        """``as_of - duration``, or None when that is before year 1 (so before every timestamp)."""
        try:
            return self.as_of - duration
        except OverflowError:
            return None

    def weight(self, ts: exp.Expression, half_life: timedelta) -> exp.Expression:
        """``0.5 ** (age / half_life)`` of an event at ``ts``."""
        return self.weight_at(dialects.epoch_seconds(ts, self.dialect), half_life)

    def weight_at(self, epoch: exp.Expression, half_life: timedelta) -> exp.Expression:
        """``0.5 ** (age / half_life)`` of an event ``epoch`` seconds after 1970."""
        age = exp.Sub(this=_num(self.as_of.timestamp()), expression=epoch)
        exponent = exp.paren(exp.Div(this=exp.paren(age), expression=_num(half_life.total_seconds())))
        # 0.5 ** 1075 and beyond is 0 in double precision; PostgreSQL raises on that underflow
        # instead of giving 0, so it is written out (NULL stays NULL: no event, no weight)
        underflow = exp.GTE(this=exponent.copy(), expression=exp.Literal.number(UNDERFLOW_EXPONENT))
        return _case(underflow, _num(0), exp.Pow(this=_num(0.5), expression=exponent))

    @property
    def uses_event_keys(self) -> bool:
        """DuckDB plan: one bit per rule, deduplicated with a hash aggregate instead of a window."""
        return self.dialect.keyed_dedupe and 0 < len(self.card.engagement.rules) <= MAX_KEYED_RULES

    def activity_cte(self) -> exp.Select:
        """Per lead, one aggregate per engagement rule: matches, newest match (epoch s), decayed sum."""
        if self.uses_event_keys:
            return self._keyed_activity()
        columns: list[exp.Expression] = [_col("lead_id", "v")]
        for i, rule in enumerate(self.card.engagement.rules):
            matched = self.match(rule)
            half_life = rule.half_life(self.card.engagement.decay)
            # aggregate FILTER clauses: several times faster on DuckDB than SUM(CASE ...);
            # sqlglot rewrites them for dialects without FILTER (BigQuery, Snowflake)
            agg: exp.Expression
            if rule.mode is Mode.ONCE and half_life is not None:
                newest = exp.Filter(this=exp.Max(this=_col("ts", "v")), expression=exp.Where(this=matched))
                agg = dialects.epoch_seconds(newest, self.dialect)
            elif rule.mode is Mode.PER_EVENT and half_life is not None:
                agg = exp.Filter(this=_sum(self.weight(_col("ts", "v"), half_life)), expression=exp.Where(this=matched))
            else:
                agg = exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=matched))
            columns.append(_alias(agg, f"a{i}", quoted=True))
        return exp.select(*columns).from_(exp.Table(this=_id(EV), alias=exp.TableAlias(this=_id("v"))), copy=False).group_by(_col("lead_id", "v"), copy=False)

    def rule_mask(self) -> exp.Expression:
        """Per event (row ``v``): the sum of ``2**i`` over the engagement rules ``i`` it counts for."""
        bits = [
            _case(self.match(rule), exp.Literal.number(1 << i), exp.Literal.number(0))
            for i, rule in enumerate(self.card.engagement.rules)
        ]
        return _sum_of(bits)

    def _keyed_events(self) -> exp.Select:
        """Per event: ``key = (epoch_us(ts) + 2**63) * 2**62 + mask`` (see ``rule_mask``).

        The smallest key of a (lead, event_id) is its earliest copy (ties: the smaller mask), so
        a MIN over the key deduplicates re-sent events exactly, in a hash aggregate. The offset
        keeps keys of events before 1970 non-negative (a negative number cannot be shifted).
        """
        mask = self.rule_mask()
        micros = exp.cast(exp.Anonymous(this="epoch_us", expressions=[_col("ts", "v")]), exp.DataType.build("hugeint", dialect="duckdb"))
        shifted = exp.Add(this=micros, expression=exp.Literal.number(KEY_OFFSET))
        key = exp.BitwiseOr(
            this=exp.paren(exp.BitwiseLeftShift(this=exp.paren(shifted), expression=exp.Literal.number(KEY_SHIFT))),
            expression=exp.paren(mask),
        )
        columns: list[exp.Expression] = [_col("lead_id", "v"), _alias(key, "key", quoted=True)]
        if self.sources.events.needs_dedupe:
            columns.append(_col("event_id", "v"))
        return exp.select(*columns).from_(exp.Subquery(this=self._event_forms(), alias=exp.TableAlias(this=_id("v"))), copy=False)

    def _unique_keys(self) -> exp.Expression:
        if not self.sources.events.needs_dedupe:
            return exp.select(exp.Star()).from_(_id(EV), copy=False)
        has_id = exp.not_(exp.Is(this=_col("event_id"), expression=exp.null()))
        earliest = (
            exp.select(_col("lead_id"), _alias(exp.Min(this=_col("key")), "key", quoted=True))
            .from_(_id(EV), copy=False)
            .where(has_id, copy=False)
            .group_by(_col("lead_id"), _col("event_id"), copy=False)
        )
        anonymous = exp.select(_col("lead_id"), _col("key")).from_(_id(EV), copy=False).where(exp.Is(this=_col("event_id"), expression=exp.null()), copy=False)
        return exp.union(earliest, anonymous, distinct=False)

    def _keyed_activity(self) -> exp.Select:
        key = _col("key", "k")
        shifted = exp.paren(exp.BitwiseRightShift(this=key.copy(), expression=exp.Literal.number(KEY_SHIFT)))
        micros = exp.paren(exp.Sub(this=shifted, expression=exp.Literal.number(KEY_OFFSET)))
        aggregates: list[exp.Expression] = [_col("lead_id", "k")]
        outputs: list[exp.Expression] = [_col("lead_id", "x")]
        # rules that only ask "did a counting event happen" share one BIT_OR of the keys: the
        # low 62 bits of a key are its event's rule bits, and ORing the high bits is harmless
        anyone = [i for i, r in enumerate(self.card.engagement.rules) if self._only_needs_any(r)]
        if anyone:
            aggregates.append(_alias(exp.func("BIT_OR", key.copy()), "any"))
        for i, rule in enumerate(self.card.engagement.rules):
            if i in anyone:
                bit = exp.BitwiseAnd(this=_col("any", "x"), expression=exp.Literal.number(1 << i))
                happened = exp.NEQ(this=exp.paren(bit), expression=exp.Literal.number(0))
                outputs.append(_alias(_case(happened, exp.Literal.number(1), exp.Literal.number(0)), f"a{i}"))
                continue
            counts = exp.NEQ(this=exp.paren(exp.BitwiseAnd(this=key.copy(), expression=exp.Literal.number(1 << i))), expression=exp.Literal.number(0))
            half_life = rule.half_life(self.card.engagement.decay)
            epoch = exp.Div(this=exp.cast(micros.copy(), "double"), expression=_num(1e6))
            agg: exp.Expression
            if rule.mode is Mode.ONCE and half_life is not None:
                agg = exp.Max(this=epoch)
            elif rule.mode is Mode.PER_EVENT and half_life is not None:
                agg = _sum(self.weight_at(epoch, half_life))
            else:
                agg = exp.Count(this=exp.Star())
            aggregates.append(_alias(exp.Filter(this=agg, expression=exp.Where(this=counts)), f"a{i}"))
            outputs.append(_col(f"a{i}", "x"))
        source = exp.Subquery(this=self._unique_keys(), alias=exp.TableAlias(this=_id("k")))
        grouped = exp.select(*aggregates).from_(source, copy=False).group_by(_col("lead_id", "k"), copy=False)
        return exp.select(*outputs).from_(exp.Subquery(this=grouped, alias=exp.TableAlias(this=_id("x"))), copy=False)

    def _only_needs_any(self, rule: EngagementRule) -> bool:
        """Once without decay, and inactivity: only whether one counting event exists matters."""
        undecayed_once = rule.mode is Mode.ONCE and rule.half_life(self.card.engagement.decay) is None
        return undecayed_once or rule.mode is Mode.INACTIVITY

    # -- step 3: the points of each rule --------------------------------------
    def _raw_lead_value(self, name: str) -> Value:
        """A lead field as a column of ``leads l`` or ``accounts a`` (None: the data lacks it)."""
        if name.startswith("account."):
            accounts = self.sources.accounts
            column = name.removeprefix("account.")
            if accounts is None or not accounts.has(column) or not self.sources.leads.has("account_id"):
                return Value(None)
            return Value(_col(column, "a"), accounts.kind(column))
        if not self.sources.leads.has(name):
            return Value(None)
        return Value(_col(name, "l"), self.sources.leads.kind(name))

    def _lead_forms(self) -> exp.Select:
        """Leads (joined to their accounts) with each field's text form and number, computed once."""
        textual, numeric = self.text_lead_fields, self.numeric_lead_fields
        columns: list[exp.Expression] = [_col("lead_id", "l")]
        for name in ("created_at", "account_id"):
            if self.sources.leads.has(name):
                columns.append(_col(name, "l"))
        for i, name in enumerate(self.lead_fields):
            value = self._raw_lead_value(name)
            if value.expr is None:
                continue
            if name in textual:
                columns.append(_alias(text_form(value.expr, value.kind), f"t{i}", quoted=True))
            if name in numeric:
                columns.append(_alias(number_form(value.expr.copy(), value.kind, self.dialect), f"n{i}", quoted=True))
        select = exp.select(*columns).from_(table_expression(self.sources.leads, "l"), copy=False)
        if self.sources.accounts is not None and self.sources.leads.has("account_id") and any(
            f.startswith("account.") for f in self.lead_fields
        ):
            on = exp.EQ(this=_col("account_id", "a"), expression=_col("account_id", "l"))
            select = select.join(table_expression(self.sources.accounts, "a"), on=on, join_type="left", copy=False)
        lead_filter = self._lead_filter(_col("lead_id", "l"))
        return select.where(lead_filter, copy=False) if lead_filter is not None else select

    def _resolve_lead(self, name: str) -> Value:
        if self._raw_lead_value(name).expr is None:
            return Value(None)
        i = self.lead_field_index[name]
        number = _col(f"n{i}", "l") if name in self.numeric_lead_fields else None
        if name not in self.text_lead_fields:
            assert number is not None
            return Value(number, Kind.NUMBER, number=number)
        return Value(_col(f"t{i}", "l"), Kind.TEXT, text=_col(f"t{i}", "l"), number=number)

    def _engagement_points(self, i: int, rule: EngagementRule) -> exp.Expression:
        agg = _col(f"a{i}", "g")
        points = _num(rule.points)
        half_life = rule.half_life(self.card.engagement.decay)
        if rule.mode is Mode.ONCE:
            if half_life is not None:
                weighted = exp.Mul(this=points, expression=self.weight_at(agg.copy(), half_life))
                return _case(exp.not_(exp.Is(this=agg, expression=exp.null())), weighted, _num(0))
            return _case(exp.GT(this=_coalesce0(agg), expression=exp.Literal.number(0)), points, _num(0))
        if rule.mode is Mode.PER_EVENT:
            total: exp.Expression = exp.Mul(this=points, expression=_coalesce0(agg))
            if rule.max is not None:
                cap = _num(rule.max)
                total = exp.Case(
                    ifs=[
                        exp.If(this=exp.GT(this=total.copy(), expression=cap), true=cap.copy()),
                        exp.If(this=exp.LT(this=total.copy(), expression=exp.Neg(this=cap.copy())), true=exp.Neg(this=cap.copy())),
                    ],
                    default=total,
                )
            return total
        if rule.mode is Mode.THRESHOLD:
            assert rule.at_least is not None
            return _case(exp.GTE(this=_coalesce0(agg), expression=exp.Literal.number(rule.at_least)), points, _num(0))
        assert rule.inactive_for is not None
        quiet = exp.EQ(this=_coalesce0(agg), expression=exp.Literal.number(0))
        if self.sources.leads.has("created_at"):
            created = _col("created_at", "l")
            start = self.since(rule.inactive_for)
            old_enough: exp.Expression = exp.Is(this=created, expression=exp.null())
            if start is not None:  # else no created_at is that old
                old_enough = exp.or_(old_enough, exp.LTE(this=created.copy(), expression=timestamp_literal(start)))
            quiet = exp.and_(quiet, exp.paren(old_enough))
        return _case(quiet, points, _num(0))

    def points_cte(self) -> exp.Select:
        columns: list[exp.Expression] = [_col("lead_id", "l")]
        if self.card.accounts is not None:
            account = _col("account_id", "l") if self.sources.leads.has("account_id") else exp.cast(exp.null(), "text")
            columns.append(_alias(account, "account_id", quoted=True))
        for i, fit_rule in enumerate(self.card.fit.rules):
            holds = compile_condition(fit_rule.if_, self._resolve_lead, self.dialect)
            columns.append(_alias(_case(holds, _num(fit_rule.points), _num(0)), f"f{i}", quoted=True))
        for i, rule in enumerate(self.card.engagement.rules):
            columns.append(_alias(self._engagement_points(i, rule), f"e{i}", quoted=True))
        select = exp.select(*columns).from_(exp.Subquery(this=self._lead_forms(), alias=exp.TableAlias(this=_id("l"))), copy=False)
        if self.card.engagement.rules:
            on = exp.EQ(this=_col("lead_id", "g"), expression=_col("lead_id", "l"))
            select = select.join(exp.Table(this=_id(ACT), alias=exp.TableAlias(this=_id("g"))), on=on, join_type="left", copy=False)
        return select

    # -- steps 4-6: totals, grade and level, stage and label ------------------
    def _total(self, prefix: str, count: int) -> exp.Expression:
        if not count:
            return _num(0)
        return _sum_of([_col(f"{prefix}{i}") for i in range(count)])

    def totals_cte(self) -> exp.Select:
        fit = self._total("f", len(self.card.fit.rules))
        engagement = self._total("e", len(self.card.engagement.rules))
        score: exp.Expression = exp.Add(this=fit.copy(), expression=engagement.copy())
        if self.card.range is not None:
            low, high = self.card.range
            score = exp.Case(
                ifs=[
                    exp.If(this=exp.LT(this=score.copy(), expression=_num(low)), true=_num(low)),
                    exp.If(this=exp.GT(this=score.copy(), expression=_num(high)), true=_num(high)),
                ],
                default=score,
            )
        return exp.select(
            exp.Star(),
            _alias(fit, "fit", quoted=True),
            _alias(engagement, "engagement", quoted=True),
            _alias(score, "score", quoted=True),
        ).from_(_id(PTS), copy=False)

    def ranked_cte(self) -> exp.Select:
        grades = self.card.fit.grades
        letters = self.card.grade_letters()
        grade: exp.Expression = exp.Literal.string(letters[0])
        if grades:
            ifs = [exp.If(this=exp.GTE(this=_col("fit"), expression=_num(m)), true=exp.Literal.string(g)) for g, m in grades.items()]
            grade = exp.Case(ifs=ifs, default=exp.Literal.string(letters[-1]))
        levels = self.card.engagement.levels
        numbers = self.card.level_numbers()
        level: exp.Expression = exp.Literal.number(numbers[0])
        if levels:
            ifs = [exp.If(this=exp.GTE(this=_col("engagement"), expression=_num(m)), true=exp.Literal.number(n)) for n, m in levels.items()]
            level = exp.Case(ifs=ifs, default=exp.Literal.number(numbers[-1]))
        return exp.select(
            exp.Star(), _alias(grade, "grade", quoted=True), _alias(exp.cast(level, "int"), "level", quoted=True)
        ).from_(_id(TOT), copy=False)

    def _rule_column(self, name: str) -> str:
        for i, rule in enumerate(self.card.fit.rules):
            if rule.name == name:
                return f"f{i}"
        for i, rule in enumerate(self.card.engagement.rules):
            if rule.name == name:
                return f"e{i}"
        raise KeyError(name)

    def stage_condition(self, stage: Stage) -> exp.Expression:
        parts: list[exp.Expression] = []
        for key, column, op in (
            ("min_score", "score", exp.GTE),
            ("max_score", "score", exp.LTE),
            ("min_fit", "fit", exp.GTE),
            ("min_engagement", "engagement", exp.GTE),
        ):
            bound = getattr(stage, key)
            if bound is not None:
                parts.append(op(this=_col(column), expression=_num(bound)))
        if stage.grades is not None:
            parts.append(exp.In(this=_col("grade"), expressions=[exp.Literal.string(g) for g in stage.grades]))
        if stage.levels is not None:
            parts.append(exp.In(this=_col("level"), expressions=[exp.Literal.number(n) for n in stage.levels]))
        if stage.fired is not None:
            fired = [exp.NEQ(this=_col(self._rule_column(n)), expression=_num(0)) for n in stage.fired]
            parts.append(exp.paren(exp.or_(*fired)))
        return exp.and_(*parts) if parts else exp.true()

    def priorities(self) -> list[str]:
        return [f"{g}{n}" for g in self.card.grade_letters() for n in self.card.level_numbers()]

    def scored_cte(self) -> exp.Select:
        priority = exp.func("CONCAT", _col("grade"), exp.cast(_col("level"), "text"))
        stage = exp.Case(ifs=[exp.If(this=self.stage_condition(s), true=exp.Literal.string(s.name)) for s in self.card.stages])
        columns: list[exp.Expression] = [
            exp.Star(),
            _alias(priority, "priority", quoted=True),
            _alias(stage, "stage", quoted=True),
        ]
        label: exp.Expression = exp.cast(exp.null(), "text")
        if self.card.labels:
            ifs = []
            for name, patterns in self.card.labels.items():
                if "*" in patterns:
                    ifs.append(exp.If(this=exp.true(), true=exp.Literal.string(name)))
                    break
                chosen = [p for p in self.priorities() if any(fnmatch.fnmatchcase(p, pat) for pat in patterns)]
                if chosen:
                    ifs.append(exp.If(this=exp.In(this=priority.copy(), expressions=[exp.Literal.string(p) for p in chosen]), true=exp.Literal.string(name)))
            if ifs:
                label = exp.Case(ifs=ifs)
        columns.append(_alias(label, "label", quoted=True))
        return exp.select(*columns).from_(_id(RANKED), copy=False)

    # -- step 7: accounts ----------------------------------------------------
    def accounts_cte(self) -> exp.Select:
        rollup = self.card.accounts
        assert rollup is not None
        engaged = (
            exp.GTE(this=_col("engagement"), expression=_num(rollup.engaged_at))
            if rollup.engaged_at is not None
            else exp.GT(this=_col("engagement"), expression=_num(0))
        )
        source: exp.Expression = exp.Table(this=_id(SCORED))
        score = _col("score")
        if rollup.top_n is not None:
            order = exp.Order(expressions=[exp.Ordered(this=_col("score"), desc=True), exp.Ordered(this=_col("lead_id"))])
            rank = exp.Window(this=exp.RowNumber(), partition_by=[_col("account_id")], order=order)
            inner = exp.select(exp.Star(), _alias(rank, "rank", quoted=True)).from_(_id(SCORED), copy=False)
            source = exp.Subquery(this=inner, alias=exp.TableAlias(this=_id("r")))
            score = _case(exp.LTE(this=_col("rank"), expression=exp.Literal.number(rollup.top_n)), _col("score"))
        aggregate = {"max": exp.Max, "sum": exp.Sum, "mean": exp.Avg}[rollup.aggregate](this=score)
        return (
            exp.select(
                _col("account_id"),
                _alias(aggregate, "account_score", quoted=True),
                _alias(exp.Count(this=exp.Star()), "account_leads", quoted=True),
                _alias(_sum(_case(engaged, exp.Literal.number(1), exp.Literal.number(0))), "account_engaged_leads", quoted=True),
            )
            .from_(source, copy=False)
            .where(exp.not_(exp.Is(this=_col("account_id"), expression=exp.null())), copy=False)
            .group_by(_col("account_id"), copy=False)
        )

    # -- the whole query -----------------------------------------------------
    def output_columns(self) -> list[str]:
        names = list(OUTPUT_COLUMNS) + self.card.rule_columns()
        if self.card.accounts is not None:
            names += ["account_id", *ACCOUNT_COLUMNS]
        return names

    def _ctes(self) -> list[tuple[str, exp.Select]]:
        ctes: list[tuple[str, exp.Select]] = []
        if self.uses_event_keys:
            ctes += [(EV, self._keyed_events()), (ACT, self.activity_cte())]
        elif self.card.engagement.rules:
            ctes += [(EV, self.events_cte()), (ACT, self.activity_cte())]
        ctes += [(PTS, self.points_cte()), (TOT, self.totals_cte()), (RANKED, self.ranked_cte()), (SCORED, self.scored_cte())]
        if self.card.accounts is not None:
            ctes.append((ACC, self.accounts_cte()))
        return ctes

    def _with(self, query: exp.Select, ctes: list[tuple[str, exp.Select]]) -> exp.Select:
        for name, cte in ctes:
            # the keyed events are read twice (with and without event_id): scan twice, never
            # materialize millions of rows
            inline = name == EV and self.uses_event_keys and self.sources.events.needs_dedupe
            query = query.with_(_id(name), as_=cte, materialized=False if inline else None, copy=False)
        return query

    def build(self) -> exp.Select:
        """One row per lead: the columns of the batch contract, then the account roll-up."""
        s = "s"
        columns: list[exp.Expression] = [
            _col("lead_id", s),
            *(_alias(dialects.round2(_col(c, s), self.dialect), c, quoted=True) for c in ("fit", "engagement", "score")),
            *(_col(c, s) for c in ("grade", "level", "priority", "stage", "label")),
        ]
        internal = [f"f{i}" for i in range(len(self.card.fit.rules))] + [f"e{i}" for i in range(len(self.card.engagement.rules))]
        for column, name in zip(internal, self.card.rule_columns(), strict=True):
            columns.append(_alias(dialects.round2(_col(column, s), self.dialect), name, quoted=True))
        query = exp.select(*columns).from_(exp.Table(this=_id(SCORED), alias=exp.TableAlias(this=_id(s))), copy=False)
        if self.card.accounts is not None:
            on = exp.EQ(this=_col("account_id", "c"), expression=_col("account_id", s))
            query = query.join(exp.Table(this=_id(ACC), alias=exp.TableAlias(this=_id("c"))), on=on, join_type="left", copy=False)
            query = query.select(
                _col("account_id", s),
                _alias(dialects.round2(_col("account_score", "c"), self.dialect), "account_score", quoted=True),
                _col("account_leads", "c"),
                _col("account_engaged_leads", "c"),
                copy=False,
            )
        return self._with(query.order_by(_col("lead_id", s), copy=False), self._ctes())

    def build_accounts(self) -> exp.Select:
        """One row per account: its roll-up score, leads and engaged leads."""
        if self.card.accounts is None:
            raise ValueError("this scorecard has no accounts: section")
        query = exp.select(
            _col("account_id"),
            _alias(dialects.round2(_col("account_score"), self.dialect), "account_score", quoted=True),
            _col("account_leads"),
            _col("account_engaged_leads"),
        ).from_(_id(ACC), copy=False)
        return self._with(query.order_by(_col("account_id"), copy=False), self._ctes())

    def lead_values(self, lead_id: str) -> exp.Select:
        """The raw values (as text) of the fields the fit rules read, for one lead."""
        columns: list[exp.Expression] = [_col("lead_id", "l")]
        for name in self.card.lead_fields():
            value = self._raw_lead_value(name).expr
            columns.append(_alias(dialects.as_text(value) if value is not None else exp.cast(exp.null(), "text"), name))
        select = exp.select(*columns).from_(table_expression(self.sources.leads, "l"), copy=False)
        if self.sources.accounts is not None and self.sources.leads.has("account_id"):
            on = exp.EQ(this=_col("account_id", "a"), expression=_col("account_id", "l"))
            select = select.join(table_expression(self.sources.accounts, "a"), on=on, join_type="left", copy=False)
        return select.where(exp.EQ(this=_col("lead_id", "l"), expression=exp.Literal.string(lead_id)), copy=False)

    def explain(self, lead_id: str) -> exp.Select:
        """Every event that counts for an engagement rule of one lead, with its weight."""
        selects: list[exp.Select] = []
        for rule in self.card.engagement.rules:
            half_life = rule.half_life(self.card.engagement.decay)
            weight = self.weight(_col("ts", "v"), half_life) if half_life is not None else _num(1)
            selects.append(
                exp.select(
                    _alias(exp.Literal.string(rule.name), "rule", quoted=True),
                    _alias(_col("event", "v"), "event", quoted=True),
                    _alias(_col("ts", "v"), "timestamp", quoted=True),
                    _alias(exp.cast(weight, "double"), "weight", quoted=True),
                )
                .from_(exp.Table(this=_id(EV), alias=exp.TableAlias(this=_id("v"))), copy=False)
                .where(exp.and_(exp.EQ(this=_col("lead_id", "v"), expression=exp.Literal.string(lead_id)), self.match(rule)), copy=False)
            )
        union: exp.Expression = selects[0]
        for select in selects[1:]:
            union = exp.union(union, select, distinct=False)
        wrapped = exp.select(exp.Star()).from_(exp.Subquery(this=union, alias=exp.TableAlias(this=_id("x"))), copy=False)
        wrapped = wrapped.order_by(_col("rule"), _col("timestamp"), copy=False)
        return wrapped.with_(_id(EV), as_=self.events_cte())
