"""Benchmark the service: ingest events/s (4 clients posting batches of 100), event→score p99, GET lead p99,
activating a new scorecard version against the batch ``leadscore score`` on the same data.

Fills a fresh store (a DuckDB file by default, or ``--store postgresql://...``) with
generated history through ``leadscore import`` (``--prefill`` leads, ~20 events each; 0: an
empty store), times the batch ``leadscore score`` over the store's tables, starts
``leadscore serve`` with the example scorecard in a subprocess, then:

1. ingest: 4 threads post ``/v1/batch`` with 100 track events each for ``--seconds``;
   acknowledged events per second (each acknowledged = committed).
2. event→score: for new leads, the time from posting a demo request until its history row
   (the stored current score changed) is visible; p50 and p99.
3. GET /v1/leads/{id}: p50 and p99 over 200 reads of random leads (stored current scores).
4. activation: a new version of the scorecard (other points) posted and activated (every lead
   rescored), timed, against the batch score time.

    .venv/bin/python benchmarks/bench_service.py [--seconds 10] [--store PATH_OR_URL] [--prefill 10000]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SCORECARD = ROOT / "leadscore" / "examples" / "b2b-saas.yaml"
EVENTS = ["page_view", "email_open", "email_click", "pricing_view", "download"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--store", default=None)
    parser.add_argument("--leads", type=int, default=2000, help="ingest spreads events over this many lead ids")
    parser.add_argument("--prefill", type=int, default=10000, help="leads imported before the run (about 20 events each)")
    args = parser.parse_args()
    from leadscore.sample.generator import generate_sample
    from leadscore.sample.write import write_sample
    from leadscore.store import open_store

    folder = tempfile.mkdtemp(prefix="leadscore-bench-")
    store = args.store or str(Path(folder) / "bench.duckdb")
    with open_store(store) as opened:
        ingest = opened.create_key("ingest", datetime.now(UTC))[1]
        read = opened.create_key("read", datetime.now(UTC))[1]
        admin = opened.create_key("admin", datetime.now(UTC))[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-c", "from leadscore.cli import main; main()"]
    batch_seconds = None
    if args.prefill:
        sample = generate_sample(args.prefill, as_of=datetime.now(UTC), events_per_lead_mean=20.0)
        paths = write_sample(sample, Path(folder) / "sample", "parquet")
        t0 = time.monotonic()
        subprocess.run([*cli, "import", "--store", store, "--leads", str(paths["leads"]), "--events", str(paths["events"]),
                        "--accounts", str(paths["accounts"])], env=env, check=True)
        print(f"prefill: {sample.leads.num_rows} leads, {sample.events.num_rows} events imported in {time.monotonic() - t0:.1f}s")
        t0 = time.monotonic()
        subprocess.run([*cli, "score", str(SCORECARD), "--leads", "table:leads", "--events", "table:events", "--accounts", "table:accounts",
                        "--database", store, "--output", str(Path(folder) / "scores.parquet")], env=env, check=True, capture_output=True)
        batch_seconds = time.monotonic() - t0
        print(f"batch leadscore score over the store: {batch_seconds:.1f}s")
    port = _port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-c", "from leadscore.cli import main; main()", "serve", str(SCORECARD), "--store", store, "--port", str(port),
         "--log-level", "warning"], env=env,
    )
    try:
        for _ in range(3000):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(timeout=600) as http:  # the first sweep scores every imported lead
            http.post(f"{url}/v1/sweep", headers={"Authorization": f"Bearer {admin}"})
        acked = [0] * 4
        stop = threading.Event()

        def client(n: int) -> None:
            rng = random.Random(n)
            with httpx.Client(auth=(ingest, ""), timeout=30) as http:
                b = 0
                while not stop.is_set():
                    batch = [{"type": "track", "userId": f"lead-{rng.randrange(args.leads)}", "event": rng.choice(EVENTS),
                              "messageId": f"{n}-{b}-{i}", "properties": {"url": "/pricing"}} for i in range(100)]
                    b += 1
                    if http.post(f"{url}/v1/batch", json={"batch": batch}).status_code == 200:
                        acked[n] += 100

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        print(f"ingest: {sum(acked)} events acknowledged in {elapsed:.1f}s = {sum(acked) / elapsed:.0f} events/s (4 clients, batches of 100)")
        latencies = []
        with httpx.Client(timeout=30) as http:
            for i in range(40):
                lead = f"fresh-{i}"
                sent = time.monotonic()
                http.post(f"{url}/v1/track", json={"userId": lead, "event": "demo_request"}, auth=(ingest, ""))
                while not http.get(f"{url}/v1/leads/{lead}/history", headers={"Authorization": f"Bearer {read}"}).json().get("changes"):
                    time.sleep(0.005)
                latencies.append(time.monotonic() - sent)
            print(f"event→score (history row visible): p50 {_pct(latencies, 0.5):.0f} ms, p99 {_pct(latencies, 0.99):.0f} ms")
            reads = []
            for _ in range(200):
                t0 = time.monotonic()
                assert http.get(f"{url}/v1/leads/lead-{random.randrange(args.leads)}", headers={"Authorization": f"Bearer {read}"}).status_code in (200, 404)
                reads.append(time.monotonic() - t0)
            print(f"GET /v1/leads/{{id}}: p50 {_pct(reads, 0.5):.1f} ms, p99 {_pct(reads, 0.99):.1f} ms")
            admin_auth = {"Authorization": f"Bearer {admin}"}
            text = SCORECARD.read_text().replace("points: 15", "points: 16", 1)
            made = http.post(f"{url}/v1/scorecards", content=text, headers=admin_auth).json()
            t0 = time.monotonic()
            response = http.post(f"{url}/v1/scorecards/{made['name']}/{made['version']}/activate", headers=admin_auth, timeout=3600)
            activation = time.monotonic() - t0
            assert response.status_code == 200, response.text
            ratio = f" = {activation / batch_seconds:.2f}x the batch score" if batch_seconds else ""
            print(f"activate a new version (every lead rescored): {activation:.1f}s{ratio}")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
