"""Errors raised by leadscore: the one tree, and what each means at the edges.

    LeadscoreError               exit 1   HTTP 500
      ├ ScorecardError           exit 2   HTTP 422   a scorecard breaks the contract
      ├ InputError               exit 2   HTTP 400   unreadable input, bad column or value
      ├ UnsupportedError         exit 2   HTTP 400   an engine or dialect lacks an operation
      ├ NotFoundError            exit 1   HTTP 404   a lead or table that does not exist
      └ EngineError              exit 1   HTTP 503   the database failed; wraps the cause

The CLI reads ``exit_code`` and the service reads ``http_status`` from the error class;
nothing else decides them.

Messages name the library's parameters (``as_of``, ``horizon``), never a command-line flag:
a parameter is written ``parameter("as_of")`` inside the message, which ``str()`` shows as
``as_of`` and the CLI shows as its flag (``--as-of``) through ``render``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: never in a message otherwise
_PARAMETER = re.compile(f"{_OPEN}([A-Za-z0-9_]+){_CLOSE}")


def parameter(name: str) -> str:
    """A parameter's name inside a message, shown as the caller knows it (see ``render``)."""
    return f"{_OPEN}{name}{_CLOSE}"


def render(text: str, name: Callable[[str], str] = str) -> str:
    """``text`` with each ``parameter(...)`` written as ``name(parameter)``, and no secret in it."""
    return redact(_PARAMETER.sub(lambda m: name(m.group(1)), text))


_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s'\"]*):[^@\s'\"]*@")
_KEY_PASSWORD = re.compile(r"(?i)(?P<key>\b(?:ssl)?pass(?:word|wd)?|\bpwd)(?P<eq>\s*=\s*)(?P<value>'[^']*'|\"[^\"]*\"|[^&\s'\";]*)")


def redact(text: str) -> str:
    """``text`` with the passwords of connection strings hidden: ``scheme://user:***@host``,
    ``password=***`` (URL query parameters and libpq ``key=value`` strings alike)."""
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}:***@", text)
    return _KEY_PASSWORD.sub(lambda m: f"{m.group('key')}{m.group('eq')}***", text)


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
    http_status: int = 500

    @property
    def template(self) -> str:
        """The message with its parameters marked (for ``render``)."""
        return str(self.args[0]) if self.args else ""

    def render(self, name: Callable[[str], str] = str) -> str:
        return render(self.template, name)

    def __str__(self) -> str:
        return self.render()


class ScorecardError(LeadscoreError):
    """A scorecard was refused; ``problems`` lists every reason."""

    exit_code = 2
    http_status = 422

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(LeadscoreError):
    """Input data could not be read or does not have what scoring needs."""

    exit_code = 2
    http_status = 400


class UnsupportedError(LeadscoreError):
    """An engine or SQL dialect cannot do what was asked."""

    exit_code = 2
    http_status = 400


class NotFoundError(LeadscoreError):
    """A lead, table or file that was named does not exist."""

    exit_code = 1
    http_status = 404


class EngineError(LeadscoreError):
    """The database failed while running a query."""

    exit_code = 1
    http_status = 503
