"""Charts drawn on the server as inline SVG (for the self-contained report and its PDF)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_HEIGHT = 22
LABEL_WIDTH = 190
BAR_WIDTH = 360
VALUE_WIDTH = 110


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float | None],
              shown: Sequence[str], color: str = "#3b5bdb") -> str:
    """Horizontal bars, one per label, with the value written beside each bar.

    `shown` are the values as text; the chart has a <title> and role="img" with an
    aria-label, and the same numbers are also given in the report's tables.
    """
    top = max((v or 0 for v in values), default=0) or 1
    height = BAR_HEIGHT * len(labels) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    bars = []
    for i, (label, value, text) in enumerate(zip(labels, values, shown, strict=True)):
        y = 4 + i * BAR_HEIGHT
        length = max(0.0, (value or 0) / top * BAR_WIDTH)
        bars.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{BAR_HEIGHT - 6}"'
            f' fill="{color}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}">{escape(text)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#212529">'
        f'<title>{escape(title)}</title>{"".join(bars)}</svg>'
    )
