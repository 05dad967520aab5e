"""An independent, pure-Python reference evaluator of the scorecard language.

Written from the contract (``shared/spec/scorecard.md``) and ``docs/semantics.md`` only,
never from the SQL compiler, so that tests can check the engine against it. It is slow
and simple on purpose: one lead at a time, one rule at a time, no cleverness.

``reference_score`` returns, per lead_id, the UNROUNDED outputs::

    {"fit", "engagement", "score", "grade", "level", "priority", "stage", "label",
     "fit.<rule>"..., "engagement.<rule>"...,
     and, when the scorecard has ``accounts:``,
     "account_score", "account_leads", "account_engaged_leads"}

``stage`` / ``label`` are None when nothing matches. Input rows are dicts whose values
are strings or None (like CSV cells) or numbers; timestamps are ISO-8601 strings (no
offset = UTC) or datetimes. Event properties are plain keys of the event dict or keys of
a JSON object held (as a string or a dict) under ``"properties"``; a plain key wins.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from leadscore.spec import (
    AllCondition,
    AnyCondition,
    EngagementRule,
    FieldCondition,
    Mode,
    NotCondition,
    Scorecard,
)

__all__ = ["is_number", "parse_time", "reference_score", "text_form"]

# --------------------------------------------------------------------------- values

_WS = " \t\n\r"
_NUMBER = re.compile(r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$")

# Columns of the events table that are not properties of the event.
EVENT_CORE_COLUMNS = frozenset({"lead_id", "event", "timestamp", "event_id", "properties"})


def text_form(value: Any) -> str | None:
    """The value as text, trimmed of ' \\t\\n\\r' and lower-cased; None when missing."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float) and float(value).is_integer() and abs(value) < 1e15:
        text = str(int(value))  # a whole number has no fraction: 120.0 reads "120"
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.strip(_WS).lower()
    return text or None


def as_number(value: Any) -> float | None:
    """The value as a number when it is one (numeric types as they are, text by the regex)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if (isinstance(value, float) and math.isnan(value)) else float(value)
    text = str(value).strip(_WS)
    if not _NUMBER.match(text):
        return None
    return float(text)


def is_number(value: Any) -> bool:
    return as_number(value) is not None


def parse_time(value: Any) -> datetime | None:
    """ISO-8601 text or a datetime → an aware UTC datetime; no offset means UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip(_WS)
        if not text:
            return None
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


# --------------------------------------------------------------------------- conditions


def _scorecard_value_equals(field_value: Any, field_text: str, wanted: Any) -> bool:
    """`equals` for one scorecard value (text forms equal, or numbers equal when the
    scorecard value is a number)."""
    if field_text == text_form(wanted):
        return True
    if isinstance(wanted, int | float) and not isinstance(wanted, bool):
        number = as_number(field_value)
        return number is not None and number == float(wanted)
    return False


def field_holds(cond: FieldCondition, value: Any) -> bool:
    """Evaluate ``{field: F, OP: VALUE}`` on the value of F (None when missing)."""
    op = cond.operator
    wanted = cond.value
    text = text_form(value)
    if op == "exists":
        return (text is not None) is bool(wanted)
    if text is None:
        return False  # a missing value matches nothing but exists: false
    if op == "equals":
        return _scorecard_value_equals(value, text, wanted)
    if op == "not_equals":
        return not _scorecard_value_equals(value, text, wanted)
    if op == "in":
        return any(_scorecard_value_equals(value, text, w) for w in wanted)
    if op == "not_in":
        return not any(_scorecard_value_equals(value, text, w) for w in wanted)
    if op == "contains":
        return (text_form(wanted) or "") in text
    if op == "contains_any":
        return any((text_form(w) or "") in text for w in wanted)
    if op == "starts_with":
        return text.startswith(text_form(wanted) or "")
    if op == "ends_with":
        return text.endswith(text_form(wanted) or "")
    number = as_number(value)
    if number is None:
        return False
    if op == "gt":
        return number > wanted
    if op == "gte":
        return number >= wanted
    if op == "lt":
        return number < wanted
    if op == "lte":
        return number <= wanted
    if op == "between":
        low, high = wanted
        return low <= number <= high
    raise AssertionError(f"unknown operator {op}")


