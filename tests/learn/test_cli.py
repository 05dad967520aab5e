"""leadscore learn and learn-points: a valid scorecard (exit 0), clear errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.spec import load_scorecard
from tests.learn.factories import Synthetic, synthetic

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    data: Synthetic = synthetic(1000, seed=5)
    folder = tmp_path_factory.mktemp("learn-cli")
    paths = {"leads": folder / "leads.csv", "events": folder / "events.csv", "with_outcome": folder / "leads_outcome.csv"}
    data.leads.to_csv(paths["leads"], index=False)
    data.events.to_csv(paths["events"], index=False)
    data.leads_with_outcome().to_csv(paths["with_outcome"], index=False)
    outcomes = data.leads.loc[data.y == 1, ["lead_id"]].assign(outcome="won", timestamp="2026-04-01T00:00:00Z")
    paths["outcomes"] = folder / "outcomes.csv"
    outcomes.to_csv(paths["outcomes"], index=False)
    return paths


def test_learn_writes_a_valid_scorecard_and_reports(files: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "learned.yaml"
    result = runner.invoke(app, [
        "learn", "--leads", str(files["leads"]), "--events", str(files["events"]), "--as-of", "2026-03-01",
        "--outcomes", str(files["outcomes"]), "--exclude", "country", "--folds", "2", "--output", str(output),
    ])
    assert result.exit_code == 0, result.output
    card = load_scorecard(output)
    assert card.name == "learned" and card.calibration
    assert "country" not in card.lead_fields()
    assert card.engagement.rules
    for text in ("columns used", "learned scorecard", "gradient boosting", "naive Bayes", "logistic regression", "wrote"):
        assert text in result.output
    assert "country" in result.output.split("columns not used")[1]
    validated = runner.invoke(app, ["validate", str(output)])
    assert validated.exit_code == 0 and validated.output.startswith("ok:")


def test_learn_then_score_works_unchanged(files: dict[str, Path], tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    learned = runner.invoke(app, [
        "learn", "--leads", str(files["with_outcome"]), "--outcome-column", "converted", "--folds", "0",
        "--events", str(files["events"]), "--as-of", "2026-03-01", "--output", str(card),
    ])
    assert learned.exit_code == 0, learned.output
    scores = tmp_path / "scores.csv"
    scored = runner.invoke(app, [
        "score", str(card), "--leads", str(files["leads"]), "--events", str(files["events"]),
        "--as-of", "2026-03-01", "--output", str(scores),
    ])
    assert scored.exit_code == 0, scored.output
    assert scores.read_text().count("\n") == 1001


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--outcome-column", "nope"], "no outcome column 'nope'", id="missing-outcome-column"),
        pytest.param(["--outcome-column", "nope"], "converted with --outcome-column, or give --outcomes", id="names-flags"),
        pytest.param(["--outcome-column", "country"], "neither true nor false", id="not-an-outcome"),
        pytest.param(["--outcome-column", "country"], "which values mean converted with --positive", id="names-positive"),
        pytest.param(["--outcome-column", "converted", "--exclude", "industri"], "--exclude names 'industri'", id="unknown-exclude"),
        pytest.param(["--outcome-column", "converted", "--positive", "2"], "every one of the 1000 leads did not convert", id="constant"),
    ],
)
def test_learn_bad_input_exits_2_with_the_problem(files: dict[str, Path], tmp_path: Path, args: list[str], message: str) -> None:
    output = tmp_path / "learned.yaml"
    result = runner.invoke(app, ["learn", "--leads", str(files["with_outcome"]), *args, "--folds", "0", "--output", str(output)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not output.exists()


def test_learn_warns_about_outcomes_of_unknown_leads(files: dict[str, Path], tmp_path: Path) -> None:
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(files["outcomes"].read_text() + "ghost-1,won,2026-04-01T00:00:00Z\n")
    result = runner.invoke(app, [
        "learn", "--leads", str(files["leads"]), "--outcomes", str(outcomes), "--folds", "0", "--output", str(tmp_path / "c.yaml"),
    ])
    assert result.exit_code == 0, result.output
    assert "1 outcome rows (1 lead ids) are for leads not in the leads" in " ".join(result.output.split())


def test_learn_warnings_name_flags(files: dict[str, Path], tmp_path: Path) -> None:
    import pandas as pd

    leads = pd.read_csv(files["with_outcome"])
    leaky = tmp_path / "leaky.csv"
    leads.assign(sales_notes=leads["converted"].map({1: "closed", 0: "no answer"})).to_csv(leaky, index=False)
    result = runner.invoke(app, ["learn", "--leads", str(leaky), "--outcome-column", "converted", "--folds", "0", "--output", str(tmp_path / "c.yaml")])
    assert result.exit_code == 0, result.output
    assert "it leaks the answer; leave it out with --exclude 'sales_notes'" in " ".join(result.output.split())


def test_learn_points_prints_the_table_and_writes_rules(files: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "points.yaml"
    result = runner.invoke(app, [
        "learn-points", "--leads", str(files["with_outcome"]), "--outcome-column", "converted",
        "--field", "industry", "--output", str(output),
    ])
    assert result.exit_code == 0, result.output
    assert "Software" in result.output and "10" in result.output
    card = load_scorecard(output)
    assert max(r.points for r in card.fit.rules) == 10
    assert np.all([r.if_ is not None for r in card.fit.rules])


def test_learn_points_unknown_field_exits_2(files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["learn-points", "--leads", str(files["with_outcome"]), "--outcome-column", "converted", "--field", "job"])
    assert result.exit_code == 2
    assert "--field 'job'" in result.output


def test_learn_max_interactions_zero_gives_an_additive_scorecard(files: dict[str, Path], tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    learned = runner.invoke(app, [
        "learn", "--leads", str(files["with_outcome"]), "--outcome-column", "converted", "--folds", "0",
        "--max-interactions", "0", "--output", str(card),
    ])
    assert learned.exit_code == 0, learned.output
    from leadscore.spec import AllCondition, load_scorecard

    assert not any(isinstance(rule.if_, AllCondition) for rule in load_scorecard(card).fit.rules)


def test_learn_dates_the_scorecard_with_the_clock_read_by_the_cli(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    import leadscore.cli.learn_commands as commands

    monkeypatch.setattr(commands, "now", lambda: datetime(2026, 2, 3, 23, 59, tzinfo=UTC))
    card = tmp_path / "card.yaml"
    learned = runner.invoke(app, ["learn", "--leads", str(files["with_outcome"]), "--outcome-column", "converted", "--folds", "0", "--output", str(card)])
    assert learned.exit_code == 0, learned.output
    assert card.read_text().startswith("# Learned by leadscore learn on 2026-02-03 from 1,000 leads")
