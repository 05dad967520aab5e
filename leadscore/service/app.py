"""The HTTP API of docs/service.md (contract: ../shared/spec/service.md), on FastAPI.

Every error leaves through ``_error_response``: ``{"error": {"code", "message", "problems"}}``
with the status of the error's class (errors.py), ``Retry-After`` when it has one, and never
a traceback. The clock is read here (request time) and in the workers, nowhere below.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from leadscore.errors import (
    AuthError,
    InputError,
    InvalidMessagesError,
    LeadscoreError,
    NotFoundError,
    ScopeError,
    TooLargeError,
)
from leadscore.moments import parse_moment
from leadscore.ranking import prioritize
from leadscore.service.clock import now
from leadscore.service.dashboard import install as install_dashboard
from leadscore.service.messages import MAX_REQUEST, decode_body, read_messages
from leadscore.service.metrics import Metrics
from leadscore.service.rescorer import Cards, Rescorer
from leadscore.service.writer import Writer
from leadscore.spec import Scorecard
from leadscore.store import ApiKey, ScorecardVersion, Store
from leadscore.store.records import OUTPUT_FIELDS

log = logging.getLogger("leadscore.service")

INGEST_SCHEMA = {
    "type": "object",
    "description": "A Segment-spec message (or, for /v1/batch, {\"batch\": [message, ...]}).",
    "additionalProperties": True,
}


@dataclass
class Settings:
    sweep_every: float = 900.0
    """Seconds between sweeps that rescore every lead for time-only changes."""
    queue_size: int = 256
    """Ingest requests waiting for the writer before new ones get 503 with Retry-After."""
    max_batch: int = 5000
    """Messages per transaction at most (group commit)."""
    clock: Callable[[], datetime] = field(default=now)


@dataclass
class Service:
    store: Store
    cards: Cards
    writer: Writer
    rescorer: Rescorer
    metrics: Metrics
    settings: Settings


def _error_response(error: LeadscoreError) -> JSONResponse:
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    if error.http_status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Basic realm="leadscore", Bearer'}
    body = {"error": {"code": error.code, "message": str(error), "problems": error.problem_list()}}
    return JSONResponse(body, status_code=error.http_status, headers=headers)


def _http_error(status: int, code: str, message: str, problems: list[dict[str, Any]] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "problems": problems or []}}, status_code=status)


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    """The service over ``store`` (its writer and rescorer start and stop with the app)."""
    settings = settings or Settings()
    metrics = Metrics()
    cards = Cards(store)
    rescorer = Rescorer(store, cards, settings.clock, sweep_every=settings.sweep_every, observe=metrics.rescored)
    writer = Writer(store, rescorer.touch, queue_size=settings.queue_size, max_batch=settings.max_batch, observe=metrics.committed)
    metrics.queue_depth.set_function(writer.depth)
    service = Service(store, cards, writer, rescorer, metrics, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        writer.start()
        rescorer.start()
        rescorer.sweep(wait=False)  # bring every lead's score up to date (imports, new versions)
        log.info(json.dumps({"event": "started", "store": store.engine.name}))
        try:
            yield
        finally:
            writer.stop()
            rescorer.stop()
            log.info(json.dumps({"event": "stopped"}))

    app = FastAPI(
        title="leadscore",
        version="1",
        summary="Segment-compatible ingest, real-time lead scores, scorecard versions.",
        lifespan=lifespan,
    )
    app.state.service = service

    # -- the one place errors become responses -----------------------------------------------
    @app.exception_handler(LeadscoreError)
    async def leadscore_error(request: Request, exc: LeadscoreError) -> JSONResponse:
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"path": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors()]
        return _http_error(400, "invalid_request", "the request's parameters are invalid", problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _http_error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.error(json.dumps({"event": "internal_error", "path": request.url.path, "error": type(exc).__name__}), exc_info=exc)
        return _http_error(500, "internal", "internal error")

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Any]) -> Response:
        started = time.monotonic()
        response: Response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        elapsed = time.monotonic() - started
        metrics.request(request.method, path, response.status_code, elapsed)
        log.info(json.dumps({
            "event": "request", "method": request.method, "route": path, "status": response.status_code,
            "ms": round(elapsed * 1000, 2), "key_id": getattr(request.state, "key_id", None),
        }))
        return response

    # -- keys --------------------------------------------------------------------------------
    def header_key(request: Request) -> str | None:
        header = request.headers.get("authorization")
        if not header:
            return None
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        if scheme.lower() == "basic":
            try:
                user = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                raise AuthError("the Basic credentials are not base64 of 'KEY:'") from None
            if user:
                return user
        raise AuthError("unsupported Authorization header: send the key as the Basic user name or as a Bearer token")

    def authorize(request: Request, key: str | None, scope: str) -> ApiKey:
        if not key:
            raise AuthError("no API key: send it as the Basic user name, as a Bearer token or as writeKey")
        with store.reader() as reading:
            found = reading.authenticate(key)
        if found is None:
            raise AuthError("unknown or revoked API key")
        request.state.key_id = found.key_id
        if found.scope != "admin" and found.scope != scope:
            raise ScopeError(f"this key has the scope {found.scope!r}; this route needs {scope!r}")
        return found

    def need(scope: str) -> Callable[[Request], ApiKey]:
        def dependency(request: Request) -> ApiKey:
            return authorize(request, header_key(request), scope)

        return dependency

    read_key = Depends(need("read"))
    admin_key = Depends(need("admin"))

    async def read_body(request: Request, limit: int = MAX_REQUEST) -> bytes:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise TooLargeError(f"the request is over {limit // 1024} KB")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLargeError(f"the request is over {limit // 1024} KB")
            chunks.append(chunk)
        return b"".join(chunks)

    # -- ingest ------------------------------------------------------------------------------
    async def ingest(kind: str, request: Request) -> dict[str, bool]:
        received = settings.clock()
        key = header_key(request)
        if key is not None:
            await asyncio.to_thread(authorize, request, key, "ingest")
        raw = await read_body(request)
        try:
            body = decode_body(raw, request.headers.get("content-encoding"))
        except InputError:
            if key is None:
                raise AuthError("no API key: send it as the Basic user name, as a Bearer token or as writeKey") from None
            raise
        if key is None:
            body_key = body.get("writeKey") if isinstance(body, dict) else None
            await asyncio.to_thread(authorize, request, body_key if isinstance(body_key, str) else None, "ingest")
        checked = read_messages(body, kind, received)
        problems = store.check_fields(checked.messages)
        if problems:
            raise InvalidMessagesError(problems)
        done = writer.submit(checked.messages)
        await asyncio.wrap_future(done)
        metrics.ingested.inc(len(checked.messages))
        return {"success": True}

    extra = {"requestBody": {"required": True, "content": {"application/json": {"schema": INGEST_SCHEMA}}}}
    for kind in ("track", "page", "screen", "identify", "group", "alias", "batch"):

        def route(kind: str = kind) -> Callable[[Request], Any]:
            async def endpoint(request: Request) -> dict[str, bool]:
                return await ingest(kind, request)

            endpoint.__name__ = f"ingest_{kind}"
            return endpoint

        app.post(
            f"/v1/{kind}", tags=["ingest"], summary=f"Ingest {'a batch of messages' if kind == 'batch' else 'a ' + kind + ' message'}",
            openapi_extra=extra, responses={400: {}, 401: {}, 403: {}, 413: {}, 503: {}},
        )(route())

    # -- reading -----------------------------------------------------------------------------
    def moment(as_of: str | None) -> datetime:
        return parse_moment(as_of, "as_of") if as_of else settings.clock()

    def choose(active: list[tuple[ScorecardVersion, Scorecard]], name: str | None) -> tuple[ScorecardVersion, Scorecard]:
        if name is None:
            if len(active) == 1:
                return active[0]
            names = ", ".join(v.name for v, _ in active) or "none"
            raise InputError(f"name the scorecard: scorecard=NAME (active: {names})")
        for version, card in active:
            if version.name == name:
                return version, card
        raise NotFoundError(f"no active scorecard {name!r}")

    @app.get("/v1/leads/{lead_id}", tags=["read"], summary="A lead's attributes and scores, now or at as_of")
    def get_lead(lead_id: str, as_of: str | None = None, key: ApiKey = read_key) -> dict[str, Any]:
        at = moment(as_of)
        with store.reader() as reading:
            if not reading.lead_exists(lead_id):
                raise NotFoundError(f"no lead {lead_id!r}")
            attributes, account = reading.attributes(lead_id, at)
            # now: the stored current score when it is exact (it includes every acknowledged
            # event once the rescorer has passed, and the scorecard does not move with time);
            # computed here at `at` otherwise: the lead waits for the rescorer, has no stored
            # score under the active version, the score decays or has windows, or at an as_of
            stored = {} if as_of is not None or rescorer.waiting(lead_id) else {r["scorecard"]: r for r in reading.stored_scores(lead_id)}
            scores = {}
            for version, card in cards.active(reading):
                row = stored.get(version.name)
                if row is not None and row["version"] == version.version and not card.moves_with_time():
                    saved = json.loads(row["rules"] or "{}")
                    order = [f"fit.{r.name}" for r in card.fit.rules] + [f"engagement.{r.name}" for r in card.engagement.rules]
                    scores[version.name] = {
                        "version": version.version, **{k: row[k] for k in OUTPUT_FIELDS},
                        "rules": {k: saved[k] for k in order if k in saved}, "scored_at": row["scored_at"].isoformat(),
                    }
                    continue
                rows = reading.score_prepared(cards.prepared(version, reading), at, [lead_id]).to_pylist()
                if rows:
                    row = rows[0]
                    scores[version.name] = {
                        "version": version.version, **{k: row[k] for k in OUTPUT_FIELDS},
                        "rules": {k: v for k, v in row.items() if k.startswith(("fit.", "engagement."))}, "scored_at": at.isoformat(),
                    }
        return {"lead_id": lead_id, "attributes": attributes, "account_id": account, "scores": scores, "as_of": at.isoformat()}

    @app.get("/v1/leads/{lead_id}/explain", tags=["read"], summary="Every rule for one lead: fired, points, decay, events")
    def explain(lead_id: str, scorecard: str | None = None, as_of: str | None = None, key: ApiKey = read_key) -> dict[str, Any]:
        at = moment(as_of)
        with store.reader() as reading:
            if not reading.lead_exists(lead_id):
                raise NotFoundError(f"no lead {lead_id!r}")
            version, card = choose(cards.active(reading), scorecard)
            explanation = reading.scorer(card, at, [lead_id]).explain(lead_id, at).to_dict()
        return {"scorecard": version.name, "version": version.version, **explanation}

    @app.get("/v1/leads/{lead_id}/history", tags=["read"], summary="Each change of a lead's score, oldest first")
    def history(lead_id: str, scorecard: str | None = None, key: ApiKey = read_key) -> dict[str, Any]:
        with store.reader() as reading:
            if not reading.lead_exists(lead_id):
                raise NotFoundError(f"no lead {lead_id!r}")
            rows = reading.history(lead_id, scorecard)
        changes = [{"at": r.pop("changed_at").isoformat(), **r} for r in rows]
        return {"lead_id": lead_id, "changes": changes}

    @app.get("/v1/queue", tags=["read"], summary="The call list: priority (A1 first), then score")
    def call_list(
        scorecard: str | None = None, stage: str | None = None, grade: str | None = None, label: str | None = None,
        level: int | None = None, limit: int = 50, key: ApiKey = read_key,
    ) -> dict[str, Any]:
        if not 1 <= limit <= 10000:
            raise InputError("limit must be between 1 and 10000")
        with store.reader() as reading:
            version, card = choose(cards.active(reading), scorecard)
            rows = reading.current_scores(version.name)
        columns = ["lead_id", *OUTPUT_FIELDS]
        table = pa.table({
            c: pa.array([r[c] for r in rows], pa.float64() if c in ("fit", "engagement", "score") else pa.int64() if c == "level" else pa.string())
            for c in columns
        })
        ordered = prioritize(table, card, stages=[stage] if stage else None, grades=[grade] if grade else None, labels=[label] if label else None)
        leads = [r for r in ordered.to_pylist() if level is None or r["level"] == level][:limit]
        return {"scorecard": version.name, "version": version.version, "leads": leads}

    # -- scorecard versions ------------------------------------------------------------------
    @app.post(
        "/v1/scorecards", tags=["scorecards"], status_code=201, summary="A new draft version (YAML body)",
        openapi_extra={"requestBody": {"required": True, "content": {"application/yaml": {"schema": {"type": "string"}}}}},
        responses={422: {}},
    )
    async def add_scorecard(request: Request, key: ApiKey = admin_key) -> dict[str, Any]:
        raw = await read_body(request)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the scorecard is not UTF-8 text") from None
        version, _ = await asyncio.to_thread(store.add_scorecard, text, settings.clock(), filename="scorecard.yaml")
        return {"name": version.name, "version": version.version, "status": version.status}

    @app.get("/v1/scorecards", tags=["scorecards"], summary="Every scorecard version")
    def list_scorecards(key: ApiKey = admin_key) -> dict[str, Any]:
        with store.reader() as reading:
            return {"scorecards": [v.to_dict() for v in reading.scorecards()]}

    @app.get("/v1/scorecards/{name}/{version}", tags=["scorecards"], summary="One scorecard version, with its YAML")
    def get_scorecard(name: str, version: int, key: ApiKey = admin_key) -> dict[str, Any]:
        with store.reader() as reading:
            return reading.scorecard(name, version).to_dict(with_yaml=True)

    @app.post("/v1/scorecards/{name}/{version}/activate", tags=["scorecards"], summary="Make a version active; rescore every lead")
    def activate(name: str, version: int, key: ApiKey = admin_key) -> dict[str, Any]:
        def work() -> tuple[ScorecardVersion, int]:
            active = store.activate(name, version, settings.clock())
            written = rescorer.rescore_all("scorecard", [(active, cards.card(active))])
            return active, written

        store.scorecard(name, version)  # 404 before queueing
        active, written = rescorer.call(work)
        return {**active.to_dict(), "history_rows": written}

    @app.post("/v1/scorecards/{name}/{version}/preview", tags=["scorecards"], summary="A version against the active one")
    def preview(name: str, version: int, weeks: int = 8, key: ApiKey = admin_key) -> dict[str, Any]:
        if not 1 <= weeks <= 52:
            raise InputError("weeks must be between 1 and 52")
        at = settings.clock()
        with store.reader() as reading:
            draft = reading.scorecard(name, version)
            active = [(v, c) for v, c in cards.active(reading) if v.name == name]
            return compare(reading, cards.card(draft), draft, active[0] if active else None, at, weeks)

    # -- keys and operations -----------------------------------------------------------------
    @app.post("/v1/keys", tags=["keys"], status_code=201, summary="Create an API key (shown once)")
    async def create_key(request: Request, key: ApiKey = admin_key) -> dict[str, Any]:
        raw = await read_body(request, 16 * 1024)
        body = decode_body(raw, request.headers.get("content-encoding")) if raw else {}
        if not isinstance(body, dict) or not isinstance(body.get("scope"), str):
            raise InputError('send {"scope": "ingest|read|admin", "name": "..."}')
        name = body.get("name") if isinstance(body.get("name"), str) else None
        record, secret = await asyncio.to_thread(store.create_key, body["scope"], settings.clock(), name)
        return {**record.to_dict(), "key": secret}

    @app.get("/v1/keys", tags=["keys"], summary="API keys (never the keys themselves)")
    def list_keys(key: ApiKey = admin_key) -> dict[str, Any]:
        with store.reader() as reading:
            return {"keys": [k.to_dict() for k in reading.api_keys()]}

    @app.delete("/v1/keys/{key_id}", tags=["keys"], summary="Revoke an API key at once")
    def revoke_key(key_id: str, key: ApiKey = admin_key) -> dict[str, Any]:
        return store.revoke_key(key_id, settings.clock()).to_dict()

    @app.post("/v1/sweep", tags=["operations"], summary="Rescore every lead now (reason time)")
    def sweep(key: ApiKey = admin_key) -> dict[str, bool]:
        rescorer.sweep(wait=True)
        return {"success": True}

    @app.get("/healthz", tags=["operations"], summary="Liveness and the store's reachability (no key)")
    def healthz() -> dict[str, Any]:
        with store.reader() as reading:
            reading.lead_exists("")
        return {"status": "ok", "queue": writer.depth()}

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    def prometheus() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    install_dashboard(app, service, compare)  # the pages in the browser: docs/dashboard.md
    return app


def compare(
    store: Store, card: Scorecard, draft: ScorecardVersion, active: tuple[ScorecardVersion, Scorecard] | None,
    at: datetime, weeks: int,
) -> dict[str, Any]:
    """A version against the active one on the stored history (a simple, exact comparison).

    Now: how many leads each stage holds under each, and which leads would enter or leave it.
    Per week (the last ``weeks``, each scored exactly as of its end): how many leads reached
    each stage that week (in it at the week's end, not at the previous end) under each.
    """
    def stages(c: Scorecard, moment: datetime) -> dict[str, str]:
        return {r["lead_id"]: r["stage"] for r in store.score(c, moment).to_pylist()}

    def counts(s: dict[str, str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for stage in s.values():
            out[stage] = out.get(stage, 0) + 1
        return out

    new_now = stages(card, at)
    old_now = stages(active[1], at) if active else {}
    names = list(dict.fromkeys([s.name for s in card.stages] + ([s.name for s in active[1].stages] if active else [])))
    per_stage = []
    for name in names:
        entering = sorted(i for i, s in new_now.items() if s == name and old_now.get(i) != name)
        leaving = sorted(i for i, s in old_now.items() if s == name and new_now.get(i) != name)
        per_stage.append({
            "stage": name, "active": counts(old_now).get(name, 0), "draft": counts(new_now).get(name, 0),
            "entering": len(entering), "leaving": len(leaving), "entering_leads": entering[:100], "leaving_leads": leaving[:100],
        })
    ends = [at - timedelta(weeks=k) for k in range(weeks, -1, -1)]
    weekly = []
    previous: dict[str, dict[str, str]] = {}
    for end in ends:
        current = {"draft": stages(card, end), **({"active": stages(active[1], end)} if active else {})}
        if previous:
            row: dict[str, Any] = {"week_end": end.isoformat()}
            for which, now_stages in current.items():
                before = previous[which]
                reached: dict[str, int] = {}
                for lead, stage in now_stages.items():
                    if before.get(lead) != stage:
                        reached[stage] = reached.get(stage, 0) + 1
                row[which] = reached
            weekly.append(row)
        previous = current
    return {
        "name": draft.name, "version": draft.version, "against": active[0].version if active else None,
        "as_of": at.isoformat(), "stages": per_stage, "weeks": weekly,
        "method": "each lead scored exactly at each moment under both versions; a lead reaches a stage in a week when it is "
        "in that stage at the week's end and was not at the previous week's end",
    }
