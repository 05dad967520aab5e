"""Errors raised by leadscore.

The tree, and what each error means at the edges::

    LeadscoreError               exit 1
      ├ ScorecardError           a scorecard breaks the contract      → exit 2
      ├ InputError               unreadable input, bad column or value → exit 2
      ├ UnsupportedError         an engine or dialect lacks an operation → exit 2
      ├ NotFoundError            a lead or table that does not exist   → exit 1
      └ EngineError              the database failed; wraps the cause  → exit 1

The CLI reads ``exit_code`` from the error class; nothing else decides it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scorecard, with where it is."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }


class LeadscoreError(Exception):
    """Base of every error leadscore raises on purpose."""

    exit_code: int = 1


class ScorecardError(LeadscoreError):
    """A scorecard was refused; ``problems`` lists every reason."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(LeadscoreError):
    """Input data could not be read or does not have what scoring needs."""

    exit_code = 2


class UnsupportedError(LeadscoreError):
    """An engine or SQL dialect cannot do what was asked."""

    exit_code = 2


class NotFoundError(LeadscoreError):
    """A lead, table or file that was named does not exist."""

    exit_code = 1


class EngineError(LeadscoreError):
    """The database failed while running a query."""

    exit_code = 1
