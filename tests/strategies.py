"""Hypothesis strategies: random valid scorecards and random data that hit the contract's corners.

Everything is on a coarse grid on purpose (points from a short list, times at whole hours,
events exactly on window edges such as ``as_of - 30d``) so that boundaries are really hit.
Alphabets are ASCII plus a lower-case 'é', so that SQL ``lower()`` and Python agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from leadscore.spec import Scorecard, scorecard_from_dict

# --------------------------------------------------------------------------- vocabulary

AS_OFS = [datetime(2026, 6, 1, 12, tzinfo=UTC), datetime(2026, 3, 15, 0, tzinfo=UTC)]

DURATIONS = ["12h", "1d", "2d", "7d", "1w", "2w", "30d", "60d", "90d"]
DURATION_HOURS = {"12h": 12, "1d": 24, "2d": 48, "7d": 168, "1w": 168, "2w": 336, "30d": 720, "60d": 1440, "90d": 2160}
# Hours before as_of: every window edge, one hour either side, "now", and the future.
EDGE_HOURS = sorted({h + d for h in DURATION_HOURS.values() for d in (-1, 0, 1)} | {0, 1, 6, -1, -24, 3000})

EVENT_TYPES = ["page_view", "email_open", "email_click", "form_submit", "download", "unsubscribe"]
POINTS = [-50, -20, -10, -5, 0, 2, 2.5, 5, 10, 15, 25, 80]
THRESHOLDS = [-30, -20, -5, 0, 5, 10, 15, 25, 30, 40, 60, 80, 100]
NUMBERS = [-3, 0, 0.5, 5, 10, 50, 51, 75, 75.5, 100, 120, 250, 1000, 5000]

MISSING = [None, "", "  ", "\t\n"]

LEAD_VALUES: dict[str, list[Any]] = {
    "job_title": ["Director of Marketing", " VP Sales", "vp", "VP ", "CEO", "analyst", "Head of Growth", "intern",
                  "directora de marketing é", "true"],
    "country": ["ES", "es ", "US", " us", "MX", "FR", "AR", "é"],
    "employees": ["51", " 120 ", "120.0", "1000", "1e3", "+5", ".5", "75.5", "-3", "0",
                  "unknown", "1,000", "0x10", "inf", "nan", "5000", "1e400"],
    "email": ["ana@gmail.com", "c@GMAIL.COM ", "bob@acme.io", "bob", "x@é.io"],
    "industry": ["software", "SaaS", "IT Services", "retail", "TRUE", "51"],
}
ACCOUNT_VALUES: dict[str, list[Any]] = {
    "tier": ["gold", "Gold ", " silver", "bronze", "platinum-gold"],
    "revenue": ["100", "250", "5000", " 1000.0", "n/a", "1e3", "-1e-400"],
}
PROPERTY_VALUES: dict[str, list[Any]] = {
    "form": ["free-consultation", "Free-Consultation ", "contact", "newsletter", "NEWSLETTER", "true"],
    "url": ["/pricing", "/PRICING/team", "/blog/x", "/home", "/é"],
    "percent": ["10", "50", " 75", "90.0", "n/a", "1e1", "-5"],
    "utm.*[0]": ["x", "X ", "*", "$"],  # a name full of JSON-path characters is still just a name
}
# JSON-only values for properties: numbers and booleans as JSON scalars.
JSON_EXTRA: dict[str, list[Any]] = {"form": [True, False], "url": [], "percent": [10, 50, 75, 90.5, -5, 0], "utm.*[0]": [7]}

LEAD_FIELDS = list(LEAD_VALUES)
ACCOUNT_FIELDS = [f"account.{f}" for f in ACCOUNT_VALUES]
UNKNOWN_LEAD_FIELDS = ["nickname", "account.nothing"]
PROPERTIES = list(PROPERTY_VALUES)
UNKNOWN_PROPERTIES = ["campaign"]

TEXT_OPS = ["equals", "not_equals", "contains", "starts_with", "ends_with"]
LIST_OPS = ["in", "not_in", "contains_any"]
NUM_OPS = ["gt", "gte", "lt", "lte"]
ALL_OPS = [*TEXT_OPS, *LIST_OPS, *NUM_OPS, "between", "exists"]


def upper(text: str) -> str:
    """Upper-case the ASCII letters only: 'é' stays lower-case, so every SQL lower() agrees."""
    return "".join(c.upper() if c.isascii() else c for c in text)


def pool_for(field: str) -> list[Any]:
    name = field.removeprefix("account.")
    if field.startswith("account."):
        return ACCOUNT_VALUES.get(name, ["x"])
    return LEAD_VALUES.get(name) or PROPERTY_VALUES.get(name) or ["x"]


# --------------------------------------------------------------------------- scorecards


@st.composite
def scalar_for(draw: st.DrawFn, field: str, *, allow_numbers: bool = True) -> Any:
    """A scorecard value for a text operator: a data value re-cased/padded, or a number/bool."""
    kind = draw(st.sampled_from(["data", "data", "data", "number", "bool"] if allow_numbers else ["data"]))
    if kind == "number":
        return draw(st.sampled_from([5, 10, 51, 75.5, 120, 1000, 100]))
    if kind == "bool":
        return draw(st.booleans())
    base = str(draw(st.sampled_from(pool_for(field)))).strip()
    base = draw(st.sampled_from([base, upper(base), base.lower(), f" {base} "]))
    return base or "x"


@st.composite
def substring_for(draw: st.DrawFn, field: str) -> Any:
    """A value for contains/starts_with/ends_with: often a piece of a data value."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([5, 1, 0]))
    base = str(draw(st.sampled_from(pool_for(field)))).strip()
    if len(base) > 2 and draw(st.booleans()):
        i = draw(st.integers(0, len(base) - 1))
        j = draw(st.integers(i + 1, len(base)))
        base = base[i:j]
    if not base.strip():
        base = "a"
    return draw(st.sampled_from([base, upper(base), f"{base} "]))


