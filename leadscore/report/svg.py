"""Small inline SVG charts for the HTML report: bars and lines, no scripts, no network.

Each function returns an ``<svg>`` element as text. Every mark has a ``<title>`` so a browser
shows its exact value on hover.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2")
MUTED = "#9ca3af"
GRID = "#e5e7eb"
TEXT = "#374151"

Value = float | None
Formatter = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Value]
    color: str | None = None
    dashed: bool = False
    low: Sequence[Value] | None = None  # optional interval (lines only)
    high: Sequence[Value] | None = None


@dataclass(frozen=True)
class Frame:
    """The plotting area inside the margins."""

    width: int
    height: int
    left: int = 56
    right: int = 16
    top: int = 28
    bottom: int = 44

    @property
    def inner_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def inner_height(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float, top: float) -> float:
        return self.top + self.inner_height * (1 - value / top if top else 1)


def percent(value: float) -> str:
    return f"{value * 100:.0f}%" if value >= 0.1 or value == 0 else f"{value * 100:.1f}%"


def number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.2g}"


def times(value: float) -> str:
    return f"{value:.1f}×"


def nice_step(value: float, ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) so that about ``ticks`` steps cover ``value``."""
    if value <= 0:
        return 0.25
    raw = value / ticks
    exponent = math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * 10**exponent + 1e-12:
            return factor * 10**exponent
    return 10 ** (exponent + 1)


def nice_top(value: float) -> float:
    step = nice_step(value)
    return step * max(1, math.ceil(value / step - 1e-9))


def _open(frame: Frame, label: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" width="100%" '
        f'role="img" aria-label="{escape(label)}" class="chart" font-family="system-ui, sans-serif" font-size="11">',
        f"<title>{escape(label)}</title>",
    ]


