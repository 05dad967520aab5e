"""What the store takes and gives: messages (already checked), keys, scorecard versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SCOPES = ("ingest", "read", "admin")
RESERVED_LEAD_FIELDS = frozenset({"lead_id", "account_id", "created_at"})
"""Lead columns that are not free traits: account_id comes from group, created_at is a timestamp."""
REASONS = ("event", "profile", "time", "scorecard")
OUTPUT_FIELDS = ("fit", "engagement", "score", "grade", "level", "priority", "stage", "label")
CHANGE_FIELDS = ("score", "grade", "level", "stage", "label")
"""A rescoring that changes one of these (the score rounded to 2 decimals) writes a history row."""


@dataclass
class Message:
    """One Segment-style message, checked and normalized by the service (or made by an import).

    ``type`` is ``event`` (track, page, screen: ``event``/``properties`` set), ``identify``
    (``traits``), ``group`` (``group_id`` and ``traits``) or ``alias``. ``lead_id`` is the
    userId; ``anonymous_id`` the anonymousId; ``link`` an anonymous id that becomes the lead's
    (identify with both ids, alias's previousId) from ``timestamp`` on.
    """

    message_id: str
    type: str
    timestamp: datetime
    received_at: datetime
    lead_id: str | None = None
    anonymous_id: str | None = None
    event: str | None = None
    properties: dict[str, Any] | None = None
    traits: dict[str, Any] = field(default_factory=dict)
    group_id: str | None = None
    link: str | None = None
    body: str | None = None
    kind: str = ""
    """The message's own type as sent (track, page, identify...), for the messages table."""
    event_id: str | None = None
    """The event's id when it is not the message id (an imported file's event_id)."""


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    scope: str
    name: str | None
    created_at: datetime
    revoked_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.key_id, "scope": self.scope, "name": self.name, "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


@dataclass(frozen=True)
class ScorecardVersion:
    name: str
    version: int
    yaml: str
    status: str
    created_at: datetime
    activated_at: datetime | None

    def to_dict(self, *, with_yaml: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name, "version": self.version, "status": self.status, "created_at": self.created_at.isoformat(),
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
        }
        if with_yaml:
            data["yaml"] = self.yaml
        return data