@st.composite
def field_condition(draw: st.DrawFn, fields: list[str]) -> dict[str, Any]:
    field_name = draw(st.sampled_from(fields))
    op = draw(st.sampled_from(ALL_OPS))
    if op in ("equals", "not_equals"):
        value: Any = draw(scalar_for(field_name))
    elif op in ("contains", "starts_with", "ends_with"):
        value = draw(substring_for(field_name))
    elif op in ("in", "not_in"):
        value = draw(st.lists(scalar_for(field_name), min_size=1, max_size=3))
    elif op == "contains_any":
        value = draw(st.lists(substring_for(field_name), min_size=1, max_size=3))
    elif op in NUM_OPS:
        value = draw(st.sampled_from(NUMBERS))
    elif op == "between":
        low, high = sorted(draw(st.lists(st.sampled_from(NUMBERS), min_size=2, max_size=2)))
        value = [low, high]
    else:
        value = draw(st.booleans())
    return {"field": field_name, op: value}


def condition(fields: list[str], depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    leaf = field_condition(fields)
    if depth <= 0:
        return leaf
    sub = condition(fields, depth - 1)
    return st.one_of(
        leaf,
        leaf,
        leaf,
        st.lists(sub, min_size=1, max_size=3).map(lambda cs: {"all": cs}),
        st.lists(sub, min_size=1, max_size=3).map(lambda cs: {"any": cs}),
        sub.map(lambda c: {"not": c}),
    )


FIT_FIELDS = LEAD_FIELDS + ACCOUNT_FIELDS + UNKNOWN_LEAD_FIELDS
WHERE_FIELDS = PROPERTIES + UNKNOWN_PROPERTIES


@st.composite
def fit_rule(draw: st.DrawFn, name: str) -> dict[str, Any]:
    return {"name": name, "if": draw(condition(FIT_FIELDS)), "points": draw(st.sampled_from(POINTS))}


@st.composite
def decay_setting(draw: st.DrawFn) -> Any:
    return draw(st.sampled_from([None, None, False, {"half_life": "30d"}, {"half_life": "7d"}, {"half_life": "1d"},
                                 {"half_life": "12h"}]))


@st.composite
def engagement_rule(draw: st.DrawFn, name: str) -> dict[str, Any]:
    mode = draw(st.sampled_from(["once", "per", "threshold", "inactivity"]))
    rule: dict[str, Any] = {"name": name, "points": draw(st.sampled_from(POINTS))}
    types = draw(st.lists(st.sampled_from(EVENT_TYPES), min_size=1, max_size=3, unique=True))
    event = types[0] if len(types) == 1 and draw(st.booleans()) else types
    if mode != "inactivity" or draw(st.booleans()):
        rule["event"] = event
    if draw(st.integers(0, 2)) == 0:
        rule["where"] = draw(condition(WHERE_FIELDS, depth=1))
    if mode == "per":
        rule["per"] = "event"
        if draw(st.booleans()):
            rule["max"] = draw(st.sampled_from([1, 5, 10, 20, 2.5]))
    elif mode == "threshold":
        rule["at_least"] = draw(st.integers(1, 4))
    elif mode == "inactivity":
        rule["inactive_for"] = draw(st.sampled_from(DURATIONS))
    if mode != "inactivity":
        if draw(st.booleans()):
            rule["within"] = draw(st.sampled_from(DURATIONS))
        if draw(st.integers(0, 3)) == 0:
            rule["expire_after"] = draw(st.sampled_from(DURATIONS))
    decay = draw(decay_setting())
    if decay is not None:
        rule["decay"] = decay
    return rule


@st.composite
def descending(draw: st.DrawFn, keys: list[Any]) -> dict[Any, float]:
    values = sorted(draw(st.lists(st.sampled_from(THRESHOLDS), min_size=len(keys), max_size=len(keys))), reverse=True)
    return dict(zip(keys, values, strict=True))


STAGE_NAMES = ["SQL", "MQL", "nurture", "lead"]


@st.composite
def stage(draw: st.DrawFn, letters: list[str], levels: list[int], rule_names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": draw(st.sampled_from(STAGE_NAMES))}
    keys = draw(st.lists(st.sampled_from(["min_score", "max_score", "min_fit", "min_engagement", "grades", "levels",
                                          "fired"]), max_size=3, unique=True))
    for key in keys:
        if key in ("min_score", "max_score", "min_fit", "min_engagement"):
            out[key] = draw(st.sampled_from(THRESHOLDS))
        elif key == "grades":
            out[key] = draw(st.lists(st.sampled_from([*letters, "Y"]), min_size=1, max_size=3, unique=True))
        elif key == "levels":
            chosen = draw(st.lists(st.sampled_from([*levels, 7]), min_size=1, max_size=3, unique=True))
            out[key] = [str(v) if draw(st.booleans()) else v for v in chosen]
        elif key == "fired" and rule_names:
            out[key] = draw(st.lists(st.sampled_from(rule_names), min_size=1, max_size=2, unique=True))
    return out


@st.composite
def label_patterns(draw: st.DrawFn, priorities: list[str]) -> list[str]:
    extra = ["*", "A*", "?1", "?2", "[AB]1", "B?"]
    return draw(st.lists(st.sampled_from(priorities + extra), min_size=1, max_size=3, unique=True))


@st.composite
def scorecard_dicts(draw: st.DrawFn) -> dict[str, Any]:
    card: dict[str, Any] = {"name": f"case-{draw(st.integers(0, 999))}"}
    if draw(st.integers(0, 3)) == 0:
        card["range"] = draw(st.sampled_from([[0, 100], [-20, 50], [0, 0], [-100, 100]]))

    n_fit = draw(st.integers(0, 5))
    n_eng = draw(st.integers(0, 6))
    fit_rules = [draw(fit_rule(f"fit-{i}")) for i in range(n_fit)]
    eng_rules = [draw(engagement_rule(f"eng-{i}")) for i in range(n_eng)]

    fit: dict[str, Any] = {"rules": fit_rules}
    letters = ["A"]
    if draw(st.booleans()):
        count = draw(st.integers(1, 3))
        keys = ["A", "B", "C"][:count]
        fit["grades"] = draw(descending(keys))
        letters = [*keys, chr(ord(keys[-1]) + 1)]
    card["fit"] = fit

    engagement: dict[str, Any] = {"rules": eng_rules}
    levels = [1]
    if draw(st.booleans()):
        count = draw(st.integers(1, 3))
        keys_n = list(range(1, count + 1))
        engagement["levels"] = draw(descending(keys_n))
        levels = [*keys_n, count + 1]
    decay = draw(st.sampled_from([None, None, {"half_life": "30d"}, {"half_life": "7d"}, {"half_life": "2d"}]))
    if decay:
        engagement["decay"] = decay
    if draw(st.integers(0, 2)) == 0:
        engagement["expire_after"] = draw(st.sampled_from(DURATIONS))
    card["engagement"] = engagement

    rule_names = [r["name"] for r in fit_rules + eng_rules]
    card["stages"] = draw(st.lists(stage(letters, levels, rule_names), min_size=1, max_size=4))
    if draw(st.booleans()):
        card["stages"].append({"name": draw(st.sampled_from(STAGE_NAMES))})

    if draw(st.booleans()):
        priorities = [f"{g}{lv}" for g in letters for lv in levels]
        names = draw(st.lists(st.sampled_from(["hot", "warm", "cold", "ice"]), min_size=1, max_size=3, unique=True))
        card["labels"] = {n: draw(label_patterns(priorities)) for n in names}

    if draw(st.integers(0, 2)) == 0:
        rollup: dict[str, Any] = {"score": draw(st.sampled_from(["max", "sum", "mean", "top_2_mean", "top_3_sum",
                                                                 "top_1_sum"]))}
        if draw(st.booleans()):
            rollup["engaged_at"] = draw(st.sampled_from([0, 5, 10, 30]))
        card["accounts"] = rollup
    return card


def scorecards() -> st.SearchStrategy[tuple[dict[str, Any], Scorecard]]:
    return scorecard_dicts().map(lambda d: (d, scorecard_from_dict(d)))


# --------------------------------------------------------------------------- data


def fmt_time(moment: datetime, style: str) -> str:
    """ISO-8601 text in one of TIME_STYLES (years below 1000 zero-padded: 0042-01-01)."""
    utc = moment.astimezone(UTC)
    shown = {"offset2": utc.astimezone(timedelta_zone(2)), "offset-5": utc.astimezone(timedelta_zone(-5))}.get(style, utc)
    text = shown.replace(tzinfo=None).isoformat(sep=" " if style == "space" else "T", timespec="seconds")
    suffix = {"z": "Z", "offset0": "+00:00", "offset2": "+02:00", "offset-5": "-05:00", "naive": "", "space": ""}
    if style not in suffix:
        raise AssertionError(style)
    return text + suffix[style]


def timedelta_zone(hours: int) -> Any:
    from datetime import timezone

    return timezone(timedelta(hours=hours))


TIME_STYLES = ["z", "z", "z", "offset0", "offset2", "offset-5", "naive", "space"]


@st.composite
def moment_before(draw: st.DrawFn, as_of: datetime) -> datetime:
    """A whole-hour instant: often exactly on a window edge, sometimes anywhere near, sometimes in
    any year from 1 to 9999 (placeholder dates such as 1900-01-01 included), sometimes after as_of."""
    where = draw(st.integers(0, 5))
    if where == 0:
        return draw(st.one_of(st.sampled_from(FAR_MOMENTS), st.datetimes(FAR_FIRST, FAR_LAST).map(_whole_hour)))
    hours = draw(st.integers(-48, 2500)) if where <= 2 else draw(st.sampled_from(EDGE_HOURS))
    return as_of - timedelta(hours=hours)


# Far from as_of: any year from 1 to 9999, a day inside the ends so every TIME_STYLES offset
# still names a year in that range (tests/test_hostile_inputs.py pins the very ends).
FAR_FIRST, FAR_LAST = datetime(1, 1, 2), datetime(9999, 12, 30)
FAR_MOMENTS = [datetime(1, 1, 2, tzinfo=UTC), datetime(1900, 1, 1, tzinfo=UTC), datetime(1969, 12, 31, 23, tzinfo=UTC),
               datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)]


def _whole_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)