def holds(cond: Any, lookup: Any) -> bool:
    """Evaluate a condition; ``lookup(field)`` gives a field's value or None."""
    if isinstance(cond, FieldCondition):
        return field_holds(cond, lookup(cond.field))
    if isinstance(cond, AllCondition):
        return all(holds(c, lookup) for c in cond.all_)
    if isinstance(cond, AnyCondition):
        return any(holds(c, lookup) for c in cond.any_)
    if isinstance(cond, NotCondition):
        return not holds(cond.not_, lookup)
    raise AssertionError(f"unknown condition {cond!r}")


# --------------------------------------------------------------------------- events


def _present_text(value: Any) -> bool:
    return text_form(value) is not None


def _event_properties(event: dict[str, Any]) -> dict[str, Any]:
    """Plain columns win over keys of the JSON ``properties`` object."""
    props: dict[str, Any] = {}
    raw = event.get("properties")
    if isinstance(raw, str) and raw.strip():
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            raw = parsed
    if isinstance(raw, dict):
        for key, val in raw.items():
            if val is None:
                props[key] = None
            elif isinstance(val, str):
                props[key] = val
            elif isinstance(val, bool):
                props[key] = "true" if val else "false"
            elif isinstance(val, int | float):
                props[key] = json.dumps(val)
            else:
                props[key] = json.dumps(val)
    for key, val in event.items():
        if key not in EVENT_CORE_COLUMNS:
            props[key] = val
    return props


class _Event:
    __slots__ = ("id", "props", "ts", "type")

    def __init__(self, raw: dict[str, Any]) -> None:
        self.type = raw.get("event")
        self.ts = parse_time(raw.get("timestamp"))
        eid = raw.get("event_id")
        self.id = None if eid is None or eid == "" else str(eid)  # compared as given: white space is an id
        self.props = _event_properties(raw)


def _dedupe(events: list[_Event], mask: Any) -> list[_Event]:
    """Equal event_id (for one lead) counts once: the earliest copy; copies at the same instant:
    the one with the smallest rule mask (sum of 2**i over the rules i the copy counts for)."""
    keep: dict[str, _Event] = {}
    out: list[_Event] = []
    for ev in events:
        if ev.id is None:
            out.append(ev)
            continue
        best = keep.get(ev.id)
        if best is None or (ev.ts, mask(ev)) < (best.ts, mask(best)):
            keep[ev.id] = ev
    return out + list(keep.values())


def _counts_for(rule: EngagementRule, ev: _Event, as_of: datetime, default_expire: timedelta | None) -> bool:
    """Whether one event, on its own, counts for a rule (type, where, and the rule's time window)."""
    if rule.events is not None and ev.type not in rule.events:
        return False
    if rule.where is not None and not holds(rule.where, ev.props.get):
        return False
    if rule.mode is Mode.INACTIVITY:
        return _after(ev.ts, _since(as_of, rule.inactive_for))
    expiry = rule.expiry(default_expire)
    return (rule.within is None or _after(ev.ts, _since(as_of, rule.within))) and (
        expiry is None or _after(ev.ts, _since(as_of, expiry))
    )


def _since(as_of: datetime, duration: timedelta) -> datetime | None:
    """``as_of - duration``; None when that is before year 1 (every timestamp is later)."""
    try:
        return as_of - duration
    except OverflowError:
        return None


def _after(ts: datetime, start: datetime | None) -> bool:
    """``ts > start``, where a start of None is before every timestamp."""
    return start is None or ts > start


def _weight(age: timedelta, half_life: timedelta | None) -> float:
    if half_life is None:
        return 1.0
    return 0.5 ** (age.total_seconds() / half_life.total_seconds())


