"""Small server-rendered SVG bar charts (no JavaScript), labelled with numbers, not colour alone."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def bars(rows: list[tuple[Any, int]], *, title: str, width: int = 560, bar_h: int = 26) -> SafeString:
    top = max((n for _l, n in rows), default=0) or 1
    label_w = 210
    h = len(rows) * (bar_h + 8) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {h}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, n) in enumerate(rows):
        y = 10 + i * (bar_h + 8)
        w = int((width - label_w - 60) * n / top)
        out.append(
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.68:.0f}" font-size="13" text-anchor="end" fill="#1d2430">'
            f"{escape(str(label))}</text>"
        )
        out.append(f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="#0b5cad"/>')
        out.append(
            f'<text x="{label_w + max(w, 1) + 6}" y="{y + bar_h * 0.68:.0f}" font-size="13" fill="#1d2430">{n}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text is escaped
