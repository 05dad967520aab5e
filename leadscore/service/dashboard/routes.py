"""The dashboard's pages, fragments and actions (added to the service's app by ``install``).

Pages answer HTML and send a signed-out browser to ``/login``; fragments and actions under
``/ui/`` raise the error tree like the API, so their errors are the API's JSON errors.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from leadscore.errors import AuthError, InputError, LeadscoreError, NotFoundError, ScopeError, ScorecardError
from leadscore.moments import parse_moment
from leadscore.service.dashboard.sessions import COOKIE, Session, Sessions, check_csrf, set_cookie
from leadscore.spec import Scorecard, parse_scorecard
from leadscore.store import ScorecardVersion, Store, browse
from leadscore.validation import scorecard_warnings

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 50
MAX_YAML = 256 * 1024

Compare = Callable[[Store, Scorecard, ScorecardVersion, "tuple[ScorecardVersion, Scorecard] | None", datetime, int], dict[str, Any]]


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC") if value.utcoffset() is not None else value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["when"] = _when
    env.filters["number"] = _number
    return env


def why_hot(rules_json: str | None, top: int = 2) -> str:
    """The rules that gave the most points, e.g. ``demo +50 · visits +20``."""
    try:
        rules = json.loads(rules_json or "{}")
    except ValueError:
        return ""
    best = sorted(((v, k.partition(".")[2]) for k, v in rules.items() if isinstance(v, int | float) and v > 0), reverse=True)[:top]
    return " · ".join(f"{name} +{_number(float(points))}" for points, name in best)


def install(app: FastAPI, service: Any, compare: Compare) -> None:
    """Add the dashboard's routes to ``app`` (``service``: the app's ``service.app.Service``)."""
    store, cards, settings = service.store, service.cards, service.settings
    sessions = Sessions(store, settings.clock)
    env = _environment()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="dashboard-static")
    app.state.dashboard_sessions = sessions

    def html(request: Request, template: str, session: Session | None, status: int = 200, **context: Any) -> HTMLResponse:
        body = env.get_template(template).render(request=request, session=session, path=request.url.path, **context)
        return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    def page(request: Request, scope: str) -> Session | Response:
        """The session for a page, or the response that replaces the page (sign in, or not allowed)."""
        session = sessions.current(request)
        if session is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
        if scope == "admin" and session.scope != "admin":
            return html(request, "forbidden.html", session, status=403)
        return session

    def active_cards(reading: Store, name: str | None) -> tuple[list[str], tuple[ScorecardVersion, Scorecard]]:
        """The names of the active scorecards, and the one named (else the first)."""
        active = cards.active(reading)
        if not active:
            raise NotFoundError("no active scorecard")
        chosen = next((a for a in active if a[0].name == name), active[0])
        return [v.name for v, _ in active], chosen

    # -- signing in and out --------------------------------------------------------------------
    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> Response:
        return html(request, "login.html", None, next=_safe_next(next), error=None)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await _form(request)
        key = str(form.get("key") or "").strip()
        target = _safe_next(str(form.get("next") or "/"))
        origin = request.headers.get("origin")
        if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
            return html(request, "login.html", None, status=403, next=target, error="This form must be sent from this site.")
        try:
            token, _ = await asyncio.to_thread(sessions.sign_in, key)
        except (AuthError, ScopeError) as error:
            return html(request, "login.html", None, status=error.http_status, next=target, error=str(error))
        response = RedirectResponse(target, status_code=303)
        set_cookie(request, response, token)
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        session = sessions.current(request)
        if session is not None:
            form = await _form(request)
            check_csrf(request, session, str(form.get("csrf_token") or "") or None)
            sessions.sign_out(request)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # -- the call queue ------------------------------------------------------------------------
    def queue_context(request: Request) -> dict[str, Any]:
        q = request.query_params
        chosen = browse.QueueFilter(
            stages=[q["stage"]] if q.get("stage") else [], grades=[q["grade"]] if q.get("grade") else [],
            labels=[q["label"]] if q.get("label") else [], levels=[int(q["level"])] if q.get("level", "").isdigit() else [],
            owner=q.get("owner") or None, search=q.get("q") or None,
        )
        number = max(int(q["page"]) if q.get("page", "").isdigit() else 1, 1)
        now = settings.clock()
        since = parse_moment(q["since"], "since") if q.get("since") else now
        with store.reader() as reading:
            names, (version, card) = active_cards(reading, q.get("scorecard"))
            rows, total = browse.queue_page(reading, version.name, card.grade_letters(), chosen, (number - 1) * PAGE_SIZE, PAGE_SIZE)
            last = browse.last_events(reading, [r["lead_id"] for r in rows])
            top_stage = card.stages[0].name if card.stages else None
            new = browse.entered_stage_since(reading, version.name, top_stage, since) if top_stage else 0
            has_owner = "owner" in reading.columns("leads")
        for row in rows:
            row["why"] = why_hot(row.get("rules"))
            row["last"] = last.get(row["lead_id"])
        params = {k: v for k, v in q.items() if k not in ("page",) and v}
        return {
            "rows": rows, "total": total, "page": number, "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "card": card, "version": version, "names": names, "filters": dict(q), "since": since.isoformat(), "now": now.isoformat(),
            "new": new, "top_stage": top_stage, "has_owner": has_owner,
            "page_link": lambda n: "/?" + urlencode({**params, "page": n}),
        }

    @app.get("/", include_in_schema=False)
    def queue(request: Request) -> Response:
        session = page(request, "read")
        if not isinstance(session, Session):
            return session
        return html(request, "queue.html", session, **queue_context(request))

    @app.get("/ui/queue", include_in_schema=False)
    def queue_rows(request: Request) -> Response:
        sessions.require(request, "read")
        return html(request, "_queue_rows.html", None, **queue_context(request))

    # -- a lead ---------------------------------------------------------------------------------
    @app.get("/leads/{lead_id}", include_in_schema=False)
    def lead(request: Request, lead_id: str, scorecard: str | None = None, as_of: str | None = None) -> Response:
        session = page(request, "read")
        if not isinstance(session, Session):
            return session
        try:
            at = parse_moment(as_of, "as_of") if as_of else settings.clock()
        except InputError as error:
            return html(request, "message.html", session, status=400, title="Bad date", message=str(error))
        with store.reader() as reading:
            if not reading.lead_exists(lead_id):
                return html(request, "message.html", session, status=404, title="No such lead", message=f"There is no lead {lead_id!r}.")
            names, (version, card) = active_cards(reading, scorecard)
            attributes, account_id = reading.attributes(lead_id, at)
            account = browse.account(reading, account_id) if account_id else {}
            explanation = reading.scorer(card, at, [lead_id]).explain(lead_id, at).to_dict()
            history = [
                {**r, "at": r["changed_at"].isoformat(), "changed_at": r["changed_at"]}
                for r in reading.history(lead_id, version.name)
            ]
            events = browse.lead_events(reading, lead_id, at)
        previous = None
        for row in history:
            row["stage_changed"] = previous is not None and row["stage"] != previous
            row["stage_row"] = previous is None or row["stage_changed"]
            previous = row["stage"]
        chart = [{"at": r["at"], "score": r["score"], "stage": r["stage"], "stage_changed": r["stage_changed"]} for r in history]
        return html(
            request, "lead.html", session, lead_id=lead_id, attributes=attributes, account_id=account_id, account=account,
            explanation=explanation, history=history, chart=chart, events=events, card=card, version=version, names=names,
            as_of=at.isoformat(), asked=as_of,
        )

    # -- the workbench ---------------------------------------------------------------------------
    @app.get("/workbench", include_in_schema=False)
    def workbench(request: Request, scorecard: str | None = None, version: int | None = None) -> Response:
        session = page(request, "admin")
        if not isinstance(session, Session):
            return session
        with store.reader() as reading:
            versions = reading.scorecards()
        if not versions:
            return html(request, "message.html", session, status=404, title="No scorecard", message="The store holds no scorecard.")
        names = list(dict.fromkeys(v.name for v in versions))
        name = scorecard if scorecard in names else names[0]
        mine = [v for v in versions if v.name == name]
        shown = next((v for v in mine if v.version == version), None) or next((v for v in mine if v.status == "active"), mine[-1])
        card = _parsed(shown.yaml)
        return html(request, "workbench.html", session, versions=mine, names=names, name=name, shown=shown, card=card)

    @app.post("/ui/validate", include_in_schema=False)
    async def validate(request: Request) -> dict[str, Any]:
        sessions.require(request, "admin", change=True)
        text = await _text(request)
        try:
            card = parse_scorecard(text, filename="scorecard.yaml")
        except ScorecardError as error:
            return {"ok": False, "problems": error.problem_list(), "warnings": []}
        rules = [
            {"dimension": dimension, "name": rule.name, "points": getattr(rule, "points", None)}
            for dimension, rule in [*(("fit", r) for r in card.fit.rules), *(("engagement", r) for r in card.engagement.rules)]
        ]
        return {"ok": True, "problems": [], "warnings": scorecard_warnings(card), "name": card.name, "rules": rules}

    @app.post("/ui/scorecards", include_in_schema=False, status_code=201)
    async def save_draft(request: Request) -> dict[str, Any]:
        sessions.require(request, "admin", change=True)
        text = await _text(request)
        version, _ = await asyncio.to_thread(store.add_scorecard, text, settings.clock(), filename="scorecard.yaml")
        return {"name": version.name, "version": version.version, "status": version.status}

    @app.post("/ui/scorecards/{name}/{version}/preview", include_in_schema=False)
    def preview(request: Request, name: str, version: int, weeks: int = 8) -> Response:
        sessions.require(request, "admin", change=True)
        if not 1 <= weeks <= 52:
            raise InputError("weeks must be between 1 and 52")
        at = settings.clock()
        with store.reader() as reading:
            draft = reading.scorecard(name, version)
            active = [(v, c) for v, c in cards.active(reading) if v.name == name]
            result = compare(reading, cards.card(draft), draft, active[0] if active else None, at, weeks)
        changing = sum(s["entering"] for s in result["stages"])
        return html(request, "_preview.html", None, result=result, changing=changing)

    @app.post("/ui/scorecards/{name}/{version}/activate", include_in_schema=False)
    def activate(request: Request, name: str, version: int) -> dict[str, Any]:
        sessions.require(request, "admin", change=True)
        store.scorecard(name, version)  # 404 before queueing

        def work() -> tuple[ScorecardVersion, int]:
            active = store.activate(name, version, settings.clock())
            written = service.rescorer.rescore_all("scorecard", [(active, cards.card(active))])
            return active, written

        active, written = service.rescorer.call(work)
        return {**active.to_dict(), "history_rows": written}

    # -- reports ----------------------------------------------------------------------------------
    @app.get("/reports", include_in_schema=False)
    def reports(request: Request, scorecard: str | None = None, weeks: int = 12) -> Response:
        session = page(request, "read")
        if not isinstance(session, Session):
            return session
        weeks = min(max(weeks, 1), 104)
        now = settings.clock()
        with store.reader() as reading:
            names, (version, card) = active_cards(reading, scorecard)
            stage_names = [s.name for s in card.stages]
            handed = stage_names[:-1] if len(stage_names) > 1 else stage_names
            weekly = browse.weekly_entries(reading, version.name, handed, now - timedelta(weeks=weeks))
            tables = {c: browse.breakdown(reading, version.name, c) for c in ("grade", "level", "stage")}
        per_week: dict[str, dict[str, int]] = {}
        for row in weekly:
            per_week.setdefault(row["week"].date().isoformat(), {})[row["stage"]] = int(row["n"])
        return html(
            request, "reports.html", session, card=card, version=version, names=names, tables=tables, per_week=per_week,
            handed=handed, weeks=weeks,
        )


def _safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no //host): no open redirect."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _parsed(text: str) -> Scorecard | None:
    try:
        return parse_scorecard(text, filename="scorecard.yaml")
    except LeadscoreError:
        return None


async def _text(request: Request) -> str:
    raw = await request.body()
    if len(raw) > MAX_YAML:
        raise InputError(f"the scorecard is over {MAX_YAML // 1024} KB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the scorecard is not UTF-8 text") from None


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form (the dashboard's only forms: sign in, sign out), without python-multipart."""
    raw = await request.body()
    if len(raw) > 16 * 1024:
        raise InputError("the form is over 16 KB")
    return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
