"""Benchmark: score N leads and M events with the example scorecard on DuckDB, against a floor.

The floor is the plainest useful query over the same events: read them and sum one column
per lead (``SELECT lead_id, sum(percent) FROM events GROUP BY lead_id``), written to a
Parquet file like the scores are. Both run in fresh subprocesses, one after the other, on
the same Parquet files, so their times and peak memory are comparable within one run.

    .venv/bin/python benchmarks/bench_score.py                      # 1M leads, 20M events
    .venv/bin/python benchmarks/bench_score.py --events 200000000 --leads 10000000 --memory-limit 8GB

Data is generated with DuckDB SQL straight to Parquet (skewed: a few very active leads,
most cold; bursts are not modelled here, volume and skew are what matter for speed) and
cached in benchmarks/data/ by size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCORECARD = ROOT / "leadscore" / "examples" / "b2b-saas.yaml"
AS_OF = datetime(2026, 6, 1, 12, tzinfo=UTC)

EVENT_TYPES = [  # (type, share of events)
    ("page_view", 0.46), ("email_open", 0.30), ("email_click", 0.08), ("download", 0.05),
    ("form_submit", 0.04), ("webinar", 0.03), ("demo_request", 0.01), ("unsubscribe", 0.01), ("pricing_view", 0.02),
]


def generate(folder: Path, leads: int, events: int, seed: float = 0.42) -> None:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect()
    conn.execute("SET TimeZone='UTC'")
    conn.execute(f"SELECT setseed({seed})")
    accounts = max(leads // 5, 1)
    conn.execute(f"""
        COPY (
          SELECT 'acc-' || i AS account_id,
                 CAST(floor(pow(10, 0.5 + random() * 4)) AS INTEGER) AS employees,
                 (['software','saas','retail','banking','education','it services','manufacturing','e-commerce'])[1 + CAST(floor(random() * 8) AS INTEGER)] AS industry
          FROM range({accounts}) t(i)
        ) TO '{folder}/accounts.parquet' (FORMAT parquet)""")
    conn.execute(f"""
        COPY (
          SELECT 'L' || i AS lead_id,
                 TIMESTAMPTZ '2025-06-01 00:00:00+00' + to_seconds(CAST(random() * 365 * 86400 AS BIGINT)) AS created_at,
                 CASE WHEN random() < 0.8 THEN 'acc-' || CAST(floor(random() * {accounts}) AS BIGINT) END AS account_id,
                 'user' || i || (['@acme.io','@gmail.com','@corp.com','@hotmail.com'])[1 + CAST(floor(random() * 4) AS INTEGER)] AS email,
                 (['Marketing Director','analyst','Head of Growth','VP Sales','student','Gerente General','intern','CEO','manager'])[1 + CAST(floor(random() * 9) AS INTEGER)] AS job_title,
                 (['ES','MX','AR','CO','US','BR','FR','DE','CL'])[1 + CAST(floor(random() * 9) AS INTEGER)] AS country
          FROM range({leads}) t(i)
        ) TO '{folder}/leads.parquet' (FORMAT parquet)""")
    cumulative, edges = 0.0, []
    for name, share in EVENT_TYPES:
        cumulative += share
        edges.append((cumulative, name))
    event_case = "CASE " + " ".join(f"WHEN u < {edge:.4f} THEN '{name}'" for edge, name in edges[:-1]) + f" ELSE '{edges[-1][1]}' END"
    # lead index = leads * r^3: the top 1% of leads hold about a fifth of all events
    conn.execute(f"""
        COPY (
          SELECT 'e' || i AS event_id, 'L' || CAST(floor({leads} * pow(random(), 3)) AS BIGINT) AS lead_id,
                 {event_case} AS event,
                 TIMESTAMPTZ '2025-06-01 00:00:00+00' + to_seconds(CAST(random() * 366 * 86400 AS BIGINT)) AS timestamp,
                 CASE WHEN u2 < 0.5 THEN 'free-consultation' WHEN u2 < 0.8 THEN 'newsletter' ELSE 'contact' END AS form,
                 CASE WHEN u2 < 0.15 THEN '/pricing' WHEN u2 < 0.6 THEN '/blog/post' ELSE '/' END AS url,
                 CAST(floor(random() * 101) AS INTEGER) AS percent
          FROM (SELECT i, random() AS u, random() AS u2 FROM range({events}) t(i))
        ) TO '{folder}/events.parquet' (FORMAT parquet, ROW_GROUP_SIZE 1000000)""")
    conn.close()


def child(mode: str, folder: str, memory_limit: str | None, unique: bool) -> None:
    """Run one measured phase; print a JSON line with its time and peak memory."""
    import resource

    started = time.perf_counter()
    out = Path(folder) / f"out-{mode}.parquet"
    if mode == "floor":
        import duckdb

        conn = duckdb.connect()
        if memory_limit:
            conn.execute(f"SET memory_limit='{memory_limit}'")
        conn.execute(
            f"COPY (SELECT lead_id, sum(percent) AS total FROM read_parquet('{folder}/events.parquet') GROUP BY lead_id) "
            f"TO '{out}' (FORMAT parquet)"
        )
    else:
        from leadscore import LeadScorer
        from leadscore.engines.duckdb import DuckDBEngine

        engine = DuckDBEngine(memory_limit=memory_limit, temp_directory=Path(folder) / "spill")
        with LeadScorer(
            SCORECARD,
            leads=Path(folder) / "leads.parquet",
            events=Path(folder) / "events.parquet",
            accounts=Path(folder) / "accounts.parquet",
            engine=engine,
            unique_events=unique,
        ) as scorer:
            scorer.write(out, AS_OF)
        engine.close()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"mode": mode, "seconds": seconds, "peak_bytes": peak}))


def measure(mode: str, folder: Path, memory_limit: str | None, unique: bool = False) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", mode, "--folder", str(folder)]
    if memory_limit:
        command += ["--memory-limit", memory_limit]
    if unique:
        command.append("--events-unique")
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit for both phases, e.g. 8GB")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each phase (the best is reported)")
    parser.add_argument("--child", choices=["floor", "engine"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--events-unique", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder, args.memory_limit, args.events_unique)
        return
    folder = HERE / "data" / f"{args.leads}-{args.events}"
    if not (folder / "events.parquet").exists():
        print(f"generating {args.leads:,} leads and {args.events:,} events in {folder} ...", flush=True)
        started = time.perf_counter()
        generate(folder, args.leads, args.events)
        print(f"  generated in {time.perf_counter() - started:.1f}s", flush=True)
    results: dict[str, dict[str, float]] = {}
    for mode, unique in (("floor", False), ("engine", False), ("engine-unique", True)):
        runs = [measure(mode.split("-")[0], folder, args.memory_limit, unique) for _ in range(args.repeat)]
        results[mode] = min(runs, key=lambda r: r["seconds"])
    floor, engine, unique_run = results["floor"], results["engine"], results["engine-unique"]
    print(f"leads {args.leads:,}  events {args.events:,}  memory limit {args.memory_limit or 'DuckDB default'}")
    rows = [
        ("floor: read events, sum one column per lead", floor),
        ("engine: score, input checks, re-sent events removed", engine),
        ("engine --events-unique: same, no removal of re-sent events", unique_run),
    ]
    for label, result in rows:
        ratio = result["seconds"] / floor["seconds"]
        print(
            f"{label:<60} {result['seconds']:8.2f}s  {ratio:5.2f}x floor  "
            f"{args.events / result['seconds']:>12,.0f} events/s  peak {result['peak_bytes'] / 2**30:5.2f} GiB"
        )


if __name__ == "__main__":
    main()
