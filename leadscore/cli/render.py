"""Tables and summaries printed by the CLI (rich)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    import pyarrow as pa
    from rich.console import Console

    from leadscore.scoring import Explanation
    from leadscore.spec import Scorecard


@contextlib.contextmanager
def progress_display(console: Console, *, enabled: bool) -> Iterator[Callable[[float], None] | None]:
    """A progress bar on stderr that appears only once a query reports progress."""
    if not enabled:
        yield None
        return
    bar = Progress(TextColumn("scoring"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(), console=console, transient=True)
    task = bar.add_task("scoring", total=100)
    started = False

    def report(done: float) -> None:
        nonlocal started
        if not started:
            bar.start()
            started = True
        bar.update(task, completed=done)

    try:
        yield report
    finally:
        if started:
            bar.stop()


def _points(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:+g}" if value else "0"


def render_top(console: Console, table: pa.Table, card: Scorecard, *, total: int, title: str | None = None) -> None:
    view = Table(title=title or f"Call list ({table.num_rows} of {total:,} leads)", title_justify="left")
    for name, justify in (("#", "right"), ("lead", "left"), ("priority", "left"), ("score", "right"), ("fit", "right"), ("engagement", "right"), ("stage", "left"), ("label", "left"), ("why", "left")):
        view.add_column(name, justify=justify)  # type: ignore[arg-type]
    rule_columns = card.rule_columns()
    for i, row in enumerate(table.to_pylist(), start=1):
        fired = sorted(((c, row[c]) for c in rule_columns if row.get(c)), key=lambda item: -abs(item[1]))
        why = ", ".join(f"{c.split('.', 1)[1]} {_points(p)}" for c, p in fired[:3])
        view.add_row(  # data and scorecard names are text, never rich markup
            str(i), escape(str(row["lead_id"])), row["priority"], f"{row['score']:g}", f"{row['fit']:g}", f"{row['engagement']:g}",
            escape(row["stage"] or ""), escape(row["label"] or ""), escape(why),
        )
    console.print(view)


def render_summary(console: Console, table: pa.Table, card: Scorecard) -> None:
    rows = table.to_pylist()
    summary = Table(title="How the leads fall", title_justify="left")
    summary.add_column("grade")
    for level in card.level_numbers():
        summary.add_column(f"level {level}", justify="right")
    counts = Counter((r["grade"], r["level"]) for r in rows)
    for grade in card.grade_letters():
        summary.add_row(grade, *(f"{counts.get((grade, level), 0):,}" for level in card.level_numbers()))
    console.print(summary)
    stages = Counter(r["stage"] or "(none)" for r in rows)
    labels = Counter(r["label"] or "(none)" for r in rows)
    console.print("stages: " + ", ".join(f"{name} {n:,}" for name, n in stages.most_common()), markup=False)
    if card.labels:
        console.print("labels: " + ", ".join(f"{name} {n:,}" for name, n in labels.most_common()), markup=False)


def render_explanation(console: Console, explanation: Explanation) -> None:
    row = explanation.row
    console.print(
        f"[bold]{escape(explanation.lead_id)}[/bold] as of {explanation.as_of:%Y-%m-%d %H:%M} UTC: score {row['score']:g} "
        f"(fit {row['fit']:g} + engagement {row['engagement']:g}), grade {row['grade']}, level {row['level']}, "
        f"priority {row['priority']}, stage {escape(row['stage'] or '-')}, label {escape(row['label'] or '-')}"
    )
    view = Table(show_lines=False)
    for name in ("", "rule", "mode", "points", "of", "evidence"):
        view.add_column(name)
    for rule in explanation.rules:
        mark = "[green]✓[/green]" if rule.fired else "[dim]·[/dim]"
        evidence = ""
        if rule.fields:
            evidence = ", ".join(f"{name} = {value!r}" if value is not None else f"{name} missing" for name, value in rule.fields.items())
        elif rule.mode == "inactivity":
            evidence = "no activity in the window" if rule.fired else f"active: {len(rule.events)} event(s) in the window"
        elif rule.events:
            newest = max(rule.events, key=lambda e: e["timestamp"])
            evidence = f"{len(rule.events)} event{'s' if len(rule.events) > 1 else ''}, newest {newest['event']} {newest['timestamp']:%Y-%m-%d %H:%M}"
            if rule.half_life_days:
                evidence += f" (weight {newest['weight']:.2f}, half-life {rule.half_life_days:g}d)"
        view.add_row(mark, escape(f"{rule.dimension}.{rule.name}"), rule.mode, _points(rule.points), _points(rule.rule_points), escape(evidence))
    console.print(view)
