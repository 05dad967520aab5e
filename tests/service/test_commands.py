"""keys, import and score on a store: the canonical tables score as the files they came from."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.store import open_store
from leadscore.store.sql import sql
from tests.conftest import GOLDEN

CASE = GOLDEN / "spec-example"
runner = CliRunner()


def test_keys_create_prints_the_key_alone_once(store_target: str) -> None:
    created = runner.invoke(app, ["keys", "create", "--store", store_target, "--scope", "read", "--name", "crm"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("lsk_") and "\n" not in key
    listed = runner.invoke(app, ["keys", "list", "--store", store_target])
    assert "crm" in listed.stdout and key not in listed.stdout
    with open_store(store_target) as store:
        assert store.authenticate(key) is not None
    key_id = listed.stdout.split()[0]
    assert runner.invoke(app, ["keys", "revoke", key_id, "--store", store_target]).exit_code == 0
    with open_store(store_target) as store:
        assert store.authenticate(key) is None
    assert runner.invoke(app, ["keys", "create", "--store", store_target, "--scope", "root"]).exit_code == 2


def test_import_then_score_the_store_as_the_files(store_target: str, tmp_path: Path) -> None:
    args = ["import", "--store", store_target, "--leads", str(CASE / "leads.csv"), "--events", str(CASE / "events.csv")]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0  # again: nothing changes
    with open_store(store_target) as store:
        [count] = store.engine.execute(sql("SELECT COUNT(*) AS n FROM events")).column(0).to_pylist()
    with (CASE / "events.csv").open() as handle:
        assert count == len({(r["lead_id"], r.get("event_id") or i) for i, r in enumerate(csv.DictReader(handle))})
    out_files, out_store = tmp_path / "files.csv", tmp_path / "store.csv"
    common = ["score", str(CASE / "scorecard.yaml"), "--as-of", (CASE / "as_of.txt").read_text().strip()]
    assert runner.invoke(app, [*common, "--leads", str(CASE / "leads.csv"), "--events", str(CASE / "events.csv"), "-o", str(out_files)]).exit_code == 0
    result = runner.invoke(app, [*common, "--leads", "table:leads", "--events", "table:events", "--accounts", "table:accounts",
                                 "--database", store_target, "-o", str(out_store)])
    assert result.exit_code == 0, result.output
    assert out_store.read_text() == out_files.read_text()
    bad = runner.invoke(app, ["import", "--store", store_target, "--events", str(CASE / "leads.csv")])
    assert bad.exit_code == 2 and "missing required columns" in bad.output
