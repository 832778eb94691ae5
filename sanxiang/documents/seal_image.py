"""The seal's picture at the 落款 (GB/T 9704: 印章端正、居中下压发文机关署名和成文日期).

The picture is only drawn on a PDF that also carries the agency's PAdES signature
(``sealing``): a printed seal without the signature behind it would be a forgery's look.
"""

from __future__ import annotations

import base64
import math
from html import escape

SIZE = 160  # SVG user units; the template prints it 40 mm wide
RED = "#d9001b"


def _star(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return f'<polygon points="{" ".join(points)}" fill="{RED}"/>'


def _arc_text(text: str, cx: float, cy: float, radius: float, font_size: float) -> str:
    """Characters set clockwise along the upper arc, each upright to the centre."""
    n = len(text)
    if n == 0:
        return ""
    span = min(240.0, 17.0 * n + 20.0)  # degrees the name covers
    start = -90 - span / 2
    step = span / max(n - 1, 1)
    glyphs = []
    for i, char in enumerate(text):
        angle = start + i * step if n > 1 else -90.0
        rad = math.radians(angle)
        x, y = cx + radius * math.cos(rad), cy + radius * math.sin(rad)
        glyphs.append(
            f'<text x="{x:.2f}" y="{y:.2f}" transform="rotate({angle + 90:.2f} {x:.2f} {y:.2f})" '
            f'font-size="{font_size:.1f}" text-anchor="middle" dominant-baseline="central" '
            f'fill="{RED}">{escape(char)}</text>'
        )
    return "".join(glyphs)


def seal_svg(agency_name: str, *, label: str = "") -> str:
    c = SIZE / 2
    font = 16.0 if len(agency_name) <= 12 else 13.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" font-family="Noto Serif CJK SC, serif" '
        'font-weight="bold">',
        f'<circle cx="{c}" cy="{c}" r="{c - 4}" fill="none" stroke="{RED}" stroke-width="5"/>',
        _star(c, c, 24),
        _arc_text(agency_name, c, c, c - 22, font),
    ]
    if label:
        parts.append(
            f'<text x="{c}" y="{c + 44}" font-size="13" text-anchor="middle" fill="{RED}">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def seal_data_uri(agency_name: str, *, label: str = "") -> str:
    data = base64.b64encode(seal_svg(agency_name, label=label).encode()).decode()
    return f"data:image/svg+xml;base64,{data}"
