"""leadscore backtest / thresholds / sample-outcomes: exit status 0, and 2 with a clear message on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from tests.report.conftest import T0, tiny_history, write_csvs

runner = CliRunner()
FAST = ["--no-weekly", "--no-reference", "--horizon", "30d", "--cutoffs", "2026-02-14,2026-03-06"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return write_csvs(tiny_history(), tmp_path)


def _inputs(files: dict[str, Path]) -> list[str]:
    return ["--leads", str(files["leads"]), "--events", str(files["events"]), "--outcomes", str(files["outcomes"])]


def test_backtest_writes_html_and_json(tmp_path: Path, tiny_card: Path, files: dict[str, Path]) -> None:
    html, doc = tmp_path / "report.html", tmp_path / "report.json"
    result = runner.invoke(app, ["backtest", str(tiny_card), *_inputs(files), *FAST, "--report", str(html), "--json", str(doc)])
    assert result.exit_code == 0, result.output
    assert "ROC AUC" in result.output and "tiny" in result.output
    assert html.read_text().startswith("<!DOCTYPE html>") and "<svg" in html.read_text()
    data = json.loads(doc.read_text())
    assert data["leadscore_backtest"] == 1 and data["settings"]["horizon"] == "30d"
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_two_scorecards_on_the_command_line(tmp_path: Path, tiny_card: Path, files: dict[str, Path]) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(tiny_card.read_text().replace("name: tiny", "name: other").replace("min_score: 40", "min_score: 30"))
    result = runner.invoke(app, ["backtest", str(tiny_card), str(other), *_inputs(files), *FAST])
    assert result.exit_code == 0, result.output
    assert "B − A ROC AUC" in result.output and "MQL: B adds" in result.output


def test_unknown_leads_warn_but_succeed(tmp_path: Path, tiny_card: Path, files: dict[str, Path]) -> None:
    outcomes = pd.read_csv(files["outcomes"])
    outcomes.loc[len(outcomes)] = ["nobody", "won", "2026-02-20T00:00:00Z", None]
    outcomes.to_csv(files["outcomes"], index=False)
    result = runner.invoke(app, ["backtest", str(tiny_card), *_inputs(files), *FAST])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "1 outcome" in result.output and "not in the leads table" in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--horizon", "120d"], "runs past the end of the data"),
        (["--outcome", "won"], "no outcome of kind 'won'"),
        (["--outcome", "won"], "choose among these with --outcome"),
        (["--every", "5m"], "--every '5m': unknown unit 'm'"),
    ],
)
def test_bad_options_exit_2(tiny_card: Path, files: dict[str, Path], change: list[str], message: str) -> None:
    args = ["backtest", str(tiny_card), *_inputs(files), "--no-weekly", "--no-reference", "--horizon", "30d"]
    if change[0] != "--every":
        args += ["--cutoffs", "2026-02-14,2026-03-06"]
    result = runner.invoke(app, [*args, *change])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_horizon_longer_than_the_data_exits_2(tiny_card: Path, files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["backtest", str(tiny_card), *_inputs(files), "--horizon", "40w", "--no-weekly", "--no-reference"])
    assert result.exit_code == 2
    assert "horizon (40w) is longer than the data allows" in result.output and "shorter --horizon" in result.output


def test_outcome_column_problems_exit_2(tmp_path: Path, tiny_card: Path) -> None:
    leads = tiny_history()["leads"].assign(Converted=0)
    path = tmp_path / "static.csv"
    leads.to_csv(path, index=False)
    constant = runner.invoke(app, ["backtest", str(tiny_card), "--leads", str(path), "--outcome-column", "Converted"])
    assert constant.exit_code == 2 and "for every lead" in constant.output
    missing = runner.invoke(app, ["backtest", str(tiny_card), "--leads", str(path), "--outcome-column", "Won"])
    assert missing.exit_code == 2 and "no column 'Won'" in missing.output
    neither = runner.invoke(app, ["backtest", str(tiny_card), "--leads", str(path)])
    assert neither.exit_code == 2 and "give the outcomes" in neither.output


def test_outcomes_without_timestamps_exit_2(tmp_path: Path, tiny_card: Path, files: dict[str, Path]) -> None:
    pd.read_csv(files["outcomes"]).drop(columns=["timestamp"]).to_csv(files["outcomes"], index=False)
    result = runner.invoke(app, ["backtest", str(tiny_card), *_inputs(files), *FAST])
    assert result.exit_code == 2
    assert "missing column 'timestamp'" in result.output


def test_thresholds_command(tmp_path: Path, tiny_card: Path, files: dict[str, Path]) -> None:
    out = tmp_path / "thresholds.json"
    result = runner.invoke(app, ["thresholds", str(tiny_card), *_inputs(files), "--capacity", "1/week", "--horizon", "30d", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "proposed SQL: min_score" in result.output and "proposed MQL: min_score" in result.output
    assert "new leads / week" in result.output
    assert json.loads(out.read_text())["proposals"][0]["stage"] == "SQL"
    both = runner.invoke(app, ["thresholds", str(tiny_card), *_inputs(files), "--capacity", "1/week", "--target-rate", "0.3"])
    assert both.exit_code == 2 and "not both" in both.output


def test_sample_outcomes_command(tmp_path: Path) -> None:
    from leadscore.sample import generate_sample, write_sample

    data = generate_sample(300, seed=5, as_of=T0)
    paths = write_sample(data, tmp_path, fmt="csv")
    out = tmp_path / "outcomes.csv"
    result = runner.invoke(app, ["sample-outcomes", "--leads", str(paths["leads"]), "--events", str(paths["events"]),
                                 "--accounts", str(paths["accounts"]), "--output", str(out), "--seed", "1"])
    assert result.exit_code == 0, result.output
    outcomes = pd.read_csv(out)
    assert list(outcomes.columns) == ["lead_id", "outcome", "timestamp", "amount"]
    assert set(outcomes["outcome"]) <= {"opportunity", "won"} and len(outcomes) > 0
