"""The real server (uvicorn in a subprocess): Segment's and RudderStack's own clients, and kill -9.

Scores read back from the service equal ``leadscore score`` on the store's canonical tables
at the same as_of, on DuckDB (read after the server stops: the file has one owner) and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from leadscore.scoring import score_leads
from leadscore.spec import parse_scorecard
from leadscore.store import open_store
from leadscore.store.sql import sql
from tests.service.conftest import CARD

ROOT = Path(__file__).resolve().parents[2]
T = datetime(2026, 5, 1, 12, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, store: str, card: Path, log: Path) -> None:
        self.store, self.card, self.log = store, card, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-c", "from leadscore.cli import main; main()", "serve", str(self.card), "--store", self.store,
                   "--port", str(self.port), "--sweep-every", "3600", "--log-level", "warning"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("the server did not start: " + self.log.read_text())

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(20)
        self.process = None


@pytest.fixture
def served(store_target: str, card_file: Path, tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    with open_store(store_target) as store:
        keys = {scope: store.create_key(scope, T)[1] for scope in ("ingest", "read")}
    server = Server(store_target, card_file, tmp_path / "server.log").start()
    yield server, keys
    server.stop()


def test_segment_and_rudderstack_clients_then_scores_equal_the_batch_command(served: tuple[Server, dict[str, str]]) -> None:
    from rudderstack.analytics import Client as RudderClient
    from segment.analytics import Client as SegmentClient

    server, keys = served
    errors: list[object] = []
    segment = SegmentClient(keys["ingest"], host=server.url, sync_mode=True, on_error=lambda e, b: errors.append(e), max_retries=1)
    segment.identify("maria", {"job_title": "Director of Sales", "country": "ES"}, timestamp=T)
    segment.group("maria", "acme", {"employees": 250, "name": "Acme"}, timestamp=T)
    segment.track("maria", "demo_request", {"source": "web"}, timestamp=T + timedelta(days=1))
    segment.page("maria", "Docs", "Pricing", {"url": "/pricing"}, timestamp=T + timedelta(days=2))
    segment.track(anonymous_id="anon-7", event="email_open", timestamp=T + timedelta(days=1))
    segment.flush()
    rudder = RudderClient(keys["ingest"], host=server.url, sync_mode=True, gzip=True, on_error=lambda e, b: errors.append(e), max_retries=1)
    rudder.track("bob", "email_open", {"campaign": "may"}, timestamp=T + timedelta(days=2))
    rudder.identify("bob", {"job_title": "VP Engineering"}, anonymous_id="anon-7", timestamp=T + timedelta(days=3))
    rudder.page("bob", name="Home", properties={"url": "/"}, timestamp=T + timedelta(days=3))
    rudder.flush()
    assert not errors
    as_of = T + timedelta(days=10)
    read = {"Authorization": f"Bearer {keys['read']}"}
    got = {}
    for lead in ("maria", "bob"):
        response = httpx.get(f"{server.url}/v1/leads/{lead}", params={"as_of": as_of.isoformat()}, headers=read)
        assert response.status_code == 200, response.text
        got[lead] = response.json()["scores"]["svc"]
    assert got["maria"]["rules"]["fit.big-account"] == 10 and got["maria"]["rules"]["engagement.demo"] == 50
    assert got["bob"]["rules"]["engagement.opener"] == 7  # his own open and the anonymous one, linked
    server.stop()  # a DuckDB file has one owner: read it after the service stops
    rows = score_leads(parse_scorecard(CARD), leads="table:leads", events="table:events", accounts="table:accounts",
                       as_of=as_of, engine=server.store).to_pylist()
    for row in rows:
        service = got[row["lead_id"]]
        assert {k: row[k] for k in service if k in row} == {k: v for k, v in service.items() if k in row}
        assert service["rules"] == {k: v for k, v in row.items() if k.startswith(("fit.", "engagement."))}


def test_kill_9_under_load_loses_no_acknowledged_event(served: tuple[Server, dict[str, str]]) -> None:
    server, keys = served
    acked: set[str] = set()
    sent: list[dict] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(auth=(keys["ingest"], ""), timeout=10) as http:
            batch_no = 0
            while not stop.is_set():
                batch = [{"type": "track", "userId": f"u{n}-{i % 7}", "event": "page_view", "messageId": f"c{n}-b{batch_no}-{i}",
                          "timestamp": (T + timedelta(minutes=i)).isoformat()} for i in range(50)]
                batch_no += 1
                with lock:
                    sent.extend(batch)
                try:
                    response = http.post(f"{server.url}/v1/batch", json={"batch": batch})
                except httpx.HTTPError:
                    return
                if response.status_code == 200:
                    with lock:
                        acked.update(m["messageId"] for m in batch)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60  # kill it while it is busy, once it has acknowledged something
    while time.monotonic() < deadline and len(acked) < 200:
        time.sleep(0.05)
    time.sleep(0.3)
    server.stop(signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(15)
    assert acked, "nothing was acknowledged before the kill"
    # everything acknowledged is there exactly once
    stored = event_ids(server.store)
    assert acked <= set(stored) and len(stored) == len(set(stored))
    # re-sending everything (acknowledged or not) to the restarted server stores each once
    server.start()
    with httpx.Client(auth=(keys["ingest"], ""), timeout=30) as http:
        for start in range(0, len(sent), 500):
            assert http.post(f"{server.url}/v1/batch", json={"batch": sent[start : start + 500]}).status_code == 200
    server.stop()
    stored = event_ids(server.store)
    assert len(stored) == len(set(stored)) == len({m["messageId"] for m in sent})


def event_ids(target: str) -> list[str]:
    with open_store(target) as store:
        return store.engine.execute(sql("SELECT event_id FROM events")).column(0).to_pylist()
