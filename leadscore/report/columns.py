"""Which input column the back-test used, and for what: listed in the report, never implicit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leadscore.spec.conditions import condition_fields

if TYPE_CHECKING:
    from leadscore.report.features import AttributeSet
    from leadscore.report.history import History
    from leadscore.spec import Scorecard


def columns_used(
    cards: list[tuple[str, Scorecard]], history: History, attributes: AttributeSet | None, event_features: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per input table, every column with its uses (empty: not used).

    ``event_features`` are the reference models' event feature names, and ``property:COLUMN``
    for each event property whose values they count.
    """
    uses: dict[str, dict[str, list[str]]] = {"leads": {}, "accounts": {}, "events": {}, "outcomes": {}}
    for column in history.lead_frame.columns:
        uses["leads"][str(column)] = []
    if history.account_frame is not None:
        for column in history.account_frame.columns:
            uses["accounts"][str(column)] = []
    if history.has_events:
        for column in history.event_columns:
            uses["events"][column] = []
    _base_uses(history, uses)
    for title, card in cards:
        _card_uses(title, card, history, uses)
    notes: dict[str, dict[str, str]] = {table: {} for table in uses}
    if attributes is not None:
        _attribute_uses(attributes, uses, notes)
    if event_features:
        for column in ("event", "timestamp"):
            uses["events"].setdefault(column, []).append("reference models: counts per event type up to each cut-off")
        for feature in event_features:
            if feature.startswith("property:"):
                uses["events"].setdefault(feature.removeprefix("property:"), []).append(
                    "reference models: counts per common value within an event type"
                )
    if history.outcomes is not None:
        for column in history.outcomes.columns:
            uses["outcomes"][column] = [_OUTCOME_USES.get(column, "outcome")]
    return {
        table: [{"column": c, "uses": list(dict.fromkeys(u)), "note": notes[table].get(c)} for c, u in columns.items()]
        for table, columns in uses.items()
        if columns
    }


_OUTCOME_USES = {
    "lead_id": "matches outcomes to leads",
    "timestamp": "label: converted within the horizon after the cut-off; leads converted before a cut-off are left out",
    "outcome": "which kinds of outcome count",
    "amount": "amount by decile",
}


def _base_uses(history: History, uses: dict[str, dict[str, list[str]]]) -> None:
    leads = uses["leads"]
    leads["lead_id"] = ["id"]
    if "created_at" in leads:
        leads["created_at"].append("who is evaluated at each cut-off (created at or before it)")
    if "account_id" in leads and history.accounts is not None:
        leads["account_id"].append("joins the accounts")
    if "account_id" in uses["accounts"]:
        uses["accounts"]["account_id"] = ["id"]
    if history.outcome_column:
        leads[history.outcome_column] = ["label: the outcome (never a feature)"]
    if history.has_events:
        uses["events"]["lead_id"] = ["matches events to leads"]
        uses["events"]["timestamp"] = ["only events at or before each cut-off count"]
        if "event_id" in uses["events"]:
            uses["events"]["event_id"].append("re-sent events (equal event_id) count once")


def _card_uses(title: str, card: Scorecard, history: History, uses: dict[str, dict[str, list[str]]]) -> None:
    for rule in card.fit.rules:
        for name in condition_fields(rule.if_):
            table, column = ("accounts", name.removeprefix("account.")) if name.startswith("account.") else ("leads", name)
            uses[table].setdefault(column, []).append(f"{title}: fit rule {rule.name}")
    for rule in card.engagement.rules:
        if not history.has_events:
            break
        uses["events"].setdefault("event", []).append(f"{title}: {rule.name} ({', '.join(rule.events or ['any event'])})")
        for name in condition_fields(rule.where) if rule.where else []:
            column = name if name in uses["events"] else "properties"
            uses["events"].setdefault(column, []).append(f"{title}: engagement rule {rule.name}" + ("" if column == name else f" ({name})"))
    if history.has_events and any(r.inactive_for for r in card.engagement.rules) and "created_at" in uses["leads"]:
        uses["leads"]["created_at"].append(f"{title}: inactivity rules (lead old enough)")


def _attribute_uses(attributes: AttributeSet, uses: dict[str, dict[str, list[str]]], notes: dict[str, dict[str, str]]) -> None:
    for name, how in attributes.used.items():
        table, column = ("accounts", name.removeprefix("account.")) if name.startswith("account.") else ("leads", name)
        uses[table].setdefault(column, []).append(f"reference models and top-lead profile ({how})")
    for name, why in attributes.skipped.items():
        table, column = ("accounts", name.removeprefix("account.")) if name.startswith("account.") else ("leads", name)
        uses[table].setdefault(column, [])
        notes[table][column] = f"not a feature of the reference models: {why}"
    if "created_at" in uses["leads"]:
        uses["leads"]["created_at"].append("reference models: lead age at the cut-off")


__all__ = ["columns_used"]
