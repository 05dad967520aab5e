"""The back-test report as one self-contained HTML page: inline CSS and SVG, no script, no network.

It is drawn from the JSON document (``BacktestReport.to_dict()``), so the page and the JSON
always agree. Every value shown comes from the document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from leadscore.report import svg
from leadscore.report.svg import Series

Row = dict[str, Any]

CSS = """
:root { --ink:#111827; --muted:#6b7280; --line:#e5e7eb; --soft:#f9fafb; --accent:#2563eb; --warn:#fef3c7; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:#fff; }
main { max-width:1160px; margin:0 auto; padding:24px 28px 64px; }
h1 { font-size:24px; margin:0 0 4px; } h2 { font-size:19px; margin:36px 0 8px; padding-top:8px; border-top:2px solid var(--line); }
h3 { font-size:15px; margin:18px 0 6px; } p { margin:6px 0; } .muted { color:var(--muted); }
nav { margin:12px 0 8px; font-size:13px; } nav a { margin-right:12px; color:var(--accent); text-decoration:none; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin:12px 0; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 14px; min-width:150px; background:var(--soft); }
.card .v { font-size:22px; font-weight:600; } .card .k { font-size:12px; color:var(--muted); }
.grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(460px, 1fr)); gap:18px; align-items:start; }
.grid > * { min-width:0; overflow-x:auto; }
table { border-collapse:collapse; width:100%; margin:6px 0 12px; font-size:13px; }
th, td { padding:4px 8px; border-bottom:1px solid var(--line); text-align:right; vertical-align:top; }
th { background:var(--soft); font-weight:600; } td.l, th.l { text-align:left; }
.warn { background:var(--warn); border:1px solid #f59e0b; border-radius:8px; padding:8px 14px; margin:12px 0; }
.warn li { margin:2px 0; } .chart { max-width:100%; height:auto; } figure { margin:8px 0; max-width:640px; }
figcaption { font-size:12px; color:var(--muted); } .heat td { text-align:center; }
.good { color:#15803d; } .bad { color:#b91c1c; } code { font-size:12px; background:var(--soft); padding:1px 4px; border-radius:4px; }
details { margin:8px 0; } summary { cursor:pointer; color:var(--accent); }
@media print { nav { display:none; } h2 { break-before:auto; } }
"""


# -- formatting -----------------------------------------------------------------------------------------


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def num(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def dec(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def lift(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def interval(values: Sequence[float] | None, fmt: Callable[[float | None], str] = dec) -> str:
    return "" if not values else f"{fmt(values[0])} – {fmt(values[1])}"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, left: int = 1, cls: str = "") -> str:
    """An HTML table; the first ``left`` columns are left-aligned text."""
    head = "".join(f'<th class="l">{escape(h)}</th>' if i < left else f"<th>{escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td class="l">{_cell(c)}</td>' if i < left else f"<td>{_cell(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Raw(str):
    """Already-escaped HTML for a table cell."""


def _cell(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    return escape("—" if value is None else str(value))


def figure(chart: str, caption: str) -> str:
    return f"<figure>{chart}<figcaption>{escape(caption)}</figcaption></figure>"


# -- the page -------------------------------------------------------------------------------------------


def render_backtest(doc: dict[str, Any]) -> str:
    """The whole page."""
    cards = doc["scorecards"]
    titles = " vs ".join(c["title"] for c in cards)
    sections = [
        ("summary", "Summary", _summary(doc)),
        ("ranking", "Ranking: lift and gains", _ranking(cards)),
        ("bands", "Score bands and calibration", _bands(cards)),
        ("groups", "By grade, level, stage and label", _groups(cards)),
    ]
    if any(c.get("weekly_stages") for c in cards):
        sections.append(("weekly", "Stages week by week", _weekly(cards, doc)))
    sections.append(("common", "What the top leads have in common", _common(cards)))
    if doc.get("comparison"):
        sections.append(("compare", "Two scorecards: who moves between stages", _comparison(doc["comparison"], cards)))
    if doc.get("reference_models"):
        sections.append(("reference", "Reference models: what transparency costs", _reference(doc["reference_models"], cards)))
    sections.append(("cutoffs", "Per cut-off", _per_cutoff(cards)))
    sections.append(("columns", "Columns used", _columns(doc["columns"])))
    sections.append(("method", "How this was computed", _method(doc)))
    nav = "".join(f'<a href="#{key}">{escape(title)}</a>' for key, title, _ in sections)
    body = "".join(f'<section id="{key}"><h2>{escape(title)}</h2>{html}</section>' for key, title, html in sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Back-test: {escape(titles)}</title><style>{CSS}</style></head><body><main>"
        f"<h1>Back-test: {escape(titles)}</h1>{_subtitle(doc)}{_warnings(doc['warnings'])}<nav>{nav}</nav>{body}"
        "</main></body></html>\n"
    )


def _subtitle(doc: dict[str, Any]) -> str:
    s, d, e = doc["settings"], doc["data"], doc["evaluation"]
    if s["mode"] == "outcome column":
        when = f"scored as of {s['as_of'][:10]}; label: column <code>{escape(s['outcome_column'])}</code>"
    else:
        cutoffs = ", ".join(c[:10] for c in s["cutoffs"])
        when = (
            f"data {d['start'][:10]} → {d['end'][:10]}; {len(s['cutoffs'])} cut-offs, {escape(s['cutoff_rule'])}: {escape(cutoffs)}; "
            f"converted = an outcome ({escape(', '.join(s['outcome_kinds_counted']))}) within {escape(s['horizon'])} after the cut-off"
        )
    events = f", {num(d.get('events'))} events" if d.get("events") is not None else ""
    return (
        f'<p class="muted">{num(d["leads"])} leads{events}; {num(e["rows"])} evaluated lead-cut-off rows '
        f"({num(e['leads'])} leads), {num(e['converted'])} converted ({pct(e['base_rate'])}). {when}. "
        f"{_generated(doc)}.</p>"
    )


def _generated(doc: dict[str, Any]) -> str:
    made = f" {escape(doc['generated_at'])}" if doc.get("generated_at") else ""
    return f"Generated{made} by leadscore {escape(doc['leadscore_version'])}"


def _warnings(warnings: list[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
    return f'<div class="warn"><strong>Warnings</strong><ul>{items}</ul></div>'


def _summary(doc: dict[str, Any]) -> str:
    parts = []
    reference = doc.get("reference_models") or {}
    for card in doc["scorecards"]:
        s = card["summary"]
        tiles = [
            ("ROC AUC", dec(s["roc_auc"]), f"95% {interval(s.get('roc_auc_interval'))}" if s.get("roc_auc_interval") else "0.5 = chance"),
            ("PR AUC", dec(s["pr_auc"]), f"chance = base rate {pct(s['base_rate'])}"),
            ("Top-decile lift", lift(s["top_decile_lift"]), f"top 10% hold {pct(s['top_decile_gain'], 0)} of conversions"),
            ("Top 30% gain", pct(s["top_30pct_gain"], 0), "of conversions in the best 30%"),
        ]
        parts.append(f"<h3>{escape(card['title'])}</h3>" + _tiles(tiles))
    models = reference.get("models") or []
    if models:
        tiles = [(m["title"], dec(m["roc_auc"]), "cross-validated ROC AUC") for m in models]
        parts.append("<h3>Reference models (same rows, same data)</h3>" + _tiles(tiles))
    comparison = doc.get("comparison")
    if comparison and comparison.get("roc_auc_difference") is not None:
        diff = comparison["roc_auc_difference"]
        ci = comparison.get("roc_auc_difference_interval")
        verdict = "" if not ci else "; the two rank the leads identically" if ci[0] == ci[1] == 0 else (
            f"; B is better in {pct(comparison.get('b_better_share'), 0)} of resamples"
            + (" (the interval excludes 0)" if ci[0] > 0 or ci[1] < 0 else " (the interval includes 0: not a clear difference)")
        )
        parts.append(
            f"<p><strong>{escape(comparison['b'])}</strong> minus <strong>{escape(comparison['a'])}</strong>: ROC AUC "
            f"{diff:+.3f}" + (f" (95% interval {ci[0]:+.3f} to {ci[1]:+.3f})" if ci else "") + f"{verdict}.</p>"
        )
    ttl = doc.get("time_to_outcome") or {}
    if ttl.get("median_days") is not None:
        parts.append(
            f"<p>Median time from lead creation to the first outcome: <strong>{num(ttl['median_days'], 0)} days</strong> "
            f"(middle half {num(ttl['p25_days'])}–{num(ttl['p75_days'])} days, {num(ttl['leads'])} converted leads).</p>"
        )
    return "".join(parts)


def _tiles(tiles: Sequence[tuple[str, str, str]]) -> str:
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div><div class="k">{escape(note)}</div></div>'
        for k, v, note in tiles
    ) + "</div>"


def _ranking(cards: list[dict[str, Any]]) -> str:
    if not cards[0]["deciles"]:
        return "<p>No conversions: nothing to rank.</p>"
    labels = [str(d["decile"]) for d in cards[0]["deciles"]]
    lifts = bar_series(cards, "deciles", "lift")
    gains_labels = ["0%", *[f"{d * 10}%" for d in range(1, 11)]]
    gains = [Series(c["title"], [0.0, *[d["cumulative_gain"] for d in c["deciles"]]]) for c in cards]
    gains.append(Series("random", [i / 10 for i in range(11)], color=svg.MUTED, dashed=True))
    charts = '<div class="grid">' + figure(
        svg.bar_chart(labels, lifts, title="Lift by decile", fmt=svg.times, y_label="lift", x_label="decile (1 = highest scores)",
                      reference=1.0, reference_label="no better than random"),
        "Conversion rate of each tenth of the leads, ranked by score, divided by the overall rate.",
    ) + figure(
        svg.line_chart(gains_labels, gains, title="Cumulative gains", fmt=svg.percent, y_label="share of conversions",
                       x_label="share of leads contacted, best scores first", top=1.0),
        "Share of all conversions found by contacting the best-scored X% of leads. The dashed line is a random order.",
    ) + "</div>"
    tables = []
    for card in cards:
        has_amount = any("amount" in d for d in card["deciles"])
        headers = ["decile", "scores", "leads", "converted", "rate", "lift", "cum. gain", "cum. lift"] + (["amount", "cum. amount"] if has_amount else [])
        rows = [
            [d["decile"], f"{d['min_score']:g} – {d['max_score']:g}", num(d["leads"]), num(d["converted"], 1), pct(d["conversion_rate"]),
             lift(d["lift"]), pct(d["cumulative_gain"]), lift(d["cumulative_lift"])]
            + ([num(d.get("amount")), pct(d.get("cumulative_amount_share"))] if has_amount else [])
            for d in card["deciles"]
        ]
        tables.append(f"<div><h3>{escape(card['title'])}</h3>{table(headers, rows, left=2)}</div>")
    note = '<p class="muted">Leads with equal scores are shared between deciles as a random order would share them on average, so counts can be fractional.</p>'
    return charts + '<div class="grid">' + "".join(tables) + "</div>" + note


def bar_series(cards: list[dict[str, Any]], key: str, field: str) -> list[Series]:
    return [Series(c["title"], [row[field] for row in c[key]]) for c in cards]


def _bands(cards: list[dict[str, Any]]) -> str:
    labels = [b["band"] for b in cards[0]["bands"]]
    same_bands = all([b["band"] for b in c["bands"]] == labels for c in cards)
    parts = []
    base = cards[0]["summary"]["base_rate"]
    if same_bands:
        parts.append(figure(
            svg.bar_chart(labels, bar_series(cards, "bands", "conversion_rate"), title="Conversion rate by score band", fmt=svg.percent,
                          y_label="converted", x_label="score band", reference=base, reference_label=f"overall {pct(base)}"),
            "Share of the leads in each score band that converted within the horizon.",
        ))
    for card in cards:
        parts.append(f"<h3>{escape(card['title'])}</h3>" + _calibration(card))
    return "".join(parts)


def _calibration(card: dict[str, Any]) -> str:
    bands = card["bands"]
    labels = [b["band"] for b in bands]
    observed = Series("observed", [b["conversion_rate"] for b in bands], low=[b["ci_low"] for b in bands], high=[b["ci_high"] for b in bands])
    lines = [observed, Series("logistic fit on the score", [b["fitted_probability"] for b in bands], color=svg.MUTED, dashed=True)]
    stated = any(b.get("stated_probability") is not None for b in bands)
    if stated:
        lines.append(Series("stated by the scorecard", [b.get("stated_probability") for b in bands], color=svg.PALETTE[2]))
    chart = svg.line_chart(labels, lines, title=f"Calibration: {card['title']}", fmt=svg.percent, y_label="converted", x_label="score band")
    c = card["calibration"]
    verdict = (
        f"Conversion rises with the score in {c['rising_steps']} of {c['steps']} steps between bands with 20+ leads"
        + (" (monotonic)." if c["monotonic"] else " (not monotonic: look at the bands where it falls).")
    )
    if c.get("stated"):
        verdict += f" The scorecard's stated probabilities are off by {pct(c['stated']['expected_calibration_error'])} on average (Brier {dec(c['stated']['brier'])})."
    headers = ["band", "leads", "share", "converted", "rate", "95% interval", "fitted"] + (["stated"] if stated else [])
    rows = [
        [b["band"], num(b["leads"]), pct(b["share_of_leads"]), num(b["converted"]), pct(b["conversion_rate"]),
         interval([b["ci_low"], b["ci_high"]], pct) if b["ci_low"] is not None else "—", pct(b["fitted_probability"])]
        + ([pct(b.get("stated_probability"))] if stated else [])
        for b in bands
    ]
    return '<div class="grid">' + figure(chart, "Observed conversion per band with its 95% interval (shaded), and a smooth logistic fit.") + (
        f"<div><p>{escape(verdict)}</p>{table(headers, rows)}</div></div>"
    )


def _groups(cards: list[dict[str, Any]]) -> str:
    parts = []
    for key, title in (("by_grade", "Grade (fit)"), ("by_level", "Level (engagement)"), ("by_stage", "Stage"), ("by_label", "Label")):
        if not any(c[key] for c in cards):
            continue
        charts, tables = [], []
        for card in cards:
            rows = card[key]
            if not rows:
                continue
            labels = [str(r["value"]) for r in rows]
            charts.append(figure(
                svg.bar_chart(labels, [Series(card["title"], [r["conversion_rate"] for r in rows])], title=f"{title}: {card['title']}",
                              fmt=svg.percent, y_label="converted", reference=card["summary"]["base_rate"], reference_label="overall",
                              height=220),
                f"{card['title']}: conversion rate by {title.split(' ')[0].lower()}.",
            ))
            tables.append(table(
                [title.split(" ")[0].lower(), "leads", "share", "converted", "rate", "95% interval", "lift"],
                [[r["value"], num(r["leads"]), pct(r["share_of_leads"]), num(r["converted"]), pct(r["conversion_rate"]),
                  interval([r["ci_low"], r["ci_high"]], pct) if r["ci_low"] is not None else "—", lift(r["lift"])] for r in rows],
            ))
        pairs = list(zip(charts, tables, strict=True))
        body = "".join(pairs[0]) if len(pairs) == 1 else "".join(f"<div>{c}{t}</div>" for c, t in pairs)
        parts.append(f'<h3>{escape(title)}</h3><div class="grid">{body}</div>')
    for card in cards:
        parts.append(_priority_matrix(card))
    return "".join(parts)


def _priority_matrix(card: dict[str, Any]) -> str:
    cells = {r["value"]: r for r in card["by_priority"]}
    levels = card["levels"]
    rows = []
    for grade in card["grades"]:
        row: list[Any] = [grade]
        for level in levels:
            cell = cells.get(f"{grade}{level}")
            if not cell:
                row.append(Raw('<span class="muted">·</span>'))
                continue
            shade = min(1.0, (cell["conversion_rate"] or 0) / max(1e-9, 3 * card["summary"]["base_rate"]))
            row.append(Raw(
                f'<span style="display:block;background:rgba(37,99,235,{shade * 0.55:.2f});border-radius:4px;padding:2px">'
                f"{escape(pct(cell['conversion_rate']))}<br><small>{escape(num(cell['leads']))} leads</small></span>"
            ))
        rows.append(row)
    return (
        f"<h3>Priority matrix (grade × level): {escape(card['title'])}</h3>"
        + table(["grade \\ level", *[str(lv) for lv in levels]], rows, cls="heat")
        + '<p class="muted">Conversion rate and leads per priority; darker is higher (full colour at three times the overall rate).</p>'
    )


def _weekly(cards: list[dict[str, Any]], doc: dict[str, Any]) -> str:
    parts = []
    stage_names = list(dict.fromkeys(s["stage"] for c in cards for s in (c.get("weekly_stages") or [])))
    for stage in stage_names:
        per_card = [(c, next((s for s in c.get("weekly_stages") or [] if s["stage"] == stage), None)) for c in cards]
        per_card = [(c, s) for c, s in per_card if s]
        weeks = [w["week"] for w in per_card[0][1]["weeks"]]
        entries = [Series(c["title"], [w["entries"] for w in s["weeks"]]) for c, s in per_card]
        shares = [Series(c["title"], [w["converted_share"] for w in s["weeks"]]) for c, s in per_card]
        parts.append(f"<h3>{escape(stage)}</h3><div class=\"grid\">" + figure(
            svg.line_chart(weeks, entries, title=f"New {stage} per week", fmt=svg.number, y_label="leads entering", x_label="week starting"),
            f"Leads reaching {stage} (or a higher stage) for the first time, per week.",
        ) + figure(
            svg.line_chart(weeks, shares, title=f"Share of new {stage} that converted", fmt=svg.percent, y_label="converted", x_label="week starting"),
            f"Of the leads that entered {stage} that week, the share that converted within {doc['settings']['horizon']}; weeks without a full horizon after them are left out.",
        ) + "</div>")
        headers = ["scorecard", "mean per week", "entries", "converted (complete weeks)", "median days to outcome", "complete weeks"]
        rows = [
            [c["title"], num(s["mean_weekly_entries"], 1), num(s["entries"]), pct(s["converted_share"]), num(s["median_days_to_outcome"], 0), num(s["complete_weeks"])]
            for c, s in per_card
        ]
        parts.append(table(headers, rows))
    parts.append(
        '<p class="muted">Leads are scored every Monday; a lead enters a stage in the week of the first snapshot that finds it there '
        "(so times are to within a week). Leads already in the stage at the first snapshot are not counted; converted leads are no longer watched.</p>"
    )
    return "".join(parts)


def _common(cards: list[dict[str, Any]]) -> str:
    parts = []
    for card in cards:
        common = card["top_in_common"]
        if not common["values"]:
            parts.append(f"<div><h3>{escape(card['title'])}</h3><p>No attribute value stands out among the top leads.</p></div>")
            continue
        rows = [
            [v["attribute"], v["value"], pct(v["share_of_top"], 0), pct(v["share_of_all"], 0), f"{v['ratio']:.1f}×", pct(v["conversion_rate_in_top"])]
            for v in common["values"]
        ]
        intro = (
            f"The top {pct(common['share'], 0)} of rows (score ≥ {common['threshold']:g}, {num(common['rows'])} rows) "
            f"converted at {pct(common['conversion_rate'])}. Values much more common among them than overall:"
        )
        parts.append(
            f"<div><h3>{escape(card['title'])}</h3><p>{escape(intro)}</p>"
            + table(["attribute", "value", "in top", "overall", "ratio", "top converted"], rows, left=2) + "</div>"
        )
    return '<div class="grid">' + "".join(parts) + "</div>"


def _comparison(comparison: dict[str, Any], cards: list[dict[str, Any]]) -> str:
    a, b = comparison["a"], comparison["b"]
    parts = [f"<p>A = <strong>{escape(a)}</strong>, B = <strong>{escape(b)}</strong>. Every evaluated lead at every cut-off, staged by both.</p>"]
    for move in comparison["movements"]["stages"]:
        stage = move["stage"]
        rows = [
            [f"in {stage} under A", num(move["in_a"]["leads"]), pct(move["in_a"]["conversion_rate"])],
            [f"in {stage} under B", num(move["in_b"]["leads"]), pct(move["in_b"]["conversion_rate"])],
            [f"enter {stage} with B (not with A)", num(move["enter"]["leads"]), pct(move["enter"]["conversion_rate"])],
            [f"leave {stage} with B (in with A)", num(move["leave"]["leads"]), pct(move["leave"]["conversion_rate"])],
            [f"{stage} under both", num(move["stay_in"]["leads"]), pct(move["stay_in"]["conversion_rate"])],
            [f"{stage} under neither", num(move["stay_out"]["leads"]), pct(move["stay_out"]["conversion_rate"])],
        ]
        examples = [
            [e["lead_id"], "enters", f"{e['score_a']:g}", f"{e['score_b']:g}", "yes" if e["converted"] else "no"] for e in move["examples_enter"]
        ] + [
            [e["lead_id"], "leaves", f"{e['score_a']:g}", f"{e['score_b']:g}", "yes" if e["converted"] else "no"] for e in move["examples_leave"]
        ]
        verdict = _move_verdict(move)
        parts.append(
            f"<h3>{escape(stage)} (this stage or higher)</h3><p>{escape(verdict)}</p><div class=\"grid\"><div>"
            + table(["leads", "rows", "converted"], rows)
            + "</div><div>"
            + (table(["lead", "with B", "score A", "score B", "converted"], examples, left=2) if examples else "<p>No lead moves.</p>")
            + f'<p class="muted">Examples at the last cut-off ({escape(comparison["example_cutoff"][:10])}), largest score changes first.</p></div></div>'
        )
    cross = comparison["movements"]["cross"]
    stages_a = list(dict.fromkeys([*cards[0]["stages"], *[c["from"] for c in cross]]))
    stages_b = list(dict.fromkeys([*cards[1]["stages"], *[c["to"] for c in cross]]))
    cell = {(c["from"], c["to"]): c for c in cross}
    rows = [
        [sa, *[f"{cell[(sa, sb)]['leads']:,} ({pct(cell[(sa, sb)]['conversion_rate'], 0)})" if (sa, sb) in cell else "·" for sb in stages_b]]
        for sa in stages_a
    ]
    parts.append("<h3>Stage under A (rows) × stage under B (columns)</h3>" + table(["A \\ B", *stages_b], rows)
                 + '<p class="muted">Rows (lead × cut-off) and, in brackets, their conversion rate.</p>')
    return "".join(parts)


def _move_verdict(move: dict[str, Any]) -> str:
    enter, leave, base_b = move["enter"], move["leave"], move["in_b"]
    text = f"B puts {num(move['in_b']['leads'])} rows in {move['stage']} against {num(move['in_a']['leads'])} with A."
    if enter["leads"]:
        text += f" The {num(enter['leads'])} it adds converted at {pct(enter['conversion_rate'])}"
        text += f" (vs {pct(base_b['conversion_rate'])} for all of B's)." if base_b["leads"] else "."
    if leave["leads"]:
        text += f" The {num(leave['leads'])} it drops converted at {pct(leave['conversion_rate'])}."
    return text


def _reference(reference: dict[str, Any], cards: list[dict[str, Any]]) -> str:
    if reference.get("skipped"):
        return f"<p>Not computed: {escape(reference['skipped'])}.</p>"
    rows = [[c["title"], "scorecard (no fitting)", dec(auc), "—"] for c, auc in zip(cards, reference["scorecards_roc_auc"], strict=True)]
    rows += [
        [m["title"], f"{reference['folds']}-fold cross-validation, grouped by lead", dec(m["roc_auc"]),
         f"{dec(m['fold_roc_auc_mean'])} ± {dec(m['fold_roc_auc_std'])}"]
        for m in reference["models"]
    ]
    parts = [
        table(["model", "how", "ROC AUC", "per fold"], rows, left=2),
        f"<p>The reference models see the same rows and the same data as the scorecard: {len(reference['features'])} features "
        "(lead and account attributes, and event counts up to each cut-off, by type and by common property values). "
        "A gap between the scorecard and gradient boosting is what its transparency costs on this data; naive Bayes over attribute values "
        "is the simple predictive baseline of tools like Odoo.</p>",
    ]
    timed = reference.get("time_ordered") or {}
    if timed and not timed.get("skipped"):
        rows = [[c["title"], dec(a)] for c, a in zip(cards, timed["scorecards_roc_auc"], strict=True)]
        rows += [[m["title"], dec(m["roc_auc"])] for m in timed["models"]]
        parts.append(
            f"<h3>Time-ordered check</h3><p>Trained on {num(timed['train_rows'])} rows at cut-offs whose horizon ended before "
            f"{escape(timed['test_cutoff'][:10])}, tested on the {num(timed['test_rows'])} rows of that cut-off.</p>" + table(["model", "ROC AUC"], rows)
        )
    elif timed.get("skipped"):
        parts.append(f'<p class="muted">Time-ordered check not computed: it {escape(timed["skipped"])}.</p>')
    parts.append(
        "<details><summary>Features</summary><p>" + ", ".join(f"<code>{escape(f)}</code>" for f in reference["features"]) + "</p></details>"
    )
    return "".join(parts)


def _per_cutoff(cards: list[dict[str, Any]]) -> str:
    headers = ["cut-off", "leads", "converted", "rate", *[f"AUC {c['title']}" for c in cards]]
    rows = [
        [row["cutoff"][:10], num(row["leads"]), num(row["converted"]), pct(row["conversion_rate"]),
         *[dec(c["per_cutoff"][i]["roc_auc"]) for c in cards]]
        for i, row in enumerate(cards[0]["per_cutoff"])
    ]
    return table(headers, rows)


def _columns(columns: dict[str, list[dict[str, Any]]]) -> str:
    parts = []
    for name, items in columns.items():
        rows = [
            [c["column"], Raw("<br>".join(escape(u) for u in c["uses"]) if c["uses"] else '<span class="muted">not used</span>'),
             c.get("note") or ""]
            for c in items
        ]
        parts.append(f"<h3>{escape(name)}</h3>" + table(["column", "used for", "note"], rows, left=3))
    return "".join(parts)


def _method(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    if s["mode"] == "outcome column":
        loop = (
            f"<p>Every lead with a value in <code>{escape(s['outcome_column'])}</code> was scored once, as of {escape(s['as_of'][:10])}, "
            "and compared with that value. The leads table has no times, so this is one snapshot, not a back-test over time.</p>"
        )
    else:
        loop = (
            "<p>At each cut-off, every lead created by then (or with no <code>created_at</code>) that had not converted yet was scored "
            "from its events up to the cut-off only (as_of = the cut-off), then labelled converted when its first outcome "
            f"({escape(', '.join(s['outcome_kinds_counted']))}) came within {escape(s['horizon'])} after it. Outcomes are never an input of the score. "
            "A lead appears once per cut-off it was eligible at; intervals resample leads, not rows.</p>"
        )
    return loop + (
        "<ul>"
        "<li><b>ROC AUC</b>: the chance that a random converted lead scores above a random non-converted one (0.5 = chance, 1 = perfect).</li>"
        "<li><b>PR AUC</b> (average precision): precision averaged over recall levels; chance level is the base rate.</li>"
        "<li><b>Lift</b>: a decile's conversion rate over the overall rate. <b>Cumulative gains</b>: the share of all conversions in the best X%.</li>"
        "<li><b>Calibration</b>: observed conversion per score band with a 95% Wilson interval, beside a one-variable logistic fit.</li>"
        "<li><b>Weekly stages</b>: first entry of each lead into a stage at weekly snapshots; converted share over complete weeks only.</li>"
        "<li><b>Reference models</b>: gradient boosting and naive Bayes, cross-validated with folds grouped by lead (fixed seed).</li>"
        "</ul>"
    )


__all__ = ["render_backtest"]
