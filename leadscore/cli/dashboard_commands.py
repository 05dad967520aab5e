"""`leadscore serve-demo`: the service and its dashboard on a store of sample data, with a trickle of live events."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Annotated

import typer

from leadscore.cli import app, handle_errors
from leadscore.cli._common import err, now, out

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@app.command("serve-demo")
@handle_errors
def serve_demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the sample data and the store (remade each time).")] = Path("demo-output"),
    leads_count: Annotated[int, typer.Option("--leads", min=10, help="How many sample leads to make.")] = 2000,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="The port to listen on.")] = 8000,
    every: Annotated[float, typer.Option("--every", help="Seconds between simulated live events (0: none).")] = 2.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the sample data and the live events.")] = 7,
) -> None:
    """Serve the dashboard on sample data: prints the URL and an admin and a read key; stop with Ctrl-C.

    Makes sample leads, accounts and events up to now, imports them into a fresh DuckDB store
    (OUTPUT/store.duckdb) with the example scorecard active, then runs the service while a
    thread sends one of the sample's events, for a random lead, every few seconds.
    """
    import httpx
    import uvicorn

    from leadscore.sample import generate_sample
    from leadscore.service import Settings, create_app
    from leadscore.store import open_store
    from leadscore.store.imports import import_history

    started = now()
    data = generate_sample(leads_count, seed=seed, as_of=started)
    output.mkdir(parents=True, exist_ok=True)
    target = output / "store.duckdb"
    for stale in (target, output / "store.duckdb.wal"):
        stale.unlink(missing_ok=True)
    store = open_store(str(target))
    try:
        import_history(store, leads=data.leads, events=data.events, accounts=data.accounts, at=started)
        store.install((EXAMPLES / "b2b-saas.yaml").read_text(encoding="utf-8"), started, filename="b2b-saas.yaml")
        admin = store.create_key("admin", started, "demo admin")[1]
        read = store.create_key("read", started, "demo sales rep")[1]
        ingest = store.create_key("ingest", started, "demo tracking")[1]
        url = f"http://{host}:{port}/"
        out.print(f"\nleadscore dashboard: {url}\n  admin key (workbench): {admin}\n  read key (sales):      {read}\n", markup=False)
        err.print(f"{leads_count:,} sample leads in {target}; a live event every {every:g}s; Ctrl-C stops")
        stop = threading.Event()

        def trickle() -> None:
            rows = data.events.drop_columns([c for c in ("event_id", "lead_id", "timestamp") if c in data.events.column_names]).to_pylist()
            ids = data.leads.column("lead_id").to_pylist()
            pick = random.Random(seed)
            with httpx.Client(base_url=f"http://{host}:{port}", timeout=10) as client:
                while not stop.wait(every):
                    row = pick.choice(rows)
                    event = row.pop("event")
                    body = {"userId": pick.choice(ids), "event": event, "properties": {k: v for k, v in row.items() if v is not None}}
                    try:
                        client.post("/v1/track", json=body, auth=(ingest, ""))
                    except httpx.HTTPError:
                        continue  # the server is starting or stopping

        if every > 0:
            threading.Thread(target=trickle, name="demo-trickle", daemon=True).start()
        application = create_app(store, Settings())
        try:
            uvicorn.run(application, host=host, port=port, log_config=None, access_log=False, log_level="warning")
        finally:
            stop.set()
    finally:
        store.close()
