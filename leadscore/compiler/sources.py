"""What the compiler knows of the input tables: their names and column kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp


class Kind(StrEnum):
    """How the compiler treats a column."""

    TEXT = "text"
    NUMBER = "number"
    TIMESTAMP = "timestamp"
    JSON = "json"
    OTHER = "other"


@dataclass(frozen=True)
class Table:
    """One input relation: its (possibly schema-qualified) name and its columns."""

    name: tuple[str, ...]
    columns: dict[str, Kind] = field(default_factory=dict)
    unique_event_ids: bool = False
    """Events only: no (lead_id, event_id) repeats (a key constraint, or the caller says so)."""
    query: exp.Expression | None = field(default=None, compare=False)
    """A relation computed by a query (read as a subquery named ``name``), not a stored table:
    the store's leads, events and accounts as they were at an ``as_of``."""

    def has(self, column: str) -> bool:
        return column in self.columns

    def kind(self, column: str) -> Kind | None:
        return self.columns.get(column)

    @property
    def needs_dedupe(self) -> bool:
        """Events only: whether re-sent copies (same lead and event_id) must be removed."""
        return "event_id" in self.columns and not self.unique_event_ids


@dataclass(frozen=True)
class Sources:
    """The canonical tables a scorecard is compiled against.

    Leads have ``lead_id`` and optionally ``created_at`` and ``account_id``; events have
    ``lead_id``, ``event``, ``timestamp`` and optionally ``event_id`` and ``properties``
    (a JSON object of further properties); accounts have ``account_id``. Ids are text and
    timestamps are time-zone-aware; the io layer makes them so.
    """

    leads: Table
    events: Table
    accounts: Table | None = None


RESERVED_EVENT_COLUMNS = frozenset({"lead_id", "event", "timestamp", "event_id", "properties"})


def default_sources(
    card: object, leads: str, events: str, accounts: str, *, json_properties: bool = False
) -> Sources:
    """Sources for a warehouse whose tables have the canonical columns (for ``leadscore sql``)."""
    from leadscore.spec.scorecard import Scorecard

    assert isinstance(card, Scorecard)
    fields = card.lead_fields()
    lead_columns = {"lead_id": Kind.TEXT, "created_at": Kind.TIMESTAMP, "account_id": Kind.TEXT}
    lead_columns |= {f: Kind.TEXT for f in fields if not f.startswith("account.")}
    account_fields = [f.removeprefix("account.") for f in fields if f.startswith("account.")]
    event_columns = {"lead_id": Kind.TEXT, "event": Kind.TEXT, "timestamp": Kind.TIMESTAMP, "event_id": Kind.TEXT}
    if json_properties:
        event_columns["properties"] = Kind.JSON
    else:
        event_columns |= {p: Kind.TEXT for p in card.event_properties() if p not in RESERVED_EVENT_COLUMNS}
    account_table = Table(_split(accounts), {"account_id": Kind.TEXT} | dict.fromkeys(account_fields, Kind.TEXT)) if account_fields else None
    return Sources(Table(_split(leads), lead_columns), Table(_split(events), event_columns), account_table)


def _split(name: str) -> tuple[str, ...]:
    return tuple(name.split("."))
