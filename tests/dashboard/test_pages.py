"""The dashboard over HTTP, in process: sign-in and its cookie, CSRF, scopes, the queue's order and filters, validation."""

from __future__ import annotations

import re

from tests.dashboard.conftest import Dashboard


def sign_in(board: Dashboard, scope: str) -> str:
    """Sign in with the key of ``scope``; returns the page's CSRF token."""
    board.client.cookies.clear()
    response = board.client.post("/login", data={"key": board.keys[scope], "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = board.client.get("/")
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def leads_on(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-lead="([^"]+)" data-stage="([^"]+)"', html)


def test_sign_in_sets_an_httponly_samesite_cookie_and_never_puts_the_key_in_a_url(board: Dashboard) -> None:
    c = board.client
    first = c.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login")
    assert c.post("/login", data={"key": "nope"}).status_code == 401
    assert c.post("/login", data={"key": board.keys["ingest"]}).status_code == 403  # an ingest key cannot sign in
    response = c.post("/login", data={"key": board.keys["read"], "next": "//evil.example"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"  # no open redirect
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and board.keys["read"] not in cookie
    page = c.get("/")
    assert page.status_code == 200 and board.keys["read"] not in page.text
    # a revoked key ends the session at once
    key_id = next(k.key_id for k in board.store.api_keys() if k.scope == "read")
    board.client.delete(f"/v1/keys/{key_id}", headers={"Authorization": f"Bearer {board.keys['admin']}"})
    assert c.get("/", follow_redirects=False).status_code == 303
    assert c.get("/ui/queue").status_code == 401


def test_changes_need_the_csrf_token_and_the_workbench_an_admin_key(board: Dashboard) -> None:
    csrf = sign_in(board, "read")
    assert board.client.get("/workbench").status_code == 403
    assert board.client.post("/ui/validate", content="name: x", headers={"X-CSRF-Token": csrf}).status_code == 403
    csrf = sign_in(board, "admin")
    assert board.client.get("/workbench").status_code == 200
    assert board.client.post("/ui/validate", content="name: x").status_code == 403  # no token
    assert board.client.post("/ui/validate", content="name: x", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert board.client.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    assert board.client.post("/ui/validate", content="name: x", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_the_queue_is_in_priority_then_score_order_and_filters(board: Dashboard) -> None:
    sign_in(board, "read")
    shown = leads_on(board.client.get("/").text)
    api = [(r["lead_id"], r["stage"]) for r in board.api("/v1/queue", limit="100")["leads"]]
    assert shown == api and shown[0] == ("maria", "SQL")
    assert leads_on(board.client.get("/ui/queue", params={"stage": "MQL"}).text) == [(i, s) for i, s in api if s == "MQL"]
    assert leads_on(board.client.get("/ui/queue", params={"q": "BETA.example"}).text) == [("ines", "MQL")]
    assert leads_on(board.client.get("/ui/queue", params={"q": "lead-0"}).text)[0][0].startswith("lead-0")
    assert leads_on(board.client.get("/ui/queue", params={"grade": "A"}).text) == [("maria", "SQL"), ("ines", "MQL")]
    row = board.client.get("/").text.split('data-lead="maria"', 1)[1].split("</tr>", 1)[0]
    assert "demo +50" in row and "demo_request" in row  # why hot, last activity


def test_validation_gives_the_line_and_column_of_each_problem(board: Dashboard) -> None:
    csrf = sign_in(board, "admin")
    broken = "name: x\nfit:\n  rules:\n    - {name: a, if: {field: x, equals: 1}, pointz: 3}\n"
    problems = board.client.post("/ui/validate", content=broken, headers={"X-CSRF-Token": csrf}).json()["problems"]
    assert any(p["line"] == 4 and "pointz" in p["message"] for p in problems)


def test_a_lead_page_shows_the_explanation_and_the_exact_as_of(board: Dashboard) -> None:
    sign_in(board, "read")
    page = board.client.get("/leads/maria", params={"as_of": "2026-05-25T00:00:00Z"}).text
    api = board.api("/v1/leads/maria/explain", as_of="2026-05-25T00:00:00Z")
    shown = dict(re.findall(r'data-rule="([^"]+)" data-points="([^"]+)"', page))
    assert shown == {f"{r['dimension']}.{r['rule']}": str(r["points"]) for r in api["rules"]}
    assert 'datetime="2026-05-25T00:00:00+00:00"' in page
    assert board.client.get("/leads/nobody").status_code == 404
