"""Errors raised by leadscore: the one tree, and what each means at the edges.

    LeadscoreError               exit 1   HTTP 500
      ├ ScorecardError           exit 2   HTTP 422   a scorecard breaks the contract
      ├ InputError               exit 2   HTTP 400   unreadable input, bad column or value
      ├ UnsupportedError         exit 2   HTTP 400   an engine or dialect lacks an operation
      │ └ InvalidMessagesError   exit 2   HTTP 400   ingested messages refused, every problem listed
      ├ UnsupportedError         exit 2   HTTP 400   an engine or dialect lacks an operation
      │ └ StoreVersionError      exit 2   HTTP 503   a store made by a newer leadscore
      ├ NotFoundError            exit 1   HTTP 404   a lead or table that does not exist
      ├ AuthError                exit 2   HTTP 401   no API key, or an unknown or revoked one
      ├ ScopeError               exit 2   HTTP 403   a key without the scope a route needs
      ├ ConflictError            exit 1   HTTP 409   the request conflicts with the stored state
      ├ TooLargeError            exit 2   HTTP 413   a message or request over its size limit
      ├ OverloadedError          exit 1   HTTP 503   the service is busy; ``retry_after`` seconds
      └ EngineError              exit 1   HTTP 503   the database failed; wraps the cause

The CLI reads ``exit_code`` and the service reads ``http_status`` (and ``problems``, and
``retry_after`` when set) from the error; nothing else decides them.

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


class NamesParameters:
    """An exception or warning whose message marks parameters: ``str()`` shows their names,
    ``render(flag)`` shows them as the caller knows them."""

    args: tuple[object, ...]

    @property
    def template(self) -> str:
        """The message with its parameters marked (for ``render``)."""
        return str(self.args[0]) if self.args else ""

    def render(self, name: Callable[[str], str] = str) -> str:
        return render(self.template, name)

    def __str__(self) -> str:
        return self.render()


class LeadscoreError(NamesParameters, Exception):
    """Base of every error leadscore raises on purpose."""

    exit_code: int = 1
    http_status: int = 500
    code: str = "internal"
    """A short machine-readable name of the error (the service's ``error.code``)."""
    retry_after: int | None = None

    def problem_list(self) -> list[dict[str, object]]:
        """The problems behind the error, as JSON objects (the service's ``error.problems``)."""
        return []


class ScorecardError(LeadscoreError):
    """A scorecard was refused; ``problems`` lists every reason."""

    exit_code = 2
    http_status = 422
    code = "invalid_scorecard"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def problem_list(self) -> list[dict[str, object]]:
        return [p.to_dict() for p in self.problems]


class InputError(LeadscoreError):
    """Input data could not be read or does not have what scoring needs."""

    exit_code = 2
    http_status = 400
    code = "invalid_input"


class InvalidMessagesError(InputError):
    """Ingested messages were refused; ``problems`` lists each (``index``, ``path``, ``message``)."""

    code = "invalid_messages"

    def __init__(self, problems: list[dict[str, object]], message: str | None = None) -> None:
        self.problems = problems
        n = len(problems)
        super().__init__(message or f"{n} problem{'s' if n != 1 else ''} in the request; nothing was stored")

    def problem_list(self) -> list[dict[str, object]]:
        return list(self.problems)


class UnsupportedError(LeadscoreError):
    """An engine or SQL dialect cannot do what was asked."""

    exit_code = 2
    http_status = 400
    code = "unsupported"


class StoreVersionError(UnsupportedError):
    """The store was made by a newer leadscore; this one does not know its tables."""

    http_status = 503
    code = "store_version"


class NotFoundError(LeadscoreError):
    """A lead, table or file that was named does not exist."""

    exit_code = 1
    http_status = 404
    code = "not_found"


class AuthError(LeadscoreError):
    """No API key was given, or it is unknown or revoked."""

    exit_code = 2
    http_status = 401
    code = "unauthorized"


class ScopeError(LeadscoreError):
    """The API key lacks the scope the route needs."""

    exit_code = 2
    http_status = 403
    code = "forbidden"


class ConflictError(LeadscoreError):
    """The request conflicts with what is stored (e.g. activating a retired draft's rival)."""

    exit_code = 1
    http_status = 409
    code = "conflict"


class TooLargeError(LeadscoreError):
    """A message or request is over its size limit (or decompresses beyond it)."""

    exit_code = 2
    http_status = 413
    code = "too_large"


class OverloadedError(LeadscoreError):
    """The service cannot take more work now; try again after ``retry_after`` seconds."""

    exit_code = 1
    http_status = 503
    code = "overloaded"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class EngineError(LeadscoreError):
    """The database failed while running a query."""

    exit_code = 1
    http_status = 503
    code = "database"
