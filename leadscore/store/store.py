"""The service's store: canonical tables, history, scores, scorecard versions and keys on one engine.

A store is a DuckDB file (the embedded default, made when missing) or a PostgreSQL URL
(tables made when missing). Every statement is a sqlglot tree run through the engine's
methods; the clock is never read here (moments come from the caller).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from leadscore.engines import Engine, connect
from leadscore.errors import InputError, InvalidMessagesError, NotFoundError
from leadscore.moments import parse_moment
from leadscore.scoring import Scorer
from leadscore.spec import Scorecard, parse_scorecard
from leadscore.store import asof
from leadscore.store.prepared import PreparedScore
from leadscore.store.records import (
    CHANGE_FIELDS,
    OUTPUT_FIELDS,
    RESERVED_LEAD_FIELDS,
    SCOPES,
    ApiKey,
    Message,
    ScorecardVersion,
)
from leadscore.store.schema import migrate
from leadscore.store.sql import ident, in_list, lit, moment, sql

MAX_FIELD_BYTES = 63  # PostgreSQL's identifier limit
MAX_TRAIT_COLUMNS = 1000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""When imported attributes start to hold (a profile imported without a history holds for every as_of)."""
KEY_PREFIX = "lsk_"


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def open_store(target: str | Path, **options: Any) -> Store:
    """Open (and create or upgrade) the store at ``target``: a DuckDB file path or a PostgreSQL URL.

    Raises:
        StoreVersionError: the store was made by a newer leadscore.
        EngineError: it cannot be opened (e.g. a DuckDB file another process holds).
    """
    text = str(target)
    if not text or text in (":memory:", "duckdb"):
        engine = connect(":memory:", **options)
    elif is_postgres_url(text):
        engine = connect(text, **options)
    else:
        path = Path(text)
        if path.parent and not path.parent.exists():
            raise InputError(f"{text}: the folder {str(path.parent)!r} does not exist")
        engine = connect(text, **options)
    try:
        return Store(engine, text)
    except BaseException:
        engine.close()
        raise


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _text_value(value: Any) -> str | None:
    """A trait's value as the text the canonical tables hold (None: missing)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _arrow(columns: dict[str, tuple[pa.DataType, list[Any]]]) -> pa.Table:
    return pa.table({name: pa.array(values, kind) for name, (kind, values) in columns.items()})


TS = pa.timestamp("us", tz="UTC")


class Store:
    """The service's tables on one engine. Safe to share between threads (the engine serializes)."""

    def __init__(self, engine: Engine, location: str = "") -> None:
        self.engine = engine
        self.location = location or engine.name
        self.previous_version = migrate(engine, self.location)
        self._columns: dict[str, list[str]] = {}
        self._refresh_columns()

    # -- plumbing ----------------------------------------------------------------------------
    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def reader(self) -> Iterator[Store]:
        """This store over a connection of its own, for reads beside the writer."""
        with self.engine.reader() as engine:
            clone = copy.copy(self)
            clone.engine = engine
            yield clone

    def _rows(self, text: str) -> list[dict[str, Any]]:
        return self.engine.execute(sql(text)).to_pylist()

    def _rows_for(self, text: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Rows of ``text``, which reads the relation ``__ls_ids (id)`` holding ``ids`` (no SQL text per id)."""
        if not ids:
            return []
        with self.engine.rows("__ls_ids", pa.table({"id": pa.array(list(dict.fromkeys(ids)), pa.string())})):
            return self._rows(text)

    def _refresh_columns(self) -> None:
        for table in ("leads", "accounts"):
            self._columns[table] = list(self.engine.execute(sql(f"SELECT * FROM {table} LIMIT 0")).column_names)

    def columns(self, table: str) -> list[str]:
        return list(self._columns[table])

    # -- ingest ------------------------------------------------------------------------------
    def check_fields(self, messages: Sequence[Message], indexes: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Problems with the trait names of ``messages`` (length, case clashes with stored columns)."""
        problems: list[dict[str, Any]] = []
        seen = {"leads": {c.lower(): c for c in self._columns["leads"]}, "accounts": {c.lower(): c for c in self._columns["accounts"]}}
        for n, message in enumerate(messages):
            index = indexes[n] if indexes is not None else n
            table = "accounts" if message.type == "group" else "leads"
            for name in message.traits:
                if table == "leads" and name in ("lead_id",):
                    problems.append({"index": index, "path": f"traits.{name}", "message": "lead_id is the userId, not a trait"})
                    continue
                if len(name.encode("utf-8")) > MAX_FIELD_BYTES:
                    problems.append({"index": index, "path": f"traits.{name[:40]}", "message": f"trait names are at most {MAX_FIELD_BYTES} bytes"})
                    continue
                known = seen[table].get(name.lower())
                if known is not None and known != name:
                    problems.append({
                        "index": index, "path": f"traits.{name}",
                        "message": f"trait {name!r} differs only in case from the stored trait {known!r}: use {known!r}",
                    })
                    continue
                seen[table].setdefault(name.lower(), name)
            if len(seen[table]) > MAX_TRAIT_COLUMNS:
                problems.append({"index": index, "path": "traits", "message": f"the store keeps at most {MAX_TRAIT_COLUMNS} distinct traits"})
        return problems

    def write(self, messages: Sequence[Message]) -> dict[str, str]:
        """Store checked messages in one transaction; a message id already stored changes nothing.

        Returns the leads whose score may have changed, each with the reason (``event`` or ``profile``).

        Raises:
            InvalidMessagesError: a trait name cannot become a column (nothing is stored).
        """
        problems = self.check_fields(messages)
        if problems:
            raise InvalidMessagesError(problems)
        try:
            with self.engine.transaction():
                return self._write(messages)
        except BaseException:
            self._refresh_columns()  # a rolled-back ALTER TABLE
            raise

    def _insert_messages(self, messages: Sequence[Message]) -> list[Message]:
        """Insert the messages whose id is not stored yet, in one set-based statement; those messages."""
        unique: dict[str, Message] = {}
        for message in messages:
            unique.setdefault(message.message_id, message)
        new = list(unique.values())
        data = _arrow({
            "message_id": (pa.string(), [m.message_id for m in new]),
            "type": (pa.string(), [m.kind or m.type for m in new]),
            "lead_id": (pa.string(), [m.lead_id for m in new]),
            "anonymous_id": (pa.string(), [m.anonymous_id for m in new]),
            "timestamp": (TS, [m.timestamp for m in new]),
            "received_at": (TS, [m.received_at for m in new]),
            "body": (pa.string(), [m.body for m in new]),
        })
        with self.engine.rows("__ls_messages", data):
            inserted = self.engine.execute(sql(
                "INSERT INTO messages SELECT message_id, type, lead_id, anonymous_id, timestamp, received_at, body FROM __ls_messages "
                "ON CONFLICT DO NOTHING RETURNING message_id"
            )).column(0).to_pylist()
        if len(inserted) == len(new):
            return new
        stored = set(inserted)
        return [m for m in new if m.message_id in stored]

    def _add_columns(self, table: str, names: set[str]) -> None:
        missing = sorted(n for n in names if n not in self._columns[table])
        for name in missing:
            self.engine.run(sql(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {ident(name)} TEXT"))
            self._columns[table].append(name)

    def _insert(self, text: str, name: str, data: pa.Table) -> None:
        if data.num_rows:
            with self.engine.rows(name, data):
                self.engine.run(sql(text))

    def _write(self, messages: Sequence[Message]) -> dict[str, str]:
        new = self._insert_messages(messages)
        if not new:
            return {}
        touched: dict[str, str] = {}

        def touch(lead_id: str, reason: str) -> None:
            if touched.get(lead_id) != "event":
                touched[lead_id] = reason

        lead_traits = {t for m in new if m.type == "identify" and m.lead_id for t in m.traits if t not in RESERVED_LEAD_FIELDS}
        account_traits = {t for m in new if m.type == "group" for t in m.traits if t != "account_id"}
        self._add_columns("leads", lead_traits)
        self._add_columns("accounts", account_traits)

        first_seen: dict[str, datetime] = {}
        for m in new:
            if m.lead_id is not None:
                first_seen[m.lead_id] = min(first_seen.get(m.lead_id, m.timestamp), m.timestamp)
        self._see_leads(first_seen)

        events = [m for m in new if m.type == "event"]
        own = [m for m in events if m.lead_id is not None]
        anonymous = [m for m in events if m.lead_id is None]
        self._insert(
            "INSERT INTO identified_events SELECT lead_id, event_id, event, timestamp, properties, received_at FROM __ls_events "
            "ON CONFLICT DO NOTHING",
            "__ls_events",
            self._event_rows(own, "lead_id"),
        )
        self._insert(
            "INSERT INTO anonymous_events SELECT anonymous_id, event_id, event, timestamp, properties, received_at FROM __ls_anon "
            "ON CONFLICT DO NOTHING",
            "__ls_anon",
            self._event_rows(anonymous, "anonymous_id"),
        )
        for m in own:
            touch(m.lead_id or "", "event")
        links: dict[str, Message] = {}
        for m in new:
            if m.link and m.lead_id and (m.link not in links or m.timestamp < links[m.link].timestamp):
                links[m.link] = m
        if links:
            self._insert(
                "INSERT INTO identities SELECT anonymous_id, lead_id, linked_at FROM __ls_links ON CONFLICT DO NOTHING",
                "__ls_links",
                _arrow({
                    "anonymous_id": (pa.string(), list(links)),
                    "lead_id": (pa.string(), [m.lead_id for m in links.values()]),
                    "linked_at": (TS, [m.timestamp for m in links.values()]),
                }),
            )
            for m in links.values():
                touch(m.lead_id or "", "event")

        lead_changes: list[tuple[str, str, str | None, Message]] = []
        account_changes: list[tuple[str, str, str | None, Message]] = []
        groups: set[str] = set()
        for m in new:
            if m.type == "identify" and m.lead_id is not None:
                for name, value in m.traits.items():
                    lead_changes.append((m.lead_id, name, _text_value(value), m))
                    if name == "account_id" and value is not None:
                        groups.add(_text_value(value) or "")
            elif m.type == "group" and m.group_id is not None:
                groups.add(m.group_id)
                if m.lead_id is not None:
                    lead_changes.append((m.lead_id, "account_id", m.group_id, m))
                for name, value in m.traits.items():
                    if name != "account_id":
                        account_changes.append((m.group_id, name, _text_value(value), m))
        if lead_changes:
            self._record("lead_attributes", "lead_id", lead_changes)
            self._refresh_leads({(lead, name) for lead, name, _, _ in lead_changes})
            for lead, _, _, _ in lead_changes:
                touch(lead, "profile")
        if groups:
            self._insert(
                "INSERT INTO accounts (account_id) SELECT account_id FROM __ls_accounts ON CONFLICT DO NOTHING",
                "__ls_accounts",
                _arrow({"account_id": (pa.string(), sorted(groups))}),
            )
        if account_changes:
            self._record("account_attributes", "account_id", account_changes)
            self._refresh_accounts({(account, name) for account, name, _, _ in account_changes})
            changed_accounts = sorted({a for a, _, _, _ in account_changes})
            for row in self._rows_for("SELECT l.lead_id FROM leads AS l JOIN __ls_ids AS i ON i.id = l.account_id", changed_accounts):
                touch(row["lead_id"], "profile")
        return touched

    def _see_leads(self, first_seen: dict[str, datetime]) -> None:
        if not first_seen:
            return
        rows = _arrow({"lead_id": (pa.string(), list(first_seen)), "first_seen": (TS, list(first_seen.values()))})
        with self.engine.rows("__ls_seen", rows):
            # only the leads first seen now, or seen earlier than known, come back
            changed = self.engine.execute(sql(
                "INSERT INTO lead_seen SELECT lead_id, first_seen FROM __ls_seen ON CONFLICT (lead_id) "
                "DO UPDATE SET first_seen = excluded.first_seen WHERE excluded.first_seen < lead_seen.first_seen RETURNING lead_id"
            )).column(0).to_pylist()
        if not changed:
            return
        with self.engine.rows("__ls_ids", pa.table({"id": pa.array(changed, pa.string())})):
            self.engine.run(sql(
                "INSERT INTO leads (lead_id, created_at) SELECT s.lead_id, s.first_seen FROM lead_seen AS s "
                "JOIN __ls_ids AS i ON i.id = s.lead_id ON CONFLICT DO NOTHING"
            ))
        # created_at follows an earlier first sighting unless a created_at trait was sent
        self._refresh_leads({(lead, "created_at") for lead in changed})

    def _event_rows(self, events: list[Message], key: str) -> pa.Table:
        return _arrow({
            key: (pa.string(), [getattr(m, key) for m in events]),
            "event_id": (pa.string(), [m.event_id or m.message_id for m in events]),
            "event": (pa.string(), [m.event for m in events]),
            "timestamp": (TS, [m.timestamp for m in events]),
            "properties": (pa.string(), [
                json.dumps(m.properties, ensure_ascii=False, separators=(",", ":")) if m.properties is not None else None for m in events
            ]),
            "received_at": (TS, [m.received_at for m in events]),
        })

    def _record(self, table: str, key: str, changes: list[tuple[str, str, str | None, Message]]) -> None:
        self._insert(
            f"INSERT INTO {table} SELECT {key}, field, value, changed_at, received_at, message_id FROM __ls_changes",
            "__ls_changes",
            _arrow({
                key: (pa.string(), [c[0] for c in changes]),
                "field": (pa.string(), [c[1] for c in changes]),
                "value": (pa.string(), [c[2] for c in changes]),
                "changed_at": (TS, [c[3].timestamp for c in changes]),
                "received_at": (TS, [c[3].received_at for c in changes]),
                "message_id": (pa.string(), [c[3].message_id for c in changes]),
            }),
        )

    def _latest(self, history: str, key: str, pairs: set[tuple[str, str]]) -> tuple[list[str], list[str], dict[tuple[str, str], str | None]]:
        ids = sorted({p[0] for p in pairs})
        fields = sorted({p[1] for p in pairs})
        rows = self._rows_for(
            f"SELECT {key}, field, value FROM (SELECT h.{key} AS {key}, h.field AS field, h.value AS value, ROW_NUMBER() OVER "
            f"(PARTITION BY h.{key}, h.field ORDER BY {asof.HISTORY_ORDER}) AS rn FROM {history} AS h JOIN __ls_ids AS i ON i.id = h.{key} "
            f"WHERE {in_list('h.field', fields)}) AS h WHERE rn = 1",
            ids,
        )
        return ids, fields, {(r[key], r["field"]): r["value"] for r in rows}

    def _refresh_leads(self, pairs: set[tuple[str, str]]) -> None:
        """Recompute the current values of the leads table's changed cells from the history."""
        pairs = pairs | {(lead, "created_at") for lead, _ in pairs}
        ids, fields, latest = self._latest("lead_attributes", "lead_id", pairs)
        seen = {
            r["lead_id"]: r["first_seen"]
            for r in self._rows_for("SELECT s.lead_id, s.first_seen FROM lead_seen AS s JOIN __ls_ids AS i ON i.id = s.lead_id", ids)
        }
        columns: dict[str, tuple[pa.DataType, list[Any]]] = {"lead_id": (pa.string(), ids)}
        created = []
        for lead in ids:
            trait = latest.get((lead, "created_at"))
            created.append(parse_moment(trait, "created_at") if trait else seen.get(lead))
        columns["created_at"] = (TS, created)
        for name in fields:
            if name != "created_at":
                columns[name] = (pa.string(), [latest.get((lead, name)) for lead in ids])
        self._upsert("leads", "lead_id", columns)

    def _refresh_accounts(self, pairs: set[tuple[str, str]]) -> None:
        ids, fields, latest = self._latest("account_attributes", "account_id", pairs)
        columns: dict[str, tuple[pa.DataType, list[Any]]] = {"account_id": (pa.string(), ids)}
        for name in fields:
            columns[name] = (pa.string(), [latest.get((account, name)) for account in ids])
        self._upsert("accounts", "account_id", columns)

    def _upsert(self, table: str, key: str, columns: dict[str, tuple[pa.DataType, list[Any]]]) -> None:
        names = list(columns)
        updates = ", ".join(f"{ident(n)} = excluded.{ident(n)}" for n in names if n != key)
        listed = ", ".join(ident(n) for n in names)
        conflict = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        self._insert(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM __ls_upsert ON CONFLICT ({key}) {conflict}",
            "__ls_upsert",
            _arrow(columns),
        )

    # -- bulk import -------------------------------------------------------------------------
    def import_messages(self, messages: Sequence[Message], chunk: int = 5000) -> dict[str, str]:
        touched: dict[str, str] = {}
        for start in range(0, len(messages), chunk):
            touched |= self.write(messages[start : start + chunk])
        return touched

    # -- reading -----------------------------------------------------------------------------
    def lead_exists(self, lead_id: str) -> bool:
        return bool(self._rows(f"SELECT lead_id FROM leads WHERE lead_id = {lit(lead_id)}"))

    def lead_ids(self) -> list[str]:
        return [r["lead_id"] for r in self._rows("SELECT lead_id FROM leads ORDER BY lead_id")]

    def attributes(self, lead_id: str, as_of: datetime) -> tuple[dict[str, Any], str | None]:
        """The lead's traits (and its account id) as they were at ``as_of``."""
        rows = self._rows(
            f"SELECT field, value FROM (SELECT field, value, ROW_NUMBER() OVER (PARTITION BY field ORDER BY {asof.HISTORY_ORDER}) AS rn "
            f"FROM lead_attributes WHERE lead_id = {lit(lead_id)} AND changed_at <= {moment(as_of)}) AS h WHERE rn = 1 ORDER BY field"
        )
        values = {r["field"]: r["value"] for r in rows if r["value"] is not None}
        account = values.pop("account_id", None)
        return values, account

    def scorer(self, card: Scorecard, as_of: datetime, lead_ids: Sequence[str] | None = None) -> Scorer:
        """A Scorer of ``card`` over this store as it was at ``as_of`` (only ``lead_ids`` when given)."""
        return Scorer(card, self.engine, asof.sources_at(card, as_of, lead_ids))

    def score(self, card: Scorecard, as_of: datetime, lead_ids: Sequence[str] | None = None) -> pa.Table:
        """The batch contract's rows for every lead (or ``lead_ids``) at ``as_of``, exactly."""
        ids = list(lead_ids) if lead_ids is not None else None
        return self.scorer(card, as_of, ids).score(as_of, ids)

    # -- scores and their history ------------------------------------------------------------
    def current_scores(self, scorecard: str, lead_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        where = f"scorecard = {lit(scorecard)}"
        if lead_ids is not None:
            where += f" AND {in_list('lead_id', lead_ids)}"
        return self._rows(f"SELECT * FROM scores WHERE {where}")

    def stored_scores(self, lead_id: str) -> list[dict[str, Any]]:
        """The lead's stored current scores, one row per scorecard."""
        return self._rows(f"SELECT * FROM scores WHERE lead_id = {lit(lead_id)}")

    def score_prepared(self, prepared: PreparedScore, as_of: datetime, lead_ids: Sequence[str] | None = None) -> pa.Table:
        """``score`` through a prepared query (compiled and rendered once per scorecard version)."""
        return prepared.score(self.engine, as_of, lead_ids)

    def save_scores(
        self, version: ScorecardVersion, scored: pa.Table, reasons: dict[str, str], at: datetime, default: str = "event"
    ) -> int:
        """Upsert the current scores of ``scored`` (the scoring query's rows); write a history row
        where the score, grade, level, stage or label changed, with the lead's reason in ``reasons``
        (else ``default``; ``scorecard`` where the stored score is of another version).
        Set-based: two statements joining the rows with the stored scores. Returns the history rows."""
        if not scored.num_rows:
            return 0
        ids = scored.column("lead_id").to_pylist()
        rule_names = [c for c in scored.column_names if c.startswith(("fit.", "engagement."))]
        rule_values = [scored.column(c).to_pylist() for c in rule_names]
        rules = [json.dumps(dict(zip(rule_names, values, strict=True)), sort_keys=True) for values in zip(*rule_values, strict=True)] \
            if rule_names else ["{}"] * len(ids)
        reason = [reasons.get(i, default) for i in ids] if reasons else [default] * len(ids)
        data = _arrow({
            "lead_id": (pa.string(), ids),
            "scorecard": (pa.string(), [version.name] * len(ids)),
            "version": (pa.int64(), [version.version] * len(ids)),
            **{k: _column(k, scored.column(k).to_pylist()) for k in OUTPUT_FIELDS},
            "rules": (pa.string(), rules),
            "scored_at": (TS, [at] * len(ids)),
            "reason": (pa.string(), reason),
        })
        with self.engine.transaction(), self.engine.rows("__ls_new", data):
            written = self.engine.execute(sql(_HISTORY_INSERT)).num_rows
            self.engine.run(sql(_SCORES_UPSERT))
        return written

    def history(self, lead_id: str, scorecard: str | None = None) -> list[dict[str, Any]]:
        where = f"lead_id = {lit(lead_id)}"
        if scorecard is not None:
            where += f" AND scorecard = {lit(scorecard)}"
        return self._rows(
            "SELECT changed_at, scorecard, version, score, grade, level, priority, stage, label, reason FROM score_history "
            f"WHERE {where} ORDER BY changed_at, scorecard"
        )

    # -- scorecard versions ------------------------------------------------------------------
    def _version(self, row: dict[str, Any]) -> ScorecardVersion:
        return ScorecardVersion(row["name"], int(row["version"]), row["yaml"], row["status"], row["created_at"], row["activated_at"])

    def scorecards(self, name: str | None = None) -> list[ScorecardVersion]:
        where = f" WHERE name = {lit(name)}" if name is not None else ""
        return [self._version(r) for r in self._rows(f"SELECT * FROM scorecards{where} ORDER BY name, version")]

    def scorecard(self, name: str, version: int) -> ScorecardVersion:
        rows = self._rows(f"SELECT * FROM scorecards WHERE name = {lit(name)} AND version = {int(version)}")
        if not rows:
            raise NotFoundError(f"no scorecard {name!r} version {version}")
        return self._version(rows[0])

    def active(self) -> list[ScorecardVersion]:
        return [v for v in self.scorecards() if v.status == "active"]

    def add_scorecard(self, text: str, at: datetime, *, filename: str = "<scorecard>") -> tuple[ScorecardVersion, Scorecard]:
        """A new draft version of the scorecard ``text`` names (refused with every problem when invalid)."""
        card = parse_scorecard(text, filename=filename)
        with self.engine.transaction():
            [latest] = self._rows(f"SELECT COALESCE(MAX(version), 0) AS v FROM scorecards WHERE name = {lit(card.name)}")
            version = int(latest["v"]) + 1
            self.engine.run(
                sql("INSERT INTO scorecards (name, version, yaml, status, created_at) VALUES (?, ?, ?, ?, ?)"),
                [(card.name, version, text, "draft", at)],
            )
        return ScorecardVersion(card.name, version, text, "draft", at, None), card

    def find_scorecard(self, text: str, name: str) -> ScorecardVersion | None:
        """The stored version of ``name`` whose YAML is exactly ``text``, if any."""
        rows = self._rows(f"SELECT * FROM scorecards WHERE name = {lit(name)} AND yaml = {lit(text)} ORDER BY version DESC")
        return self._version(rows[0]) if rows else None

    def install(self, text: str, at: datetime, *, filename: str = "<scorecard>") -> tuple[ScorecardVersion, bool]:
        """``serve``'s rule: a scorecard the store does not hold yet becomes the active version of its name.

        Returns the version and whether it was new (a held one is left as it is).
        """
        card = parse_scorecard(text, filename=filename)
        held = self.find_scorecard(text, card.name)
        if held is not None:
            return held, False
        version, _ = self.add_scorecard(text, at, filename=filename)
        return self.activate(version.name, version.version, at), True

    def activate(self, name: str, version: int, at: datetime) -> ScorecardVersion:
        """Make ``version`` the active version of ``name`` (the one active before is retired)."""
        target = self.scorecard(name, version)
        if target.status == "active":
            return target
        with self.engine.transaction():
            self.engine.run(
                sql("UPDATE scorecards SET status = 'retired' WHERE name = ? AND status = 'active'"), [(name,)]
            )
            self.engine.run(
                sql("UPDATE scorecards SET status = 'active', activated_at = ? WHERE name = ? AND version = ?"), [(at, name, version)]
            )
        return self.scorecard(name, version)

    # -- API keys ----------------------------------------------------------------------------
    def create_key(self, scope: str, at: datetime, name: str | None = None) -> tuple[ApiKey, str]:
        """A new key of ``scope``; returns its record and the key itself (stored only hashed)."""
        if scope not in SCOPES:
            raise InputError(f"unknown scope {scope!r}: use one of {', '.join(SCOPES)}")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        key_id = "key_" + secrets.token_hex(6)
        self.engine.run(
            sql("INSERT INTO api_keys (key_id, key_hash, scope, name, created_at) VALUES (?, ?, ?, ?, ?)"),
            [(key_id, hash_key(key), scope, name, at)],
        )
        return ApiKey(key_id, scope, name, at, None), key

    def api_keys(self) -> list[ApiKey]:
        return [
            ApiKey(r["key_id"], r["scope"], r["name"], r["created_at"], r["revoked_at"])
            for r in self._rows("SELECT * FROM api_keys ORDER BY created_at, key_id")
        ]

    def revoke_key(self, key_or_id: str, at: datetime) -> ApiKey:
        """Revoke a key given by its id (``key_...``) or the key itself."""
        where = f"key_id = {lit(key_or_id)} OR key_hash = {lit(hash_key(key_or_id))}"
        rows = self._rows(f"SELECT * FROM api_keys WHERE {where}")
        if not rows:
            raise NotFoundError(f"no API key {key_or_id if key_or_id.startswith('key_') else '(the given key)'}")
        row = rows[0]
        if row["revoked_at"] is None:
            self.engine.run(sql("UPDATE api_keys SET revoked_at = ? WHERE key_id = ?"), [(at, row["key_id"])])
            row["revoked_at"] = at
        return ApiKey(row["key_id"], row["scope"], row["name"], row["created_at"], row["revoked_at"])

    def authenticate(self, key: str) -> ApiKey | None:
        """The live key record of ``key`` (None: unknown or revoked)."""
        rows = self._rows(f"SELECT * FROM api_keys WHERE key_hash = {lit(hash_key(key))} AND revoked_at IS NULL")
        if not rows:
            return None
        r = rows[0]
        return ApiKey(r["key_id"], r["scope"], r["name"], r["created_at"], None)


_NEW_JOIN = "FROM __ls_new AS n LEFT JOIN scores AS s ON s.lead_id = n.lead_id AND s.scorecard = n.scorecard "
_CHANGED = " OR ".join(f"s.{k} IS DISTINCT FROM n.{k}" for k in CHANGE_FIELDS)
_HISTORY_INSERT = (
    "INSERT INTO score_history SELECT n.lead_id, n.scorecard, n.version, n.scored_at, n.fit, n.engagement, n.score, n.grade, "
    "n.level, n.priority, n.stage, n.label, CASE WHEN s.lead_id IS NOT NULL AND s.version <> n.version THEN 'scorecard' "
    f"ELSE n.reason END {_NEW_JOIN}WHERE s.lead_id IS NULL OR {_CHANGED} RETURNING lead_id"
)
"""A history row where a change field differs from the stored score (outputs are rounded by the query)."""
_SCORE_COLUMNS = ("lead_id", "scorecard", "version", *OUTPUT_FIELDS, "rules", "scored_at")
_SCORES_UPSERT = (
    f"INSERT INTO scores ({', '.join(_SCORE_COLUMNS)}) SELECT {', '.join('n.' + c for c in _SCORE_COLUMNS)} {_NEW_JOIN}"
    "WHERE s.lead_id IS NULL OR s.version <> n.version OR s.rules IS DISTINCT FROM n.rules OR "
    + " OR ".join(f"s.{k} IS DISTINCT FROM n.{k}" for k in OUTPUT_FIELDS)
    + " ON CONFLICT (lead_id, scorecard) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _SCORE_COLUMNS if c not in ("lead_id", "scorecard"))
)
"""The current score where anything differs from the stored one (unchanged rows are not rewritten)."""


def _column(name: str, values: list[Any]) -> tuple[pa.DataType, list[Any]]:
    if name in ("fit", "engagement", "score"):
        return pa.float64(), [None if v is None else float(v) for v in values]
    if name == "level":
        return pa.int64(), [None if v is None else int(v) for v in values]
    return pa.string(), [None if v is None else str(v) for v in values]


def grouped(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


__all__ = ["EPOCH", "Store", "hash_key", "is_postgres_url", "open_store"]