@st.composite
def text_value(draw: st.DrawFn, pool: list[Any]) -> Any:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(MISSING))
    value = str(draw(st.sampled_from(pool)))
    return draw(st.sampled_from([value, value, upper(value), value.lower(), f" {value}\t"]))


@dataclass
class Case:
    """One random scoring problem."""

    card_dict: dict[str, Any]
    card: Scorecard
    as_of: datetime
    leads: list[dict[str, Any]]
    lead_columns: list[str]
    events: list[dict[str, Any]]
    event_columns: list[str]
    accounts: list[dict[str, Any]] | None
    account_columns: list[str]
    numeric_columns: set[str] = field(default_factory=set)  # columns given as float64, not text

    def __repr__(self) -> str:  # readable falsifying examples
        return (
            f"Case(as_of={self.as_of.isoformat()!r},\n card={self.card_dict!r},\n"
            f" leads={self.leads!r},\n events={self.events!r},\n accounts={self.accounts!r},\n"
            f" numeric={sorted(self.numeric_columns)!r})"
        )


@st.composite
def leads_data(draw: st.DrawFn, as_of: datetime) -> tuple[list[dict[str, Any]], list[str], set[str]]:
    n = draw(st.integers(1, 7))
    columns = ["lead_id"]
    if draw(st.integers(0, 4)) > 0:
        columns.append("created_at")
    if draw(st.integers(0, 4)) > 0:
        columns.append("account_id")
    present = [f for f in LEAD_FIELDS if draw(st.integers(0, 5)) > 0]  # a field may be absent altogether
    columns += present
    numeric: set[str] = set()
    if "employees" in present and draw(st.integers(0, 4)) == 0:
        numeric.add("employees")
    rows = []
    for i in range(n):
        row: dict[str, Any] = {"lead_id": f"L{i}"}
        if "created_at" in columns:
            if draw(st.integers(0, 3)) == 0:
                row["created_at"] = draw(st.sampled_from([None, ""]))
            else:
                row["created_at"] = fmt_time(draw(moment_before(as_of)), draw(st.sampled_from(TIME_STYLES)))
        if "account_id" in columns:
            row["account_id"] = draw(st.sampled_from(["acc-0", "acc-1", "acc-2", "acc-3", "acc-9", None]))
        for f in present:
            if f in numeric:
                row[f] = draw(st.sampled_from([None, 0.0, 5.0, 51.0, 75.5, 120.0, 1000.0, -3.0]))
            else:
                row[f] = draw(text_value(LEAD_VALUES[f]))
        rows.append(row)
    return rows, columns, numeric


