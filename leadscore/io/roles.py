"""The canonical input tables (roles) and the columns each must have: the same on every engine."""

from __future__ import annotations

ROLES = ("leads", "events", "accounts", "outcomes")

REQUIRED = {
    "leads": ("lead_id",),
    "events": ("lead_id", "event", "timestamp"),
    "accounts": ("account_id",),
    "outcomes": ("lead_id", "timestamp"),
}
ID_COLUMNS = frozenset({"lead_id", "account_id", "event_id"})
TIME_COLUMNS = {"leads": ("created_at",), "events": ("timestamp",), "accounts": (), "outcomes": ("timestamp",)}
TEXT_COLUMNS = {"events": ("event",), "outcomes": ("outcome",)}
"""Columns read as text whatever their type in the source."""
NUMBER_COLUMNS = {"outcomes": ("amount",)}
"""Columns that must hold numbers (a value that is not one is a bad row)."""
WHITESPACE = " \t\n\r"
"""What the contract trims around a value; an id of only these characters is blank."""
SHOWN_ROWS = 5
"""How many bad rows an error message lists by number."""


def missing_columns_message(role: str, label: str, missing: list[str], found: list[str]) -> str:
    """The error for a source that lacks required columns: which, what the role needs, what is there."""
    s = "s" if len(missing) > 1 else ""
    names = ", ".join(repr(m) for m in missing)
    listing = ", ".join(found) or "no columns"
    if role == "outcomes":
        return (
            f"{label}: missing column{s} {names}: outcomes need lead_id and timestamp (the time of the outcome), "
            f"optionally outcome (its kind, such as opportunity or won) and amount; found {listing}"
        )
    return f"{label}: missing required column{s} {names} ({role} need {', '.join(REQUIRED[role])}; found {listing})"


def unique_key_covers_event_id(columns: list[str]) -> bool:
    """A unique key on event_id, or on (lead_id, event_id), means no re-sent copies exist."""
    return "event_id" in columns and set(columns) <= {"event_id", "lead_id"}
