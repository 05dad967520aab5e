"""Options, parsing and output shared by the commands."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from leadscore.errors import render
from leadscore.moments import parse_moment

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


FLAGS = {"outcome_kinds": "--outcome", "unique_events": "--events-unique", "stages": "--stage", "grades": "--grade", "labels": "--label"}
"""Library parameters whose flag is not ``--`` and the parameter's name with dashes."""


def flag(parameter: str) -> str:
    """The command-line flag of a library parameter named in a message (``as_of`` → ``--as-of``)."""
    return FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


def for_user(message: str) -> str:
    """A library message (error or warning) with its parameters written as flags."""
    return render(message, flag)


def now() -> datetime:
    """The clock, read here at the edge (the library below takes moments as arguments)."""
    return datetime.now(UTC)


def parse_as_of(text: str | None, name: str = "as_of") -> datetime:
    """``--as-of`` (or another moment option) as an aware UTC datetime; now when not given."""
    return now() if text is None else parse_moment(text, name)


def optional(value: Any) -> Any:
    return value if value not in (None, "") else None


def is_interactive() -> bool:
    return sys.stderr.isatty()
