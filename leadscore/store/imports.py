"""Bulk history into a store (``leadscore import``): files or tables checked by the engine's loader.

The same checks and messages as ``leadscore score`` (the engine's ``load``), then the rows
become store messages:

- events: one event each; ``event_id`` when the file has one (a re-import, or a row repeated
  with the same ``lead_id`` and ``event_id``, is stored once: the earliest copy, as the batch
  command counts it), else an id made from the row's content and its rank among equal rows;
- leads: the row's columns become the lead's attributes (``account_id`` links its account,
  ``created_at`` is kept). A lead new to the store gets them from the beginning of time
  (``EPOCH``: an imported profile holds for every ``as_of``, as the batch command reads it);
  a lead the store holds gets the changed values from ``at``, the time of the import;
- accounts: the row's columns become the account's attributes, the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date, datetime
from typing import Any

from leadscore.compiler.sources import Kind, Table
from leadscore.io.sources import parse_source
from leadscore.store.records import Message
from leadscore.store.sql import in_list, sql
from leadscore.store.store import EPOCH, Store


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:32]


def _rows(store: Store, table: Table) -> list[dict[str, Any]]:
    return store.engine.fetch(table).to_pylist()


def import_history(
    store: Store, *, leads: Any = None, events: Any = None, accounts: Any = None, at: datetime, id_column: str | None = None,
) -> dict[str, int]:
    """Load, check and store the given inputs; returns how many rows of each were read."""
    engine = store.engine
    tables = {}
    if leads is not None:
        tables["leads"] = engine.load("leads", parse_source(leads), id_column=id_column)
    if events is not None:
        tables["events"] = engine.load("events", parse_source(events))
    if accounts is not None:
        tables["accounts"] = engine.load("accounts", parse_source(accounts))
    counts: dict[str, int] = {}
    messages: list[Message] = []
    if "accounts" in tables:
        rows = _rows(store, tables["accounts"])
        counts["accounts"] = len(rows)
        known = _known(store, "accounts", "account_id", [str(r["account_id"]) for r in rows if r["account_id"] is not None])
        for row in rows:
            if row["account_id"] is None:
                continue
            account = str(row["account_id"])
            traits = {k: _plain(v) for k, v in row.items() if k != "account_id"}
            stamp = at if account in known else EPOCH
            messages.append(Message(f"import-account:{account}:{_digest(traits)}", "group", stamp, at, group_id=account,
                                    traits=traits, kind="import"))
    if "leads" in tables:
        rows = _rows(store, tables["leads"])
        counts["leads"] = len(rows)
        known = _known(store, "leads", "lead_id", [str(r["lead_id"]) for r in rows if r["lead_id"] is not None])
        for row in rows:
            lead = str(row["lead_id"])
            traits = {k: _plain(v) for k, v in row.items() if k != "lead_id" and not (k == "created_at" and v is None)}
            stamp = at if lead in known else EPOCH
            messages.append(Message(f"import-lead:{lead}:{_digest(traits)}", "identify", stamp, at, lead_id=lead, traits=traits,
                                    kind="import"))
    if "events" in tables:
        table = tables["events"]
        rows = _rows(store, table)
        counts["events"] = len(rows)
        rows.sort(key=lambda r: r["timestamp"])
        reserved = {"lead_id", "event", "timestamp", "event_id", "properties"}
        seen: Counter[str] = Counter()
        for row in rows:
            properties: dict[str, Any] = {}
            if table.kind("properties") is Kind.JSON and row.get("properties"):
                properties = json.loads(row["properties"])
            properties |= {k: _plain(v) for k, v in row.items() if k not in reserved and v is not None}
            lead = str(row["lead_id"])
            event_id = row.get("event_id")
            if event_id is None:
                content = _digest(lead, row["event"], row["timestamp"].isoformat(), properties)
                seen[content] += 1
                event_id = f"{content}-{seen[content]}"
            event_id = str(event_id)
            messages.append(Message(
                f"import-event:{_digest(lead, event_id)}", "event", row["timestamp"], at, lead_id=lead, event=str(row["event"]),
                properties=properties, event_id=event_id, kind="import",
            ))
    store.import_messages(messages)
    return counts


def _known(store: Store, table: str, key: str, ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        known |= {r[key] for r in store.engine.execute(sql(f"SELECT {key} FROM {table} WHERE {in_list(key, chunk)}")).to_pylist()}
    return known
