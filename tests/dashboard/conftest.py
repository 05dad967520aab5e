"""A service over a DuckDB store with a few leads, keys of each scope, and (for the browser tests) a real server."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from leadscore.service import Settings, create_app
from leadscore.store import Store, open_store
from tests.service.conftest import CARD

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def at(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


SEED = [  # (kind, body): maria is SQL (A1), ines MQL, bob and the others plain leads
    ("identify", {"userId": "maria", "traits": {"job_title": "VP Marketing", "email": "maria@acme.example"}, "timestamp": at(20)}),
    ("group", {"userId": "maria", "groupId": "acme", "traits": {"employees": 400}, "timestamp": at(20)}),
    ("track", {"userId": "maria", "event": "page_view", "timestamp": at(12)}),
    ("track", {"userId": "maria", "event": "demo_request", "timestamp": at(2)}),
    ("identify", {"userId": "ines", "traits": {"job_title": "Director of Ops", "email": "ines@beta.example"}, "timestamp": at(15)}),
    ("track", {"userId": "ines", "event": "page_view", "timestamp": at(5)}),
    ("track", {"userId": "ines", "event": "page_view", "timestamp": at(4)}),
    ("identify", {"userId": "bob", "traits": {"job_title": "student", "email": "bob@uni.example"}, "timestamp": at(9)}),
    ("track", {"userId": "bob", "event": "page_view", "timestamp": at(3)}),
    *[("track", {"userId": f"lead-{i:02d}", "event": "page_view", "timestamp": at(1 + i / 10)}) for i in range(6)],
]


@dataclass
class Dashboard:
    client: httpx.Client
    app: FastAPI
    store: Store
    keys: dict[str, str]
    url: str = ""

    def ingest(self, kind: str, body: dict) -> None:
        response = self.client.post(f"/v1/{kind}", json=body, headers={"Authorization": f"Bearer {self.keys['ingest']}"})
        assert response.status_code == 200, response.text
        assert self.settled()

    def settled(self) -> bool:
        return self.app.state.service.rescorer.idle(timeout=120)

    def api(self, path: str, **params: str) -> dict:
        response = self.client.get(path, params=params, headers={"Authorization": f"Bearer {self.keys['admin']}"})
        assert response.status_code == 200, response.text
        return response.json()


def _seeded(tmp: Path) -> tuple[Store, dict[str, str]]:
    store = open_store(str(tmp / "store.duckdb"))
    keys = {scope: store.create_key(scope, NOW, name=f"{scope} key")[1] for scope in ("ingest", "read", "admin")}
    store.install(CARD, NOW)
    return store, keys


def _fill(board: Dashboard) -> None:
    for n, (kind, body) in enumerate(SEED):
        board.ingest(kind, {**body, "messageId": f"seed-{n}"})


@pytest.fixture
def board(tmp_path: Path) -> Iterator[Dashboard]:
    """The app in process (TestClient), seeded."""
    store, keys = _seeded(tmp_path)
    app = create_app(store, Settings(sweep_every=3600, clock=lambda: NOW))
    with TestClient(app) as client:
        board = Dashboard(client, app, store, keys)
        _fill(board)
        yield board
        board.settled()
    store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the session: Debian's /usr/bin/chromium through Playwright (skipped when either is missing)."""
    required = os.environ.get("LEADSCORE_REQUIRE_CHROMIUM") == "1"
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install playwright)"
    if reason is None and not shutil.which(CHROMIUM):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if reason:
        if required:
            pytest.fail(f"LEADSCORE_REQUIRE_CHROMIUM=1 but {reason}")
        pytest.skip(reason)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def served(tmp_path: Path, browser: object) -> Iterator[Dashboard]:
    """The app behind a real uvicorn server on a free port, seeded (``url`` is its address)."""
    import uvicorn

    store, keys = _seeded(tmp_path)
    started = time.monotonic()
    app = create_app(store, Settings(sweep_every=3600, clock=lambda: NOW + timedelta(seconds=time.monotonic() - started)))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        board = Dashboard(client, app, store, keys, url=f"http://127.0.0.1:{port}")
        _fill(board)
        yield board
        board.settled()
    server.should_exit = True
    thread.join(30)
    store.close()