@st.composite
def accounts_data(draw: st.DrawFn) -> tuple[list[dict[str, Any]] | None, list[str]]:
    if draw(st.integers(0, 4)) == 0:
        return None, []
    columns = ["account_id"] + [f for f in ACCOUNT_VALUES if draw(st.integers(0, 4)) > 0]
    rows = []
    for i in range(draw(st.integers(0, 4))):
        row: dict[str, Any] = {"account_id": f"acc-{i}"}
        for f in columns[1:]:
            row[f] = draw(text_value(ACCOUNT_VALUES[f]))
        rows.append(row)
    return rows, columns


@st.composite
def events_data(
    draw: st.DrawFn, as_of: datetime, lead_ids: list[str]
) -> tuple[list[dict[str, Any]], list[str], set[str]]:
    style = draw(st.sampled_from(["columns", "json", "mixed", "none"]))
    has_ids = draw(st.integers(0, 4)) > 0
    if style == "columns":
        prop_columns = [p for p in PROPERTIES if draw(st.integers(0, 3)) > 0]
        json_keys: list[str] = []
    elif style == "json":
        prop_columns, json_keys = [], list(PROPERTIES)
    elif style == "mixed":
        prop_columns = [p for p in PROPERTIES if draw(st.booleans())]
        json_keys = list(PROPERTIES)  # overlapping keys: the column wins
    else:
        prop_columns, json_keys = [], []
    numeric: set[str] = set()
    if "percent" in prop_columns and draw(st.integers(0, 4)) == 0:
        numeric.add("percent")
    columns = ["lead_id", "event", "timestamp"]
    if has_ids:
        columns.append("event_id")
    if json_keys:
        columns.append("properties")
    columns += prop_columns

    rows: list[dict[str, Any]] = []
    n = draw(st.integers(0, 25))
    for _ in range(n):
        row: dict[str, Any] = {
            "lead_id": draw(st.sampled_from([*lead_ids, "ghost"])) if draw(st.integers(0, 9)) == 0
            else draw(st.sampled_from(lead_ids)),
            "event": draw(st.sampled_from(EVENT_TYPES)),
            "timestamp": fmt_time(draw(moment_before(as_of)), draw(st.sampled_from(TIME_STYLES))),
        }
        if has_ids:
            row["event_id"] = draw(st.sampled_from([None, *[f"e{k}" for k in range(8)]]))
        if json_keys:
            obj: dict[str, Any] = {}
            for key in json_keys:
                if draw(st.booleans()):
                    choice = draw(st.integers(0, 5))
                    if choice == 0:
                        obj[key] = None
                    elif choice == 1 and JSON_EXTRA[key]:
                        obj[key] = draw(st.sampled_from(JSON_EXTRA[key]))
                    else:
                        obj[key] = draw(text_value(PROPERTY_VALUES[key]))
            row["properties"] = draw(st.sampled_from([json.dumps(obj), json.dumps(obj), None])) if not obj \
                else json.dumps(obj)
        for p in prop_columns:
            if p in numeric:
                row[p] = draw(st.sampled_from([None, 0.0, 10.0, 50.0, 75.0, 90.5, -5.0]))
            else:
                row[p] = draw(text_value(PROPERTY_VALUES[p]))
        rows.append(row)

    # A re-sent event: an exact copy, or the same id later (maybe with other properties).
    if has_ids and rows and draw(st.booleans()):
        original = draw(st.sampled_from(rows))
        copy = dict(original)
        if copy.get("event_id") is None:
            copy["event_id"] = original["event_id"] = "e-resent"
        if draw(st.booleans()):
            later = parse_instant(copy["timestamp"]) + timedelta(hours=draw(st.sampled_from([1, 24, 2000])))
            copy["timestamp"] = fmt_time(later, "z")
            copy["event"] = draw(st.sampled_from(EVENT_TYPES))
        rows.append(copy)
    return make_dedupe_unambiguous(rows), columns, numeric


