"""The service's clock: read here, at the edge, and passed down as moments."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