def _rule_points(
    rule: EngagementRule,
    events: list[_Event],
    created_at: datetime | None,
    as_of: datetime,
    default_decay: Any,
    default_expire: timedelta | None,
) -> float:
    types = rule.events

    def counts(ev: _Event) -> bool:
        if types is not None and ev.type not in types:
            return False
        return not (rule.where is not None and not holds(rule.where, ev.props.get))

    mode = rule.mode
    if mode is Mode.INACTIVITY:
        window_start = _since(as_of, rule.inactive_for)
        if created_at is not None and _after(created_at, window_start):
            return 0.0  # not old enough
        active = any(counts(ev) and _after(ev.ts, window_start) for ev in events)
        return 0.0 if active else float(rule.points)

    expiry = rule.expiry(default_expire)
    matching = [
        ev
        for ev in events
        if counts(ev)
        and (rule.within is None or _after(ev.ts, _since(as_of, rule.within)))
        and (expiry is None or _after(ev.ts, _since(as_of, expiry)))
    ]
    if mode is Mode.THRESHOLD:
        return float(rule.points) if len(matching) >= rule.at_least else 0.0
    half_life = rule.half_life(default_decay)
    if mode is Mode.ONCE:
        if not matching:
            return 0.0
        newest = max(ev.ts for ev in matching)
        return float(rule.points) * _weight(as_of - newest, half_life)
    # per event
    total = float(rule.points) * sum(_weight(as_of - ev.ts, half_life) for ev in matching)
    if rule.max is not None and abs(total) > rule.max:
        total = math.copysign(rule.max, total)
    return total


# --------------------------------------------------------------------------- grades etc.


def _grade(card: Scorecard, fit: float) -> str:
    if not card.fit.grades:
        return "A"
    for letter, minimum in card.fit.grades.items():
        if minimum <= fit:
            return letter
    return card.grade_letters()[-1]


def _level(card: Scorecard, engagement: float) -> int:
    if not card.engagement.levels:
        return 1
    for level, minimum in card.engagement.levels.items():
        if minimum <= engagement:
            return level
    return card.level_numbers()[-1]


def _stage(card: Scorecard, out: dict[str, Any], points_by_rule: dict[str, float]) -> str | None:
    for stage in card.stages:
        if stage.min_score is not None and not out["score"] >= stage.min_score:
            continue
        if stage.max_score is not None and not out["score"] <= stage.max_score:
            continue
        if stage.min_fit is not None and not out["fit"] >= stage.min_fit:
            continue
        if stage.min_engagement is not None and not out["engagement"] >= stage.min_engagement:
            continue
        if stage.grades is not None and out["grade"] not in stage.grades:
            continue
        if stage.levels is not None and out["level"] not in [int(v) for v in stage.levels]:
            continue
        if stage.fired is not None and not any(points_by_rule.get(name, 0.0) != 0.0 for name in stage.fired):
            continue
        return stage.name
    return None


def _label(card: Scorecard, priority: str) -> str | None:
    if not card.labels:
        return None
    for label, patterns in card.labels.items():
        for pattern in patterns:
            if pattern == "*" or fnmatch.fnmatchcase(priority, pattern):
                return label
    return None


def _rollup(values: list[float], card: Scorecard) -> float:
    spec = card.accounts
    assert spec is not None
    n = spec.top_n
    if n is not None:
        values = sorted(values, reverse=True)[:n]
    agg = spec.aggregate
    if agg == "max":
        return max(values)
    if agg == "sum":
        return sum(values)
    if agg == "mean":
        return sum(values) / len(values)
    raise AssertionError(agg)


# --------------------------------------------------------------------------- main