def parse_instant(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def make_dedupe_unambiguous(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two copies of one (lead, event_id) at the same instant with the same type must be identical,
    else which one is "the earliest copy" is not defined: make the later row an exact copy."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    out = []
    for row in rows:
        if row.get("event_id") is None:
            out.append(row)
            continue
        key = (row["lead_id"], row["event_id"], parse_instant(row["timestamp"]), row["event"])
        out.append(dict(seen[key]) if key in seen else row)
        seen.setdefault(key, row)
    return out


@st.composite
def cases(draw: st.DrawFn) -> Case:
    card_dict, card = draw(scorecards())
    as_of = draw(st.sampled_from(AS_OFS))
    leads, lead_columns, numeric = draw(leads_data(as_of))
    accounts, account_columns = draw(accounts_data())
    events, event_columns, numeric_events = draw(events_data(as_of, [r["lead_id"] for r in leads]))
    return Case(
        card_dict=card_dict,
        card=card,
        as_of=as_of,
        leads=leads,
        lead_columns=lead_columns,
        events=events,
        event_columns=event_columns,
        accounts=accounts,
        account_columns=account_columns,
        numeric_columns=numeric | numeric_events,
    )


@st.composite
def late_events(draw: st.DrawFn, case: Case) -> list[dict[str, Any]]:
    """Events strictly after as_of, in the case's column layout."""
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        row: dict[str, Any] = {
            "lead_id": draw(st.sampled_from([r["lead_id"] for r in case.leads])),
            "event": draw(st.sampled_from(EVENT_TYPES)),
            "timestamp": fmt_time(case.as_of + timedelta(hours=draw(st.sampled_from([1, 2, 24, 1000]))),
                                  draw(st.sampled_from(TIME_STYLES))),
        }
        if "event_id" in case.event_columns:
            row["event_id"] = draw(st.sampled_from([None, "late-1", "e0", "e1"]))
        if "properties" in case.event_columns:
            row["properties"] = json.dumps({"form": "newsletter", "percent": 50})
        for p in PROPERTIES:
            if p in case.event_columns:
                row[p] = 50.0 if p in case.numeric_columns else draw(text_value(PROPERTY_VALUES[p]))
        rows.append(row)
    return rows