def _axes(frame: Frame, top: float, fmt: Formatter, y_label: str) -> list[str]:
    parts = []
    step = nice_step(top)
    count = max(1, round(top / step))
    for i in range(count + 1):
        value = step * i
        y = frame.y(value, top)
        parts.append(f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.width - frame.right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">{escape(fmt(value))}</text>')
    if y_label:
        parts.append(
            f'<text x="12" y="{frame.top + frame.inner_height / 2:.1f}" transform="rotate(-90 12 {frame.top + frame.inner_height / 2:.1f})" '
            f'text-anchor="middle" fill="{TEXT}">{escape(y_label)}</text>'
        )
    return parts


def _x_labels(frame: Frame, labels: Sequence[str], centres: Sequence[float], x_label: str) -> list[str]:
    widest = max((len(label) for label in labels), default=1) * 6.5 + 10
    step = max(1, math.ceil(len(labels) * widest / max(1.0, frame.inner_width)))
    parts = []
    base = frame.height - frame.bottom + 15
    for i, (label, x) in enumerate(zip(labels, centres, strict=True)):
        if i % step == 0:
            parts.append(f'<text x="{x:.1f}" y="{base}" text-anchor="middle" fill="{TEXT}">{escape(label)}</text>')
    if x_label:
        parts.append(f'<text x="{frame.left + frame.inner_width / 2:.1f}" y="{frame.height - 6}" text-anchor="middle" fill="{TEXT}">{escape(x_label)}</text>')
    return parts


def _legend(frame: Frame, series: Sequence[Series]) -> list[str]:
    if len(series) < 2:
        return []
    parts, x = [], frame.left
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        parts.append(f'<line x1="{x}" y1="12" x2="{x + 16}" y2="12" stroke="{color}" stroke-width="3"{dash}/>')
        parts.append(f'<text x="{x + 20}" y="16" fill="{TEXT}">{escape(s.name)}</text>')
        x += 28 + 6.5 * len(s.name)
    return parts


def _top(series: Sequence[Series], floor: float | None) -> float:
    values = [v for s in series for v in [*s.values, *(s.high or [])] if v is not None and math.isfinite(v)]
    return nice_top(max([*values, floor or 0.0, 1e-9]))


def bar_chart(
    labels: Sequence[str], series: Sequence[Series], *, title: str, fmt: Formatter = number, y_label: str = "",
    x_label: str = "", reference: float | None = None, reference_label: str = "", width: int = 560, height: int = 260,
) -> str:
    """Grouped vertical bars, one group per label; an optional horizontal reference line (such as the base rate)."""
    frame = Frame(width, height)
    top = _top(series, reference)
    parts = [*_open(frame, title), *_axes(frame, top, fmt, y_label), *_legend(frame, series)]
    group = frame.inner_width / max(1, len(labels))
    bar = group * 0.8 / max(1, len(series))
    centres = []
    for i, label in enumerate(labels):
        x0 = frame.left + i * group + group * 0.1
        centres.append(frame.left + (i + 0.5) * group)
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else None
            if value is None or not math.isfinite(value):
                continue
            y = frame.y(value, top)
            color = s.color or PALETTE[j % len(PALETTE)]
            name = f"{s.name}: " if len(series) > 1 else ""
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{y:.1f}" width="{max(1.0, bar - 1):.1f}" height="{frame.y(0, top) - y:.1f}" '
                f'fill="{color}"><title>{escape(f"{label}: {name}{fmt(value)}")}</title></rect>'
            )
            if len(labels) * len(series) <= 12:
                parts.append(f'<text x="{x0 + (j + 0.5) * bar:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="{TEXT}">{escape(fmt(value))}</text>')
    if reference is not None and math.isfinite(reference):
        y = frame.y(reference, top)
        parts.append(f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.width - frame.right}" y2="{y:.1f}" stroke="{MUTED}" stroke-dasharray="5 4" stroke-width="1.5"/>')
        if reference_label:
            parts.append(f'<text x="{frame.width - frame.right}" y="{y - 4:.1f}" text-anchor="end" fill="{MUTED}">{escape(reference_label)}</text>')
    parts += _x_labels(frame, labels, centres, x_label)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: Sequence[str], series: Sequence[Series], *, title: str, fmt: Formatter = number, y_label: str = "",
    x_label: str = "", top: float | None = None, width: int = 560, height: int = 260,
) -> str:
    """Lines over shared x labels, with points, optional shaded intervals and dashed series."""
    frame = Frame(width, height)
    top = top or _top(series, None)
    parts = [*_open(frame, title), *_axes(frame, top, fmt, y_label), *_legend(frame, series)]
    count = max(1, len(labels) - 1)
    xs = [frame.left + frame.inner_width * i / count for i in range(len(labels))]
    for j, s in enumerate(series):
        color = s.color or PALETTE[j % len(PALETTE)]
        if s.low is not None and s.high is not None:
            parts.append(_band(xs, s.low, s.high, frame, top, color))
        for run in _runs(xs, s.values, frame, top):
            dash = ' stroke-dasharray="5 4"' if s.dashed else ""
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in run)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
            if s.dashed:
                continue
            for x, y, value, i in run:
                tip = f"{labels[i]}: {s.name} {fmt(value)}"
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{color}"><title>{escape(tip)}</title></circle>')
    parts += _x_labels(frame, labels, xs, x_label)
    parts.append("</svg>")
    return "".join(parts)


def _runs(xs: Sequence[float], values: Sequence[Value], frame: Frame, top: float) -> list[list[tuple[float, float, float, int]]]:
    """Consecutive points with values, as (x, y, value, label index); a missing value breaks the line."""
    runs: list[list[tuple[float, float, float, int]]] = [[]]
    for i, (x, value) in enumerate(zip(xs, values, strict=False)):
        if value is None or not math.isfinite(value):
            runs.append([])
            continue
        runs[-1].append((x, frame.y(min(value, top), top), value, i))
    return [r for r in runs if r]


def _band(xs: Sequence[float], low: Sequence[Value], high: Sequence[Value], frame: Frame, top: float, color: str) -> str:
    upper, lower = [], []
    for x, lo, hi in zip(xs, low, high, strict=False):
        if lo is None or hi is None:
            continue
        upper.append(f"{x:.1f},{frame.y(min(hi, top), top):.1f}")
        lower.append(f"{x:.1f},{frame.y(min(lo, top), top):.1f}")
    if not upper:
        return ""
    return f'<polygon points="{" ".join(upper + lower[::-1])}" fill="{color}" fill-opacity="0.12" stroke="none"/>'


__all__ = ["Series", "bar_chart", "line_chart", "number", "percent", "times"]
