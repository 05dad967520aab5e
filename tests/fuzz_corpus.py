"""The seed corpus of hostile inputs (issue 13) and the pools the fuzzing strategies draw from.

Each seed is a set of files and a command line; ``{dir}`` in an argument is the folder the
files are written to. tests/test_fuzz.py runs every seed and the random inputs built from
the same pools through the same checks (exit status, no traceback, nothing lost or left).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

GOOD_CARD = """name: seed
fit:
  rules:
    - {name: spain, if: {field: country, equals: ES}, points: 10}
    - {name: big, if: {field: employees, gte: 50}, points: 5}
engagement:
  decay: {half_life: 1h}
  rules:
    - {name: forms, event: form_submit, where: {field: form, equals: free-consultation}, points: 50}
    - {name: views, event: page_view, per: event, points: 1, max: 10}
    - {name: star, event: page_view, where: {field: '*', equals: x}, points: 3}
    - {name: quiet, inactive_for: 30d, points: -5}
  levels: {1: 40, 2: 10}
stages:
  - {name: SQL, min_score: 50}
  - {name: lead}
labels: {hot: [A1], cold: ['*']}
accounts: {score: max}
"""

LEADS = "lead_id,country,employees,created_at,account_id\nmaria,ES,120,2026-01-01,acc\nbob,FR,5,1900-01-01,acc\n"
EVENTS = (
    "lead_id,event,timestamp,event_id,form\n"
    "maria,form_submit,2026-05-31T12:00:00Z,1,free-consultation\n"
    "maria,page_view,1900-01-01,2,\n"
    "bob,page_view,0001-01-01T00:00:00Z,3,\n"
    "bob,page_view,9999-12-31T23:59:59Z,4,\n"
)


@dataclass(frozen=True)
class Seed:
    """Files (name → content) and a command line (``{dir}``: where the files are)."""

    name: str
    argv: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def _parquet(columns: dict[str, object]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def _files(**extra: str | bytes) -> dict[str, str | bytes]:
    return {"card.yaml": GOOD_CARD, "leads.csv": LEADS, "events.csv": EVENTS, **extra}


def _score(*extra: str, leads: str = "leads.csv", events: str | None = "events.csv", output: str = "out.csv") -> list[str]:
    argv = ["score", "{dir}/card.yaml", "--leads", f"{{dir}}/{leads}", "--as-of", "2026-06-01T12:00:00Z", "--output", f"{{dir}}/{output}"]
    if events:
        argv += ["--events", f"{{dir}}/{events}"]
    return argv + list(extra)


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "name: bomb\n" + "\n".join(lines) + "\nstages: [{name: lead}]\n"


SEEDS: list[Seed] = [
    # 1: events of any year, on every command
    Seed("old-events-score", _score(), _files()),
    Seed("old-events-explain", ["explain", "{dir}/card.yaml", "bob", "maria", "--leads", "{dir}/leads.csv", "--events", "{dir}/events.csv", "--json"], _files()),
    Seed("old-events-top", ["top", "{dir}/card.yaml", "--leads", "{dir}/leads.csv", "--events", "{dir}/events.csv", "--output", "{dir}/top.csv"], _files()),
    Seed("as-of-year-1", _score("--as-of", "0001-01-01"), _files()),
    Seed("as-of-year-9999", _score("--as-of", "9999-12-31T23:59:59.999999Z"), _files()),
    Seed("infinity", _score(), _files(**{"events.csv": "lead_id,event,timestamp\nmaria,page_view,infinity\n"})),
    # 2: JSON Lines of mixed types
    Seed("jsonl-mixed", _score(leads="leads.jsonl", events="events.jsonl"), _files(**{
        "leads.jsonl": '{"lead_id": 5, "country": "ES"}\n{"lead_id": "maria", "country": 7, "employees": "120"}\n',
        "events.jsonl": '{"lead_id": 5, "event": "form_submit", "timestamp": "2026-05-31T12:00:00Z", "form": "free-consultation"}\n'
                        '{"lead_id": "maria", "event": "page_view", "timestamp": 1700000000, "form": 3}\n',
    })),
    # 4: outputs over inputs
    Seed("output-is-leads", _score(output="leads.csv"), _files()),
    Seed("output-is-events", _score(output="events.csv"), _files()),
    Seed("output-is-accounts-output", _score("--accounts-output", "{dir}/out.csv"), _files()),
    Seed("table-output-in-memory", ["score", "{dir}/card.yaml", "--leads", "{dir}/leads.csv", "--output", "table:scores"], _files()),
    Seed("top-output-is-leads", ["top", "{dir}/card.yaml", "--leads", "{dir}/leads.csv", "--output", "{dir}/leads.csv"], _files()),
    # 5: the second output fails
    Seed("accounts-output-fails", _score("--accounts-output", "{dir}/missing-folder/acc.csv"), _files()),
    # 7: YAML bombs
    Seed("alias-bomb", ["validate", "{dir}/card.yaml"], {"card.yaml": _bomb()}),
    Seed("alias-loop", ["validate", "{dir}/card.yaml"], {"card.yaml": "name: loop\nx: &x [1, *x]\nstages: [{name: lead}]\n"}),
    Seed("deep-yaml", ["validate", "{dir}/card.yaml"], {"card.yaml": "name: d\nx: " + "[" * 3000 + "]" * 3000 + "\n"}),
    # 8: beyond and at the limits
    Seed("not-200", ["validate", "{dir}/card.yaml"], {"card.yaml": "name: n\nfit:\n  rules:\n    - name: r\n      points: 1\n      if: "
                                                      + "{not: " * 200 + "{field: a, equals: b}" + "}" * 200 + "\nstages: [{name: lead}]\n"}),
    Seed("within-900000d", _score(), _files(**{"card.yaml": GOOD_CARD.replace("per: event, points: 1, max: 10", "per: event, points: 1, within: 900000d")})),
    Seed("duration-1e9-days", _score(), _files(**{"card.yaml": GOOD_CARD.replace("half_life: 1h", "half_life: 1000000000d")})),
    Seed("points-inf", _score(), _files(**{"card.yaml": GOOD_CARD.replace("points: 10}", "points: .inf}")})),
    Seed("top-n-huge", ["top", "{dir}/card.yaml", "--leads", "{dir}/leads.csv", "-n", "100000000000000000000"], _files()),
    Seed("top-n-float", ["top", "{dir}/card.yaml", "--leads", "{dir}/leads.csv", "-n", "1e20"], _files()),
    # 9: a property named '*'
    Seed("property-star", _score(events="events.jsonl"), _files(**{
        "events.jsonl": '{"lead_id": "maria", "event": "page_view", "timestamp": "2026-05-31T12:00:00Z", "properties": {"*": "x", "a": "y"}}\n',
    })),
    # 10: an output folder that cannot be written
    Seed("output-in-sys", ["score", "{dir}/card.yaml", "--leads", "{dir}/leads.csv", "--output", "/sys/out.csv"], _files()),
    # 11, 12, 13: files
    Seed("csv-quoted-newlines", _score(), _files(**{"events.csv": 'lead_id,event,timestamp,note\nmaria,page_view,2026-05-01,"a\nb"\nmaria,page_view,never,x\n'})),
    Seed("jsonl-blank-lines", _score(events="events.jsonl"), _files(**{"events.jsonl": '\n\n{"lead_id": "maria", "event": "x", "timestamp": "no"}\n'})),
    Seed("not-utf8", _score(), _files(**{"leads.csv": b"lead_id,country\nmaria,\xff\xfe\n"})),
    Seed("empty-csv", _score(), _files(**{"leads.csv": ""})),
    Seed("empty-jsonl", _score(leads="leads.jsonl"), _files(**{"leads.jsonl": ""})),
    Seed("ragged-csv", _score(), _files(**{"leads.csv": "lead_id\nmaria,ES\nbob,MX\n"})),
    Seed("jsonl-array-line", _score(leads="leads.jsonl"), _files(**{"leads.jsonl": '{"lead_id": "a"}\n[1, 2]\n'})),
    Seed("duplicate-columns", _score(), _files(**{"leads.csv": "lead_id,country,country\nmaria,ES,MX\n"})),
    Seed("blank-id", _score(), _files(**{"leads.csv": "lead_id,country\n   ,ES\n"})),
    Seed("unbalanced-quote", _score(), _files(**{"leads.csv": 'lead_id,country\nmaria,"ES\nbob,MX\n'})),
    Seed("parquet-list-id", _score(leads="leads.parquet"), _files(**{"leads.parquet": _parquet({"lead_id": [["a"], ["b"]]})})),
    Seed("parquet-truncated", _score(leads="leads.parquet"), _files(**{"leads.parquet": _parquet({"lead_id": ["a", "b"]})[:40]})),
    Seed("markup-in-data", ["top", "{dir}/card.yaml", "--leads", "{dir}/leads.csv"], _files(**{"leads.csv": "lead_id,country\n[/x],[bold]ES\n"})),
    # 14
    Seed("password-in-url", _score("--database", "postgresql://u:hunter2@127.0.0.1:1/db?password=hunter2"), _files()),
    Seed("as-of-nanoseconds", _score("--as-of", "2026-06-01T12:00:00.0000001Z"), _files()),
    Seed("unknown-stage", ["top", "{dir}/card.yaml", "--leads", "{dir}/leads.csv", "--stage", "SAL"], _files()),
    Seed("validate-bad-data", ["validate", "{dir}/card.yaml", "--leads", "{dir}/leads.csv"], _files(**{"leads.csv": "lead_id\na\na\n"})),
    # found by the fuzzing test
    Seed("fired-holds-a-list", ["validate", "{dir}/card.yaml"], {"card.yaml": "name: f\nstages: [{name: SQL, fired: [x, []]}]\n"}),
    Seed("sql-every-dialect", ["sql", "{dir}/card.yaml", "--dialect", "bigquery"], _files()),
]


# -- pools the random inputs draw from ---------------------------------------------------------

COLUMN_NAMES = [
    "lead_id", "lead_id", "event", "timestamp", "event_id", "properties", "created_at", "account_id", "country",
    "employees", "form", "Country", "", " lead_id", "a,b", 'q"uote', "[/x]", "*", "é", "x.y", "1",
]
TEXT_VALUES = [
    "", " ", "\t", "maria", "bob", "MARIA ", "5", "5.0", "-1", "1e400", "nan", "inf", "true", "null", "ES", "es ",
    "120", "50", "2026-05-01", "2026-05-31T12:00:00Z", "2026-06-01T12:00:00.0000001Z", "0001-01-01", "1900-01-01",
    "9999-12-31T23:59:59.999999Z", "infinity", "-infinity", "20000-01-01", "0001-01-01 (BC)", "yesterday",
    "page_view", "form_submit", "free-consultation", '{"form": "free-consultation"}', '{"*": "x"}', "[1, 2]",
    '"', '""', "a\nb", "a,b", "a;b", "[/x]", "é☃", "\x00", "x" * 200, "'", "\\", "%s", "$1",
]
JSON_KEYS = COLUMN_NAMES
YAML_VALUES: list[object] = [
    None, True, False, 0, -1, 1e300, 1e16, 10**30, float("inf"), float("nan"), "", "x", "30m", "0d", "1000000000d",
    "900000d", "-5d", "1h", [], {}, [1], {"field": "x"}, "[/x]", "*", "é", "A", "Z",
]
RAW_CARDS = [
    _bomb(4),
    "name: loop\nx: &x [1, *x]\nstages: [{name: lead}]\n",
    "name: d\nx: " + "[" * 150 + "]" * 150 + "\n",
    "",
    "- just\n- a list\n",
    "name: a\nname: b\nstages: [{name: lead}]\n",
    "name: t\n\tstages: []\n",
    "name: t\nstages: [{name: lead}]\nfit: {rules: [{name: r, if: {field: x, equals: !!binary aGk=}, points: 1}]}\n",
    "!!python/object/apply:os.system ['echo hi']\n",
    "name: t\nstages: [{name: lead}]\nx: *undefined\n",
    json.dumps({"name": "t", "stages": [{"name": "lead"}], "engagement": {"rules": [{"name": "e", "event": "x", "points": 1, "within": "99999999999999999999999d"}]}}),
]
