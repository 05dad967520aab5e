"""The service's commands: keys, serve, import (a store is a DuckDB file or a PostgreSQL URL)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from leadscore.cli import app, handle_errors
from leadscore.cli._common import AccountsOpt, IdColumnOpt, err, now, optional, out

StoreOpt = Annotated[
    str,
    typer.Option(
        "--store",
        help="The store: a DuckDB file (made when missing) or a postgresql:// URL (tables made when missing).",
        envvar="LEADSCORE_STORE",
        show_default=False,
    ),
]

keys_app = typer.Typer(
    name="keys",
    help="API keys of a store: create (the key is printed once, alone), list, revoke. Scopes: ingest, read, admin.",
    no_args_is_help=True,
)
app.add_typer(keys_app)


@keys_app.command("create")
@handle_errors
def keys_create(
    store: StoreOpt,
    scope: Annotated[str, typer.Option("--scope", help="ingest (send data), read (scores, leads, lists) or admin (everything).")],
    name: Annotated[str | None, typer.Option("--name", help="A label to recognise the key by in 'keys list'.")] = None,
) -> None:
    """Create an API key and print it, alone, once (the store keeps only its hash)."""
    from leadscore.store import open_store

    with open_store(store) as opened:
        record, key = opened.create_key(scope, now(), name)
    typer.echo(key)
    err.print(f"created {record.key_id} ({record.scope}); it is shown only now")


@keys_app.command("list")
@handle_errors
def keys_list(store: StoreOpt) -> None:
    """List the keys: id, scope, name, created and revoked (never the keys themselves)."""
    from leadscore.store import open_store

    with open_store(store) as opened:
        keys = opened.api_keys()
    for key in keys:
        revoked = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active"
        out.print(f"{key.key_id}\t{key.scope}\t{key.name or ''}\t{key.created_at.isoformat()}\t{revoked}", markup=False)


@keys_app.command("revoke")
@handle_errors
def keys_revoke(
    key: Annotated[str, typer.Argument(help="The key's id (key_...) or the key itself.", show_default=False)],
    store: StoreOpt,
) -> None:
    """Revoke a key: it stops working at once."""
    from leadscore.store import open_store

    with open_store(store) as opened:
        record = opened.revoke_key(key, now())
    err.print(f"revoked {record.key_id}")


@app.command()
@handle_errors
def serve(
    store: StoreOpt,
    scorecards: Annotated[
        list[Path] | None,
        typer.Argument(help="Scorecard YAML files; one the store does not hold yet becomes the active version of its name.", show_default=False),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="The port to listen on.")] = 8000,
    sweep_every: Annotated[
        float, typer.Option("--sweep-every", help="Seconds between sweeps that rescore every lead for time-only changes (decay, windows).")
    ] = 900.0,
    queue_size: Annotated[int, typer.Option("--queue-size", help="Ingest requests that may wait for the writer; beyond it: 503 with Retry-After.")] = 256,
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning or error (JSON lines on stderr).")] = "info",
) -> None:
    """Run the HTTP service: Segment-compatible ingest, real-time scores, history, call lists, scorecard versions.

    See docs/service.md. Stop it with Ctrl-C (queued data is committed first).
    """
    import uvicorn

    from leadscore.errors import InputError
    from leadscore.service import Settings, create_app
    from leadscore.store import open_store

    _json_logs(log_level)
    opened = open_store(store)
    try:
        for path in scorecards or []:
            if not path.is_file():
                raise InputError(f"{path}: no such scorecard file")
            version, new = opened.install(path.read_text(encoding="utf-8"), now(), filename=str(path))
            state = "new, active" if new else f"held, {version.status}"
            err.print(f"scorecard {version.name} version {version.version} ({state})")
        if not opened.active():
            raise InputError("no active scorecard in the store: give one, e.g. leadscore serve card.yaml --store STORE")
        application = create_app(opened, Settings(sweep_every=sweep_every, queue_size=queue_size))
        uvicorn.run(application, host=host, port=port, log_config=None, access_log=False, log_level=log_level.lower())
    finally:
        opened.close()


@app.command("import")
@handle_errors
def import_history(
    store: StoreOpt,
    leads: Annotated[str | None, typer.Option("--leads", help="Leads: a .csv, .parquet or .jsonl file (or table:NAME in the store).")] = None,
    events: Annotated[str | None, typer.Option("--events", help="Events: a file or table:NAME; idempotent by event_id.")] = None,
    accounts: AccountsOpt = None,
    id_column: IdColumnOpt = None,
) -> None:
    """Import history into a store with the same checks as 'score'; importing the same rows again changes nothing."""
    from leadscore.errors import InputError
    from leadscore.store import open_store
    from leadscore.store.imports import import_history as run_import

    if not (leads or events or accounts):
        raise InputError("give --leads, --events or --accounts")
    with open_store(store) as opened:
        counts = run_import(opened, leads=optional(leads), events=optional(events), accounts=optional(accounts), at=now(),
                            id_column=id_column)
    err.print("imported " + ", ".join(f"{n} {what}" for what, n in counts.items()) + f" into {store}")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        try:
            data = json.loads(message)
            if not isinstance(data, dict):
                data = {"message": message}
        except ValueError:
            data = {"message": message}
        data = {"time": self.formatTime(record), "level": record.levelname.lower(), "logger": record.name, **data}
        if record.exc_info and record.levelno >= logging.ERROR:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


def _json_logs(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
