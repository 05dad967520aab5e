"""A scorecard that breaks the contract is refused whole, with every problem located."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.errors import ScorecardError
from leadscore.spec import parse_scorecard
from tests.conftest import GOLDEN

BASE = """name: t
fit:
  rules:
    - name: a
      if: {field: x, equals: 1}
      points: 5
engagement:
  rules:
    - name: b
      event: page_view
      points: 1
stages:
  - {name: lead}
"""


def problems(text: str) -> list[tuple[int, int, str, str]]:
    with pytest.raises(ScorecardError) as info:
        parse_scorecard(text, filename="card.yaml")
    return [(p.line, p.column, p.path, p.message) for p in info.value.problems]


def test_valid_base_loads() -> None:
    card = parse_scorecard(BASE)
    assert [r.name for r in card.rules] == ["a", "b"]


@pytest.mark.parametrize(
    ("old", "new", "path", "needle", "line"),
    [
        pytest.param("points: 1\n", "points: 1\n      within: 30m\n", "engagement.rules[0].within", "unknown unit 'm' in '30m': use h, d or w", 12, id="unit"),
        pytest.param("- name: b", "- name: a", "engagement.rules[0].name", "two rules are named 'a'", 9, id="duplicate-name"),
        pytest.param("equals: 1", "equal: 1", "fit.rules[0].if.equal", "unknown operator 'equal' (did you mean 'equals'?)", 5, id="unknown-operator"),
        pytest.param("points: 5", "points: 5\n      pionts: 3", "fit.rules[0].pionts", "unknown key 'pionts'", 7, id="unknown-key"),
        pytest.param("equals: 1", "between: [5, 1]", "fit.rules[0].if", "LOW is greater than HIGH", 5, id="between-order"),
        pytest.param("points: 1\n", "points: 1\n      per: event\n      at_least: 3\n", "engagement.rules[0]", "per: event and at_least cannot be used together", 9, id="per-and-at-least"),
        pytest.param("  - {name: lead}", "  - {name: lead, fired: [nope]}", "stages[0].fired[0]", "'nope' is not a rule", 13, id="fired-unknown-rule"),
        pytest.param("name: t", "name: Bad Name", "name", "not a valid name", 1, id="bad-name"),
        pytest.param("equals: 1", "equals: 1, in: [2]", "fit.rules[0].if", "exactly one operator", 5, id="two-operators"),
    ],
)
def test_contract_breaks_are_located(old: str, new: str, path: str, needle: str, line: int) -> None:
    found = problems(BASE.replace(old, new, 1))
    assert any(p == path and needle in m and ln == line for ln, _, p, m in found), found


def test_every_problem_is_listed_at_once() -> None:
    text = BASE.replace("equals: 1", "equal: 1").replace("- name: b", "- name: a").replace("points: 1\n", "points: 1\n      within: 3x\n")
    found = problems(text)
    assert {p for _, _, p, _ in found} >= {"fit.rules[0].if.equal", "engagement.rules[0].name", "engagement.rules[0].within"}


def test_yaml_syntax_error_has_position() -> None:
    found = problems("name: t\nfit: [\n")
    assert found[0][0] >= 2 and "invalid YAML" in found[0][3]


def test_country_no_stays_text() -> None:
    card = parse_scorecard(BASE.replace("equals: 1", "in: [NO, ES]"))
    assert card.fit.rules[0].if_.in_ == ["NO", "ES"]  # type: ignore[union-attr]


def test_cli_refused_scorecard_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(BASE.replace("equals: 1", "equal: 1").replace("- name: b", "- name: a"))
    case = GOLDEN / "spec-example"
    output = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["score", str(card), "--leads", str(case / "leads.csv"), "--events", str(case / "events.csv"), "--output", str(output)]
    )
    assert result.exit_code == 2
    assert f"{card}:5:" in result.output and "fit.rules[0].if.equal" in result.output
    assert f"{card}:9:" in result.output and "engagement.rules[0].name" in result.output
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [card]


def test_validate_command_reports_errors_with_exit_2(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(BASE.replace("points: 1\n", "points: 1\n      within: 30m\n"))
    result = CliRunner().invoke(app, ["validate", str(card)])
    assert result.exit_code == 2
    assert f"{card}:12:15: engagement.rules[0].within: unknown unit 'm' in '30m': use h, d or w" in result.output


def test_json_schema_describes_the_language() -> None:
    import json

    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"name", "fit", "engagement", "stages"} <= set(schema["properties"])
    condition = schema["$defs"]["FieldCondition"]["properties"]
    assert {"in", "not_in", "between", "exists"} <= set(condition)
