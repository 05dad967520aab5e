"""The store's leads, accounts and events exactly as they were at an ``as_of``.

Each is a query table (``compiler.Table`` with ``query``) that the compiled scorecard reads
as a subquery:

- leads: every lead, with the latest value at or before ``as_of`` of each field the
  scorecard reads (``account_id`` from group calls; ``created_at`` from the trait when one
  was sent by then, else the first time the lead was seen);
- accounts: every account, with its traits' latest values at or before ``as_of``;
- events: the lead's own events, and the anonymous events of ids linked to it by an
  identify (or alias) at or before ``as_of``. (The compiler keeps events at or before ``as_of``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from leadscore.compiler.sources import Kind, Sources, Table
from leadscore.spec import Scorecard
from leadscore.store.records import RESERVED_LEAD_FIELDS
from leadscore.store.sql import ident, in_list, lit, moment, sql

HISTORY_ORDER = "changed_at DESC, received_at DESC, message_id DESC"


@dataclass(frozen=True)
class Relation:
    """Lead ids held as rows of the relation ``name`` (column ``id``), not written into the query."""

    name: str


Ids = Sequence[str] | Relation | None


def _in(column: str, ids: Sequence[str] | Relation) -> str:
    if isinstance(ids, Relation):
        return f"{column} IN (SELECT id FROM {ident(ids.name)})"
    return in_list(column, ids)


def _latest_values(history: str, key: str, fields: Sequence[str], as_of: datetime, ids: Ids) -> str:
    """One row per id: the latest value of each field at or before as_of (NULL: never set, or set to null)."""
    where = [f"changed_at <= {moment(as_of)}", in_list("field", fields)]
    if ids is not None:
        where.append(_in(key, ids))
    pivot = ", ".join(f"MAX(CASE WHEN field = {lit(f)} THEN value END) AS {ident(f)}" for f in fields)
    return (
        f"SELECT {key}, {pivot} FROM (SELECT {key}, field, value, ROW_NUMBER() OVER "
        f"(PARTITION BY {key}, field ORDER BY {HISTORY_ORDER}) AS rn FROM {history} WHERE {' AND '.join(where)}) AS h "
        f"WHERE rn = 1 GROUP BY {key}"
    )


def leads_at(fields: Sequence[str], as_of: datetime, ids: Ids = None) -> Table:
    """The leads relation at ``as_of`` with ``fields`` (trait names) as text columns."""
    traits = [f for f in dict.fromkeys(fields) if f not in RESERVED_LEAD_FIELDS]
    read = ["created_at", "account_id", *traits]
    columns = ", ".join(f"p.{ident(f)} AS {ident(f)}" for f in traits)
    text = (
        f"SELECT l.lead_id AS lead_id, COALESCE(CAST(p.created_at AS TIMESTAMPTZ), s.first_seen) AS created_at, "
        f"p.account_id AS account_id{', ' + columns if columns else ''} FROM leads AS l "
        f"LEFT JOIN lead_seen AS s ON s.lead_id = l.lead_id "
        f"LEFT JOIN ({_latest_values('lead_attributes', 'lead_id', read, as_of, ids)}) AS p ON p.lead_id = l.lead_id"
    )
    if ids is not None:
        text += f" WHERE {_in('l.lead_id', ids)}"
    kinds = {"lead_id": Kind.TEXT, "created_at": Kind.TIMESTAMP, "account_id": Kind.TEXT} | dict.fromkeys(traits, Kind.TEXT)
    return Table(("leads_at",), kinds, query=sql(text))


def accounts_at(fields: Sequence[str], as_of: datetime) -> Table:
    """The accounts relation at ``as_of`` with ``fields`` as text columns."""
    traits = [f for f in dict.fromkeys(fields) if f != "account_id"]
    if not traits:
        return Table(("accounts_at",), {"account_id": Kind.TEXT}, query=sql("SELECT account_id FROM accounts"))
    columns = ", ".join(f"p.{ident(f)} AS {ident(f)}" for f in traits)
    text = (
        f"SELECT a.account_id AS account_id, {columns} FROM accounts AS a "
        f"LEFT JOIN ({_latest_values('account_attributes', 'account_id', traits, as_of, None)}) AS p ON p.account_id = a.account_id"
    )
    return Table(("accounts_at",), {"account_id": Kind.TEXT} | dict.fromkeys(traits, Kind.TEXT), query=sql(text))


def events_at(as_of: datetime, ids: Ids = None) -> Table:
    """The events relation at ``as_of``: identified events and anonymous ones linked by then."""
    own = "SELECT lead_id, event, timestamp, event_id, properties FROM identified_events"
    linked = (
        "SELECT i.lead_id AS lead_id, a.event AS event, a.timestamp AS timestamp, a.event_id AS event_id, "
        "a.properties AS properties FROM anonymous_events AS a JOIN identities AS i ON i.anonymous_id = a.anonymous_id "
        f"WHERE i.linked_at <= {moment(as_of)}"
    )
    if ids is not None:
        own += f" WHERE {_in('lead_id', ids)}"
        linked += f" AND {_in('i.lead_id', ids)}"
    kinds = {"lead_id": Kind.TEXT, "event": Kind.TEXT, "timestamp": Kind.TIMESTAMP, "event_id": Kind.TEXT, "properties": Kind.JSON}
    # event ids are message ids (unique) or an import's (lead_id, event_id) key: no re-sent copies
    return Table(("events_at",), kinds, unique_event_ids=True, query=sql(f"{own} UNION ALL {linked}"))


def sources_at(card: Scorecard, as_of: datetime, ids: Ids = None) -> Sources:
    """What ``card`` reads from the store, as it was at ``as_of`` (only ``ids``' rows when given)."""
    fields = card.lead_fields()
    lead_fields = [f for f in fields if not f.startswith("account.")]
    account_fields = [f.removeprefix("account.") for f in fields if f.startswith("account.")]
    accounts = accounts_at(account_fields, as_of) if account_fields else None
    return Sources(leads_at(lead_fields, as_of, ids), events_at(as_of, ids), accounts)
