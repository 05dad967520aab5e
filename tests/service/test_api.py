"""The HTTP contract in process (TestClient) on DuckDB and PostgreSQL: ingest, auth, reading, versions."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from leadscore.scoring import score_leads
from leadscore.service import Settings, create_app
from leadscore.store import Store, open_store
from leadscore.store.sql import sql
from tests.service.conftest import CARD

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@dataclass
class Api:
    client: TestClient
    store: Store
    keys: dict[str, str]

    def auth(self, scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[scope]}"}

    def basic(self, scope: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{self.keys[scope]}:".encode()).decode()}

    def send(self, kind: str, body: dict, scope: str = "ingest") -> dict:
        """Send one message and wait until its rescoring is done (each change is its own history row)."""
        response = self.client.post(f"/v1/{kind}", json=body, headers=self.basic(scope))
        assert response.status_code == 200, response.text
        assert self.settled()
        return response.json()

    def settled(self) -> bool:
        return self.client.app.state.service.rescorer.idle(timeout=120)

    def count(self, table: str) -> int:
        return self.store.engine.execute(sql(f"SELECT COUNT(*) AS n FROM {table}")).column(0).to_pylist()[0]


@pytest.fixture
def api(store_target: str) -> Iterator[Api]:
    store = open_store(store_target)
    keys = {scope: store.create_key(scope, NOW, name=f"test {scope}")[1] for scope in ("ingest", "read", "admin")}
    store.install(CARD, NOW)
    app = create_app(store, Settings(sweep_every=3600, clock=lambda: NOW))
    with TestClient(app) as client:
        yield Api(client, store, keys)
        app.state.service.rescorer.idle()
    store.close()


def at(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def test_ingest_then_read_the_score_as_the_batch_command_does(api: Api) -> None:
    api.send("identify", {"userId": "maria", "traits": {"job_title": "VP Marketing"}, "timestamp": at(10), "messageId": "m1"})
    api.send("group", {"userId": "maria", "groupId": "acme", "traits": {"employees": 400}, "timestamp": at(10), "messageId": "m2"})
    api.send("track", {"userId": "maria", "event": "demo_request", "timestamp": at(2), "messageId": "m3"})
    api.send("page", {"userId": "maria", "name": "Pricing", "properties": {"url": "/pricing"}, "timestamp": at(1), "messageId": "m4"})
    api.send("batch", {"batch": [
        {"type": "track", "anonymousId": "a-1", "event": "email_open", "timestamp": at(5), "messageId": "m5"},
        {"type": "track", "anonymousId": "a-1", "event": "email_open", "timestamp": at(4), "messageId": "m6"},
        {"type": "identify", "userId": "bob", "anonymousId": "a-1", "traits": {"job_title": "student"}, "timestamp": at(3), "messageId": "m7"},
    ]})
    lead = api.client.get("/v1/leads/maria", headers=api.auth("read")).json()
    score = lead["scores"]["svc"]
    assert lead["attributes"] == {"job_title": "VP Marketing"} and lead["account_id"] == "acme"
    assert score["rules"] == {"fit.decision-maker": 20, "fit.big-account": 10, "engagement.demo": 50, "engagement.visits": 5, "engagement.opener": 0}
    assert (score["score"], score["grade"], score["level"], score["stage"], score["label"], score["version"]) == (85, "A", 1, "SQL", "hot", 1)
    batch = score_leads(parsed_card(), leads="table:leads", events="table:events", accounts="table:accounts", as_of=NOW, engine=api.store.engine)
    rows = {r["lead_id"]: r for r in batch.to_pylist()}
    assert rows["maria"]["score"] == 85 and rows["bob"]["engagement.opener"] == 7
    bob = api.client.get("/v1/leads/bob", headers=api.auth("read")).json()["scores"]["svc"]
    assert bob["rules"]["engagement.opener"] == 7
    # before bob's identify, the anonymous opens were not his: time travel stays exact
    earlier = api.client.get("/v1/leads/bob", params={"as_of": at(3.5)}, headers=api.auth("read")).json()
    assert earlier["scores"]["svc"]["rules"]["engagement.opener"] == 0
    assert api.client.get("/v1/leads/nobody", headers=api.auth("read")).status_code == 404


def parsed_card():  # the test's scorecard, parsed
    from leadscore.spec import parse_scorecard

    return parse_scorecard(CARD)


def test_resending_a_message_changes_nothing(api: Api) -> None:
    body = {"batch": [
        {"type": "track", "userId": "u", "event": "page_view", "timestamp": at(1), "messageId": "same-1"},
        {"type": "track", "userId": "u", "event": "page_view", "timestamp": at(1), "messageId": "same-2"},
    ]}
    api.send("batch", body)
    api.send("batch", body)
    api.send("track", body["batch"][0] | {"type": "track"})
    assert api.count("events") == 2 and api.count("messages") == 2


def test_timestamps(api: Api) -> None:
    sent = NOW - timedelta(minutes=10)  # the sender's clock is 10 minutes behind
    api.send("batch", {"sentAt": sent.isoformat(), "batch": [
        {"type": "track", "userId": "t", "event": "a", "timestamp": "2026-05-01T10:00:00.123456+02:00", "messageId": "t1"},
        {"type": "track", "userId": "t", "event": "b", "originalTimestamp": (sent - timedelta(minutes=1)).isoformat(), "messageId": "t2"},
        {"type": "track", "userId": "t", "event": "c", "messageId": "t3"},
    ]})
    rows = {r["event"]: r["timestamp"] for r in api.store.engine.execute(sql("SELECT event, timestamp FROM events")).to_pylist()}
    assert rows["a"] == datetime(2026, 5, 1, 8, 0, 0, 123456, tzinfo=UTC)
    assert rows["b"] == NOW - timedelta(minutes=1)
    assert rows["c"] == NOW
    # created_at: the trait when sent, else first seen
    api.send("identify", {"userId": "t", "traits": {"created_at": "2025-01-01T00:00:00Z"}, "messageId": "t4"})
    lead = api.store.engine.execute(sql("SELECT created_at FROM leads WHERE lead_id = 't'")).to_pylist()[0]
    assert lead["created_at"] == datetime(2025, 1, 1, tzinfo=UTC)


def test_a_batch_is_all_or_nothing_with_every_problem(api: Api) -> None:
    body = {"batch": [
        {"type": "track", "userId": "ok", "event": "x", "messageId": "b1"},
        {"userId": "u", "event": "x"},
        {"type": "track", "event": "x"},
        {"type": "track", "userId": "u", "event": "x", "timestamp": "yesterday"},
        {"type": "track", "userId": "u", "event": "x", "properties": [1, 2]},
        {"type": "group", "userId": "u"},
    ]}
    response = api.client.post("/v1/batch", json=body, headers=api.basic("ingest"))
    assert response.status_code == 400
    problems = response.json()["error"]["problems"]
    assert [(p["index"], p["path"]) for p in problems] == [(1, "type"), (2, "userId"), (3, "timestamp"), (4, "properties"), (5, "groupId")]
    assert api.count("messages") == 0


def test_keys_and_scopes_on_every_route(api: Api) -> None:
    c = api.client
    track = {"userId": "k", "event": "x"}
    assert c.post("/v1/track", json=track).status_code == 401
    assert c.post("/v1/track", json=track, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert c.post("/v1/track", json=track | {"writeKey": api.keys["ingest"]}).status_code == 200
    assert c.post("/v1/track", json=track, headers=api.auth("ingest")).status_code == 200
    assert c.post("/v1/track", json=track, headers=api.basic("admin")).status_code == 200
    assert c.post("/v1/track", json=track, headers=api.basic("read")).status_code == 403
    routes = [
        ("get", "/v1/leads/k", "read"), ("get", "/v1/leads/k/history", "read"), ("get", "/v1/leads/k/explain", "read"),
        ("get", "/v1/queue", "read"), ("get", "/v1/scorecards", "admin"), ("get", "/v1/scorecards/svc/1", "admin"),
        ("post", "/v1/scorecards/svc/1/preview", "admin"), ("post", "/v1/scorecards/svc/1/activate", "admin"),
        ("get", "/v1/keys", "admin"), ("post", "/v1/sweep", "admin"),
    ]
    for method, path, scope in routes:
        assert getattr(c, method)(path).status_code == 401, path
        for other in ("ingest", "read", "admin"):
            status = getattr(c, method)(path, headers=api.auth(other)).status_code
            allowed = other == "admin" or other == scope
            assert (status == 403) == (not allowed), (path, other, status)
            assert status < 500
    error = c.get("/v1/leads/k").json()["error"]
    assert set(error) == {"code", "message", "problems"}
    # a revoked key stops working at once
    key_id = next(k.key_id for k in api.store.api_keys() if k.scope == "read")
    assert c.delete(f"/v1/keys/{key_id}", headers=api.auth("admin")).status_code == 200
    assert c.get("/v1/leads/k", headers=api.auth("read")).status_code == 401
    assert c.get("/healthz").json()["status"] == "ok"
    assert "leadscore_http_requests_total" in c.get("/metrics").text
    assert c.get("/openapi.json").json()["paths"]["/v1/batch"]


def test_hostile_bodies_get_4xx_never_500(api: Api) -> None:
    c, h = api.client, api.basic("ingest")
    big = {"userId": "h", "event": "x", "properties": {"blob": "x" * (40 * 1024)}}
    assert c.post("/v1/track", json=big, headers=h).status_code == 413
    huge = {"batch": [{"type": "track", "userId": "h", "event": "x", "properties": {"b": "x" * 20000}}] * 30}
    assert c.post("/v1/batch", json=huge, headers=h).status_code == 413
    bomb = gzip.compress(b'{"batch": [' + b" " * (20 * 1024 * 1024) + b"]}")
    assert c.post("/v1/batch", content=bomb, headers=h | {"Content-Encoding": "gzip"}).status_code == 413
    nested = '{"userId": "h", "event": "x", "properties": ' + '{"a": ' * 5000 + "1" + "}" * 5001
    cases = [
        nested.encode(),
        ('{"userId": "h", "event": "x", "properties": {"a": ' + "[" * 70 + "1" + "]" * 70 + "}}").encode(),
        b'{"userId": "h", "event": "\xff\xfe"}',
        b'{"userId": "h", "event": "x"',
        b"[1, 2]",
        b'{"userId": "h", "event": "x\\u0000"}',
        b'{"userId": "h", "event": "x\\ud800"}',
        b'{"userId": "h", "event": 12}',
        b'{"userId": {"a": 1}, "event": "x"}',
        b'{"userId": "h", "event": "x", "timestamp": 12}',
        b'{"userId": "h", "event": "x", "amount": NaN}',
        b"",
        b'{"userId": "h", "event": "x", "n": 1' + b"0" * 5000 + b"}",
        gzip.compress(b'{"userId": "h", "event": "x"}')[:-8],
    ]
    for body in cases:
        response = c.post("/v1/track", content=body, headers=h | {"Content-Type": "application/json"}
                          | ({"Content-Encoding": "gzip"} if body[:2] == b"\x1f\x8b" else {}))
        assert response.status_code in (400, 413, 422), (body[:60], response.status_code, response.text)
        assert response.json()["error"]["message"]
    assert c.post("/v1/track", content=gzip.compress(b'{"userId": "h", "event": "x"}'), headers=h | {"Content-Encoding": "gzip"}).status_code == 200
    assert c.get("/v1/queue", params={"limit": "many"}, headers=api.auth("read")).status_code == 400
    assert c.get("/v1/leads/h", params={"as_of": "soon"}, headers=api.auth("read")).status_code == 400
    assert api.count("messages") == 1


def test_history_queue_versions_and_sweep(api: Api) -> None:
    c = api.client
    api.send("identify", {"userId": "ann", "traits": {"job_title": "director"}, "timestamp": at(3), "messageId": "h1"})
    api.send("identify", {"userId": "ben", "traits": {"job_title": "intern"}, "timestamp": at(3), "messageId": "h2"})
    api.send("track", {"userId": "ann", "event": "demo_request", "timestamp": at(2), "messageId": "h3"})
    api.send("track", {"userId": "ben", "event": "page_view", "timestamp": at(1), "messageId": "h4"})
    api.send("track", {"userId": "ben", "event": "email_open", "timestamp": at(1), "messageId": "h5"})  # no change: no row
    assert api.settled()
    history = c.get("/v1/leads/ann/history", headers=api.auth("read")).json()["changes"]
    assert [(h["reason"], h["score"], h["stage"]) for h in history] == [("profile", 20, "lead"), ("event", 70, "SQL")]
    assert len(c.get("/v1/leads/ben/history", headers=api.auth("read")).json()["changes"]) == 2
    queue = c.get("/v1/queue", params={"scorecard": "svc"}, headers=api.auth("read")).json()["leads"]
    assert [q["lead_id"] for q in queue] == ["ann", "ben"] and queue[0]["priority"] == "A1"
    assert [q["lead_id"] for q in c.get("/v1/queue", params={"stage": "SQL"}, headers=api.auth("read")).json()["leads"]] == ["ann"]
    explain = c.get("/v1/leads/ann/explain", params={"scorecard": "svc"}, headers=api.auth("read")).json()
    demo = next(r for r in explain["rules"] if r["rule"] == "demo")
    assert demo["fired"] and demo["events"][0]["event"] == "demo_request"
    # nothing moved with time alone: a sweep writes no rows
    assert c.post("/v1/sweep", headers=api.auth("admin")).status_code == 200
    assert len(c.get("/v1/leads/ann/history", headers=api.auth("read")).json()["changes"]) == 2
    # a new version: refused with every problem, or a draft; preview; activate rescored everyone
    bad = c.post("/v1/scorecards", content="name: svc\nfit:\n  rules:\n    - {name: x, if: {field: a, equals: 1}, points: many}\n",
                 headers=api.auth("admin"))
    assert bad.status_code == 422
    problems = bad.json()["error"]["problems"]
    assert all({"line", "column", "path", "message"} <= set(p) for p in problems)
    assert "fit.rules[0].points" in {p["path"] for p in problems} and len(problems) >= 2 and any(p["line"] == 4 for p in problems)
    draft = c.post("/v1/scorecards", content=CARD.replace("min_score: 70", "min_score: 100"), headers=api.auth("admin"))
    assert draft.status_code == 201 and draft.json() == {"name": "svc", "version": 2, "status": "draft"}
    preview = c.post("/v1/scorecards/svc/2/preview", headers=api.auth("admin")).json()
    sql_stage = next(s for s in preview["stages"] if s["stage"] == "SQL")
    assert sql_stage["leaving_leads"] == ["ann"] and sql_stage["draft"] == 0
    assert len(preview["weeks"]) == 8
    assert c.post("/v1/scorecards/svc/2/activate", headers=api.auth("admin")).json()["status"] == "active"
    listed = {(v["version"], v["status"]) for v in c.get("/v1/scorecards", headers=api.auth("admin")).json()["scorecards"]}
    assert listed == {(1, "retired"), (2, "active")}
    last = c.get("/v1/leads/ann/history", params={"scorecard": "svc"}, headers=api.auth("read")).json()["changes"][-1]
    assert (last["reason"], last["version"], last["stage"]) == ("scorecard", 2, "MQL")
    assert c.post("/v1/scorecards/svc/9/activate", headers=api.auth("admin")).status_code == 404


def test_reading_now_serves_the_stored_score_and_computes_what_waits(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    api.send("identify", {"userId": "maria", "traits": {"job_title": "VP Marketing"}, "timestamp": at(10), "messageId": "s1"})
    api.send("track", {"userId": "maria", "event": "demo_request", "timestamp": at(2), "messageId": "s2"})
    now = api.client.get("/v1/leads/maria", headers=api.auth("read")).json()
    live = api.client.get("/v1/leads/maria", params={"as_of": NOW.isoformat()}, headers=api.auth("read")).json()
    assert now["scores"]["svc"] == live["scores"]["svc"]  # the stored row, rules in the card's order
    assert list(now["scores"]["svc"]["rules"]) == ["fit.decision-maker", "fit.big-account", "engagement.demo", "engagement.visits", "engagement.opener"]
    # the stored row is what is served; a lead waiting for the rescorer is scored on the read
    api.store.engine.run(sql("UPDATE scores SET score = 1 WHERE lead_id = 'maria'"))
    assert api.client.get("/v1/leads/maria", headers=api.auth("read")).json()["scores"]["svc"]["score"] == 1
    monkeypatch.setattr(api.client.app.state.service.rescorer, "waiting", lambda lead: lead == "maria")
    waiting = api.client.get("/v1/leads/maria", headers=api.auth("read")).json()
    assert waiting["scores"]["svc"]["score"] == live["scores"]["svc"]["score"] == 70


def test_reading_now_is_exact_for_a_scorecard_that_moves_with_time() -> None:
    from leadscore.spec import parse_scorecard

    card = parse_scorecard(CARD)
    assert not card.moves_with_time()  # stored scores are served as they are
    decaying = parse_scorecard(CARD.replace("engagement:\n", "engagement:\n  decay: {half_life: 7d}\n", 1))
    assert decaying.moves_with_time()  # computed at the read's moment instead
