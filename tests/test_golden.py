"""Every golden case through `leadscore score`, exactly as the golden README says."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from tests.conftest import GOLDEN, golden_cases

runner = CliRunner()


def _args(case: Path, output: Path, database: str | None = None) -> list[str]:
    args = [
        "score", str(case / "scorecard.yaml"),
        "--leads", str(case / "leads.csv"),
        "--events", str(case / "events.csv"),
        "--as-of", (case / "as_of.txt").read_text().strip(),
        "--output", str(output),
    ]
    if (case / "accounts.csv").exists():
        args += ["--accounts", str(case / "accounts.csv")]
    if database:
        args += ["--database", database]
    return args


def assert_matches_expected(case: Path, output: Path) -> None:
    expected = {r["lead_id"]: r for r in csv.DictReader((case / "expected.csv").open(newline=""))}
    got = {r["lead_id"]: r for r in csv.DictReader(output.open(newline=""))}
    assert set(got) == set(expected)
    problems = []
    for lead_id, row in expected.items():
        for column, want in row.items():
            have = got[lead_id].get(column)
            assert have is not None, f"missing column {column}"
            try:
                ok = abs(float(want) - float(have)) <= 0.015
            except ValueError:
                ok = want == have
            if not ok:
                problems.append(f"{lead_id}.{column}: expected {want!r}, got {have!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", golden_cases(), ids=lambda p: p.name)
def test_golden_case_duckdb(case: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    result = runner.invoke(app, _args(case, output))
    assert result.exit_code == 0, result.output
    assert_matches_expected(case, output)


@pytest.mark.postgres
@pytest.mark.parametrize("case", golden_cases(), ids=lambda p: p.name)
def test_golden_case_postgres(case: Path, tmp_path: Path, postgres_url: str) -> None:
    output = tmp_path / "out.csv"
    result = runner.invoke(app, _args(case, output, postgres_url))
    assert result.exit_code == 0, result.output
    assert_matches_expected(case, output)


def test_golden_case_through_installed_entry_point(tmp_path: Path) -> None:
    case = GOLDEN / "spec-example"
    output = tmp_path / "out.csv"
    exe = shutil.which("leadscore", path=str(Path(sys.executable).parent))
    assert exe, "the leadscore entry point is not installed next to this Python"
    done = subprocess.run([exe, *_args(case, output)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert_matches_expected(case, output)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["spec-example", "random-101"])
def test_copied_golden_cases_equal_shared(name: str) -> None:
    shared = GOLDEN.parent.parent.parent / "shared" / "golden" / name
    if not shared.exists():
        pytest.skip(f"../shared/golden is not here ({shared}); the copies in tests/golden_cases are used")
    for file in shared.iterdir():
        assert (GOLDEN / name / file.name).read_bytes() == file.read_bytes()


@pytest.mark.shared
def test_every_shared_golden_case(tmp_path: Path) -> None:
    shared = GOLDEN.parent.parent.parent / "shared" / "golden"
    if not shared.exists():
        pytest.skip(f"../shared/golden is not here ({shared})")
    for case in sorted(p for p in shared.iterdir() if p.is_dir()):
        output = tmp_path / f"{case.name}.csv"
        result = runner.invoke(app, _args(case, output))
        assert result.exit_code == 0, f"{case.name}: {result.output}"
        assert_matches_expected(case, output)