def _key(value: Any) -> str | None:
    """An id as text (ids are compared as given: no trimming, no case folding)."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            value = int(value)
    text = str(value)
    return text if text.strip(_WS) else None


def reference_score(
    card: Scorecard,
    leads: list[dict[str, Any]],
    events: list[dict[str, Any]],
    accounts: list[dict[str, Any]] | None,
    as_of: datetime,
) -> dict[str, dict[str, Any]]:
    as_of_utc = parse_time(as_of)
    assert as_of_utc is not None

    accounts_by_id: dict[str, dict[str, Any]] = {}
    for acc in accounts or []:
        key = _key(acc.get("account_id"))
        if key is not None and key not in accounts_by_id:
            accounts_by_id[key] = acc

    lead_ids = {_key(lead.get("lead_id")) for lead in leads}
    events_by_lead: dict[str, list[_Event]] = {}
    for raw in events:
        lid = _key(raw.get("lead_id"))
        if lid is None or lid not in lead_ids:
            continue
        ev = _Event(raw)
        if ev.ts is None:
            continue
        events_by_lead.setdefault(lid, []).append(ev)
    expire = card.engagement.expire_after

    def mask(ev: _Event) -> int:
        return sum(1 << i for i, rule in enumerate(card.engagement.rules) if _counts_for(rule, ev, as_of_utc, expire))

    for lid, evs in events_by_lead.items():
        # dedupe first (the earliest copy wins), then keep only what exists at as_of
        events_by_lead[lid] = [ev for ev in _dedupe(evs, mask) if ev.ts <= as_of_utc]

    result: dict[str, dict[str, Any]] = {}
    for lead in leads:
        lid = _key(lead.get("lead_id"))
        assert lid is not None, "every lead needs a lead_id"
        account = accounts_by_id.get(_key(lead.get("account_id")) or "\0none")

        def lookup(field: str, lead: dict[str, Any] = lead, account: dict[str, Any] | None = account) -> Any:
            if field.startswith("account."):
                return None if account is None else account.get(field[len("account.") :])
            return lead.get(field)

        out: dict[str, Any] = {}
        points_by_rule: dict[str, float] = {}
        fit = 0.0
        for rule in card.fit.rules:
            pts = float(rule.points) if holds(rule.if_, lookup) else 0.0
            out[f"fit.{rule.name}"] = pts
            points_by_rule[rule.name] = pts
            fit += pts

        created_at = parse_time(lead.get("created_at"))
        lead_events = events_by_lead.get(lid, [])
        engagement = 0.0
        for rule in card.engagement.rules:
            pts = _rule_points(
                rule, lead_events, created_at, as_of_utc, card.engagement.decay, card.engagement.expire_after
            )
            out[f"engagement.{rule.name}"] = pts
            points_by_rule[rule.name] = pts
            engagement += pts

        score = fit + engagement
        if card.range is not None:
            low, high = card.range
            score = min(max(score, low), high)
        grade = _grade(card, fit)
        level = _level(card, engagement)
        priority = f"{grade}{level}"
        out.update(fit=fit, engagement=engagement, score=score, grade=grade, level=level, priority=priority)
        out["stage"] = _stage(card, out, points_by_rule)
        out["label"] = _label(card, priority)
        result[lid] = out

    if card.accounts is not None:
        engaged_at = card.accounts.engaged_at
        groups: dict[str, list[str]] = {}
        for lead in leads:
            acc = _key(lead.get("account_id"))
            if acc is not None:
                groups.setdefault(acc, []).append(_key(lead.get("lead_id")))  # type: ignore[arg-type]
        for lead in leads:
            lid = _key(lead.get("lead_id"))
            acc = _key(lead.get("account_id"))
            out = result[lid]  # type: ignore[index]
            if acc is None:
                out.update(account_score=None, account_leads=None, account_engaged_leads=None)
                continue
            members = [result[m] for m in groups[acc]]
            engaged = sum(
                1
                for m in members
                if (m["engagement"] >= engaged_at if engaged_at is not None else m["engagement"] > 0)
            )
            out.update(
                account_score=_rollup([m["score"] for m in members], card),
                account_leads=len(members),
                account_engaged_leads=engaged,
            )
    return result
