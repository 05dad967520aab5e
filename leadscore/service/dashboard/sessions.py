"""Browser sessions of the dashboard: sign in with an API key, an HttpOnly SameSite cookie, a CSRF token.

The key stays on the server (in memory, with the session); the cookie holds only a random
session id. Each request authenticates the key again, so a revoked key stops a session at
once. Every change (POST) must carry the session's CSRF token (header ``X-CSRF-Token`` or the
form field ``csrf_token``). Sessions live in this process: a restart signs everyone out.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from fastapi.responses import Response

from leadscore.errors import AuthError, ScopeError
from leadscore.store import ApiKey, Store

COOKIE = "leadscore_session"
LIFETIME = timedelta(hours=8)


@dataclass
class Session:
    key: str
    scope: str
    key_name: str | None
    csrf: str
    expires: datetime


class Sessions:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def sign_in(self, key: str) -> tuple[str, Session]:
        """A new session for ``key`` (AuthError when unknown or revoked; an ingest key cannot sign in)."""
        found = self._authenticate(key)
        if found.scope not in ("read", "admin"):
            raise ScopeError("an ingest key cannot sign in: use a read or admin key")
        token = secrets.token_urlsafe(32)
        session = Session(key, found.scope, found.name, secrets.token_urlsafe(32), self.clock() + LIFETIME)
        with self._lock:
            now = self.clock()
            self._sessions = {t: s for t, s in self._sessions.items() if s.expires > now}
            self._sessions[token] = session
        return token, session

    def sign_out(self, request: Request) -> None:
        token = request.cookies.get(COOKIE)
        if token:
            with self._lock:
                self._sessions.pop(token, None)

    def _authenticate(self, key: str) -> ApiKey:
        with self.store.reader() as reading:
            found = reading.authenticate(key)
        if found is None:
            raise AuthError("unknown or revoked API key")
        return found

    def current(self, request: Request) -> Session | None:
        """The request's session, its key still valid (None when signed out, expired or revoked)."""
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
        if session is None or session.expires <= self.clock():
            return None
        try:
            found = self._authenticate(session.key)
        except AuthError:
            with self._lock:
                self._sessions.pop(token, None)
            return None
        request.state.key_id = found.key_id
        return session

    def require(self, request: Request, scope: str, *, change: bool = False) -> Session:
        """The session, or AuthError / ScopeError; for a change, also its CSRF token."""
        session = self.current(request)
        if session is None:
            raise AuthError("sign in first")
        if scope == "admin" and session.scope != "admin":
            raise ScopeError("this needs an admin key")
        if change:
            check_csrf(request, session)
        return session


def check_csrf(request: Request, session: Session, form_token: str | None = None) -> None:
    sent = form_token or request.headers.get("x-csrf-token") or ""
    if not secrets.compare_digest(sent.encode(), session.csrf.encode()):
        raise ScopeError("missing or wrong CSRF token: reload the page")


def set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE, token, max_age=int(LIFETIME.total_seconds()), path="/", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )
