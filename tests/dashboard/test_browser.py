"""The dashboard in Chromium (Playwright for Python, Debian's /usr/bin/chromium): what a rep and marketing ops do.

Skipped with the reason when Playwright or Chromium is missing; a failure instead with
LEADSCORE_REQUIRE_CHROMIUM=1 (CI). With LEADSCORE_SCREENSHOTS=1 each page is saved into
docs/screenshots/ (the README's pictures).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.conftest import Dashboard, at

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BROKEN = "name: svc\nfit:\n  rules:\n    - {name: a, if: {field: job_title, equals: x}, points: 5}\n    - {name: b, if: {field: job_title, equals: y}, pointz: 3}\n"


@pytest.fixture
def page(browser: Any, served: Dashboard) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


def shot(tab: Any, name: str) -> None:
    if os.environ.get("LEADSCORE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def sign_in(tab: Any, board: Dashboard, scope: str, path: str = "/") -> None:
    tab.goto(board.url + path)
    tab.get_by_label("API key").fill(board.keys[scope])
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_load_state()


def queue_rows(tab: Any) -> list[tuple[str, str]]:
    return [(r.get_attribute("data-lead"), r.get_attribute("data-stage")) for r in tab.locator("tr[data-lead]").all()]


def test_a_rep_signs_in_sees_the_queue_in_order_and_a_live_event_moves_a_lead_into_sql(page: Any, served: Dashboard) -> None:
    page.goto(served.url + "/login")
    shot(page, "login")
    sign_in(page, served, "read")
    page.wait_for_selector("tr[data-lead]")
    expected = [(r["lead_id"], r["stage"]) for r in served.api("/v1/queue", limit="50")["leads"]]
    assert queue_rows(page) == expected
    assert page.context.cookies()[0]["httpOnly"] and page.context.cookies()[0]["sameSite"] == "Strict"
    shot(page, "queue")
    # bob asks for a demo: he becomes SQL on screen without a reload, and the badge counts him
    served.ingest("batch", {"batch": [
        {"type": "track", "userId": "bob", "event": "demo_request", "timestamp": at(0.1), "messageId": "live-1"},
        *[{"type": "track", "userId": "bob", "event": "page_view", "timestamp": at(0.05), "messageId": f"live-{n}"} for n in (2, 3, 4)],
    ]})
    page.wait_for_selector('tr[data-lead="bob"][data-stage="SQL"]', timeout=15000)
    page.wait_for_function("document.querySelector('#new-badge').textContent.trim().startsWith('1 new')")
    # search filters on the server
    page.get_by_label("Search").fill("ines@")
    page.wait_for_function("document.querySelectorAll('tr[data-lead]').length === 1")
    assert queue_rows(page) == [("ines", "MQL")]
    # the workbench is not for a read key
    assert page.goto(served.url + "/workbench").status == 403
    assert "needs an admin key" in page.locator("main").inner_text()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(served.url + "/")
    page.wait_for_selector("tr[data-lead]")
    shot(page, "queue-phone")


def test_a_lead_page_matches_the_api(page: Any, served: Dashboard) -> None:
    sign_in(page, served, "read", "/leads/maria")
    page.wait_for_selector("#chart canvas")
    explain = served.api("/v1/leads/maria/explain")
    shown = {r.get_attribute("data-rule"): float(r.get_attribute("data-points")) for r in page.locator("tr[data-rule]").all()}
    assert shown == {f"{r['dimension']}.{r['rule']}": r["points"] for r in explain["rules"]}
    history = served.api("/v1/leads/maria/history")["changes"]
    charted = page.evaluate("window.leadscoreChart.data[1]")
    assert charted == [h["score"] for h in history]
    assert page.locator("#summary").get_attribute("data-stage") == explain["score"]["stage"] == "SQL"
    shot(page, "lead")
    # what was the score before the demo request?
    page.get_by_label("What was the score at").fill("2026-05-25T00:00:00Z")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector('time#as-of[datetime="2026-05-25T00:00:00+00:00"]')
    before = served.api("/v1/leads/maria", as_of="2026-05-25T00:00:00Z")["scores"]["svc"]
    assert float(page.locator("#summary").get_attribute("data-score")) == before["score"]


def test_marketing_ops_sees_errors_on_their_line_then_previews_and_activates(page: Any, served: Dashboard) -> None:
    sign_in(page, served, "admin", "/workbench")
    page.wait_for_selector(".cm-content")
    page.wait_for_function("document.querySelector('#status').textContent.startsWith('valid')")
    shot(page, "workbench")
    editor = page.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("name: svc\n")  # typing works; the rest is set at once (the editor indents what is typed)
    page.evaluate("text => window.leadscoreEditor.set(text)", BROKEN)
    page.wait_for_selector("#problems li[data-line='5']")
    marked = page.evaluate(
        "() => { const lines = [...document.querySelectorAll('.cm-line')];"
        " return [...document.querySelectorAll('.cm-lintRange-error')].map(m => lines.indexOf(m.closest('.cm-line')) + 1); }"
    )
    assert 5 in marked and 4 not in marked  # the unknown key is marked on its own line
    assert "pointz" in page.locator("#problems").inner_text()
    shot(page, "workbench-error")
    # a valid change made in the form view: a decision-maker is worth more
    page.goto(served.url + "/workbench")
    page.wait_for_function("document.querySelector('#status').textContent.startsWith('valid')")
    page.get_by_label("points of fit.decision-maker").fill("60")
    page.get_by_label("points of fit.decision-maker").press("Tab")
    page.wait_for_function("document.querySelector('.cm-content').textContent.includes('points: 60')")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_selector("#preview-result")
    changing = int(page.locator("#preview-result").get_attribute("data-changing"))
    assert changing == 1  # ines (a director with two visits) becomes SQL
    shot(page, "preview")
    page.get_by_role("button", name=re.compile("Activate version 2")).click()
    assert f"{changing} lead" in page.locator("#confirm-text").inner_text()
    page.locator("#confirm-ok").click()
    page.wait_for_url(re.compile(r"activated=1"))
    assert page.locator('#versions tr[data-version="2"]').get_attribute("data-status") == "active"
    assert served.api("/v1/scorecards")["scorecards"][-1]["status"] == "active"


def test_reports(page: Any, served: Dashboard) -> None:
    sign_in(page, served, "read", "/reports")
    assert "SQL" in page.locator("#weekly").inner_text()
    shot(page, "reports")
