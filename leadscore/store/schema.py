"""The store's tables and their versions: numbered migrations, applied in order when a store opens.

``schema_version`` holds one row per migration applied. A store made by an older leadscore is
brought up to date on open; one made by a newer leadscore is refused (its tables may mean
things this version does not know).
"""

from __future__ import annotations

from leadscore.engines import Engine
from leadscore.errors import StoreVersionError
from leadscore.store.sql import sql

_HISTORY_ORDER = "changed_at DESC, received_at DESC, message_id DESC"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "the canonical tables, attribute history, identities, scores, scorecard versions, keys",
        [
            # the canonical tables the batch commands read (table:leads, table:accounts, table:events)
            "CREATE TABLE leads (lead_id TEXT PRIMARY KEY, created_at TIMESTAMPTZ, account_id TEXT)",
            "CREATE TABLE accounts (account_id TEXT PRIMARY KEY)",
            "CREATE TABLE lead_seen (lead_id TEXT PRIMARY KEY, first_seen TIMESTAMPTZ NOT NULL)",
            "CREATE TABLE messages (message_id TEXT PRIMARY KEY, type TEXT NOT NULL, lead_id TEXT, anonymous_id TEXT, "
            "timestamp TIMESTAMPTZ NOT NULL, received_at TIMESTAMPTZ NOT NULL, body TEXT)",
            "CREATE TABLE identified_events (lead_id TEXT NOT NULL, event_id TEXT NOT NULL, event TEXT NOT NULL, "
            "timestamp TIMESTAMPTZ NOT NULL, properties TEXT, received_at TIMESTAMPTZ, PRIMARY KEY (lead_id, event_id))",
            "CREATE TABLE anonymous_events (anonymous_id TEXT NOT NULL, event_id TEXT NOT NULL, event TEXT NOT NULL, "
            "timestamp TIMESTAMPTZ NOT NULL, properties TEXT, received_at TIMESTAMPTZ, PRIMARY KEY (anonymous_id, event_id))",
            "CREATE TABLE identities (anonymous_id TEXT PRIMARY KEY, lead_id TEXT NOT NULL, linked_at TIMESTAMPTZ NOT NULL)",
            "CREATE VIEW events AS SELECT lead_id, event, timestamp, event_id, properties FROM identified_events "
            "UNION ALL SELECT i.lead_id, a.event, a.timestamp, a.event_id, a.properties "
            "FROM anonymous_events AS a JOIN identities AS i ON i.anonymous_id = a.anonymous_id",
            "CREATE TABLE lead_attributes (lead_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT, "
            "changed_at TIMESTAMPTZ NOT NULL, received_at TIMESTAMPTZ NOT NULL, message_id TEXT NOT NULL)",
            "CREATE INDEX lead_attributes_lead ON lead_attributes (lead_id, field)",
            "CREATE TABLE account_attributes (account_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT, "
            "changed_at TIMESTAMPTZ NOT NULL, received_at TIMESTAMPTZ NOT NULL, message_id TEXT NOT NULL)",
            "CREATE INDEX account_attributes_account ON account_attributes (account_id, field)",
            "CREATE TABLE scorecards (name TEXT NOT NULL, version INTEGER NOT NULL, yaml TEXT NOT NULL, status TEXT NOT NULL, "
            "created_at TIMESTAMPTZ NOT NULL, activated_at TIMESTAMPTZ, PRIMARY KEY (name, version))",
            "CREATE TABLE scores (lead_id TEXT NOT NULL, scorecard TEXT NOT NULL, version INTEGER NOT NULL, fit DOUBLE, "
            "engagement DOUBLE, score DOUBLE, grade TEXT, level BIGINT, priority TEXT, stage TEXT, label TEXT, rules TEXT, "
            "scored_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (lead_id, scorecard))",
            "CREATE TABLE score_history (lead_id TEXT NOT NULL, scorecard TEXT NOT NULL, version INTEGER NOT NULL, "
            "changed_at TIMESTAMPTZ NOT NULL, fit DOUBLE, engagement DOUBLE, score DOUBLE, grade TEXT, level BIGINT, "
            "priority TEXT, stage TEXT, label TEXT, reason TEXT NOT NULL)",
            "CREATE INDEX score_history_lead ON score_history (lead_id, scorecard)",
            "CREATE TABLE api_keys (key_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, name TEXT, "
            "created_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ)",
        ],
    ),
]
LATEST = MIGRATIONS[-1][0]


def current_version(engine: Engine) -> int:
    engine.run(sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, description TEXT, "
                   "applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP)"))
    [value] = engine.execute(sql("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version")).column(0).to_pylist()
    return int(value)


def migrate(engine: Engine, location: str) -> int:
    """Bring the store's tables to the latest version; returns the version it had.

    Raises:
        StoreVersionError: the store was made by a newer leadscore.
    """
    with engine.transaction():
        found = current_version(engine)
        if found > LATEST:
            raise StoreVersionError(
                f"the store {location} has schema version {found}, made by a newer leadscore; this one knows "
                f"versions up to {LATEST}: upgrade leadscore to use it"
            )
        for version, description, statements in MIGRATIONS:
            if version <= found:
                continue
            for statement in statements:
                engine.run(sql(statement))
            engine.run(sql("INSERT INTO schema_version (version, description) VALUES (?, ?)"), [(version, description)])
    return found
