"""Inline SVG charts for the scorecard page: drawn on the server, no script, no external file.
Colours and sizes come from classes in console.css (the page's CSP allows no inline styles)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

__all__ = ["bars", "columns"]


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def bars(items: Sequence[tuple[str, float | None]], title: str, width: int = 360) -> Markup:
    """Horizontal bars, one per (label, value); None draws no bar and prints a dash."""
    row_h, label_w = 22, 150
    height = max(len(items), 1) * row_h + 8
    top = max((v for _, v in items if v is not None), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for n, (label, value) in enumerate(items):
        y = 4 + n * row_h
        span = 0 if value is None else (width - label_w - 60) * value / top
        parts.append(
            f'<text class="chart-label" x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect class="chart-bar" x="{label_w}" y="{y + 3}" width="{span:.1f}"'
            f' height="{row_h - 8}"></rect>'
            f'<text class="chart-value" x="{label_w + span + 4:.1f}" y="{y + 15}">'
            f"{escape(_num(value))}</text>"
        )
    if not items:
        parts.append('<text class="chart-label" x="4" y="18">–</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and value above is escaped


def columns(
    items: Sequence[tuple[str, float | None]], title: str, width: int = 360, height: int = 150
) -> Markup:
    """Vertical columns over time (month-over-month), the last one highlighted."""
    n = max(len(items), 1)
    base, top_pad = height - 22, 16
    top = max((v for _, v in items if v is not None), default=0) or 1
    col_w = width / n
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<line class="chart-axis" x1="0" y1="{base}" x2="{width}" y2="{base}"></line>'
    ]
    for i, (label, value) in enumerate(items):
        h = 0 if value is None else (base - top_pad) * value / top
        x = i * col_w + col_w * 0.2
        cls = "chart-bar chart-current" if i == len(items) - 1 else "chart-bar"
        parts.append(
            f'<rect class="{cls}" x="{x:.1f}" y="{base - h:.1f}" width="{col_w * 0.6:.1f}"'
            f' height="{h:.1f}"></rect>'
            f'<text class="chart-value" x="{x + col_w * 0.3:.1f}" y="{base - h - 3:.1f}"'
            f' text-anchor="middle">'
            f"{escape(_num(value))}</text>"
            f'<text class="chart-label" x="{x + col_w * 0.3:.1f}" y="{height - 6}" text-anchor="middle">'
            f"{escape(label[2:])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and value above is escaped
