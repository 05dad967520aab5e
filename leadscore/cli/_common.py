"""Options, parsing and output shared by the commands."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from leadscore.errors import InputError

err = Console(stderr=True, highlight=False)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)

ScorecardArg = Annotated[Path, typer.Argument(help="The scorecard YAML file.", show_default=False)]
LeadsOpt = Annotated[
    str, typer.Option("--leads", help="Leads: a .csv, .parquet or .jsonl file, or table:NAME in --database.", show_default=False)
]
EventsOpt = Annotated[
    str | None,
    typer.Option(
        "--events",
        help="Events: a .csv, .parquet or .jsonl file, or table:NAME in --database. Leave out for a scorecard of fit rules only.",
        show_default=False,
    ),
]
IdColumnOpt = Annotated[
    str | None,
    typer.Option("--id-column", help="The leads' id column when it is not called lead_id (e.g. 'Prospect ID').", show_default=False),
]
AccountsOpt = Annotated[
    str | None, typer.Option("--accounts", help="Accounts (optional): a file or table:NAME.", show_default=False)
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Score as of this moment (ISO-8601; no offset means UTC). Default: now.", show_default=False),
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Where to score: a DuckDB file (default: DuckDB in memory) or a postgresql:// URL.",
        envvar="LEADSCORE_DATABASE",
        show_default=False,
    ),
]


def parse_as_of(text: str | None) -> datetime:
    """``--as-of`` as an aware UTC datetime; now when not given."""
    if text is None:
        return datetime.now(UTC)
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(f"--as-of {text!r} is not an ISO-8601 timestamp (such as 2026-06-01 or 2026-06-01T12:00:00Z)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def optional(value: Any) -> Any:
    return value if value not in (None, "") else None


def is_interactive() -> bool:
    return sys.stderr.isatty()
