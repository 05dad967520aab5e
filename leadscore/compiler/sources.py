"""What the compiler knows of the input tables: their names and column kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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

    def has(self, column: str) -> bool:
        return column in self.columns

    def kind(self, column: str) -> Kind | None:
        return self.columns.get(column)


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
