"""The 执法流程图 as server-side SVG, drawn from the procedure definition itself.

Stages are laid out top to bottom by their longest forward path from the first stage; steps to
the next row are straight arrows with their label, steps that skip rows run in lanes on the right,
steps back (退回) in lanes on the left. Only presentation attributes are used (no ``style``), so
the SVG can be inlined under the ``'self'``-only CSP and also served as an image.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .definitions import Definition, Step

NODE_H = 34
ROW_GAP = 30
CHAR_W = 14
LABEL_CHAR_W = 11.5
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
COLORS = {
    "node": "#f8f9fa",
    "node_stroke": "#6c757d",
    "current": "#0d6efd",
    "current_text": "#ffffff",
    "final": "#e9ecef",
    "edge": "#495057",
    "head": "#b35c00",
    "text": "#212529",
    "muted": "#6c757d",
}


@dataclass
class Box:
    code: str
    label: str
    row: int
    x: float = 0
    y: float = 0
    w: float = 0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + NODE_H / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + NODE_H


def rows_of(definition: Definition) -> dict[str, int]:
    """Row of each stage: longest path from the first stage over forward steps."""
    order = {s.code: i for i, s in enumerate(definition.stages)}
    row = {definition.initial.code: 0}
    for stage in definition.stages:  # stages are listed in procedural order
        here = row.get(stage.code, 0)
        row.setdefault(stage.code, here)
        for step in definition.next_steps(stage.code):
            if order[step.target] > order[stage.code]:
                row[step.target] = max(row.get(step.target, 0), here + 1)
    return row


def _layout(definition: Definition, left_lanes: int) -> tuple[list[Box], float]:
    rows = rows_of(definition)
    boxes = [Box(s.code, s.label, rows[s.code]) for s in definition.stages]
    width = max(len(b.label) for b in boxes) * CHAR_W + 36
    per_row: dict[int, list[Box]] = {}
    for box in boxes:
        per_row.setdefault(box.row, []).append(box)
    widest = max(len(v) for v in per_row.values())
    column_w = widest * (width + 40)
    origin = 24 + left_lanes * 14 + 12
    for row, members in per_row.items():
        span = len(members) * width + (len(members) - 1) * 40
        start = origin + (column_w - span) / 2
        for i, box in enumerate(members):
            box.w = width
            box.x = start + i * (width + 40)
            box.y = 20 + row * (NODE_H + ROW_GAP)
    return boxes, origin + column_w


def _arrow(x: float, y: float, direction: str, color: str) -> str:
    tips = {
        "down": f"{x},{y} {x - 5},{y - 8} {x + 5},{y - 8}",
        "left": f"{x},{y} {x + 8},{y - 5} {x + 8},{y + 5}",
        "right": f"{x},{y} {x - 8},{y - 5} {x - 8},{y + 5}",
    }
    return f'<polygon points="{tips[direction]}" fill="{color}"/>'


def _title(step: Step, definition: Definition) -> str:
    who = "负责人批准" if step.head_approval else "办案人员"
    route = f"{definition.label_of(step.source)} → {definition.label_of(step.target)}"
    text = f"{route}：{step.label}（{who}）"
    if step.documents:
        text += "；文书：" + "、".join(step.documents)
    return f"<title>{escape(text)}</title>"


def _stroke(step: Step) -> tuple[str, str]:
    """Colour and dash of a step's line: head approvals stand out (行政处罚法 第54、57条)."""
    if step.head_approval:
        return COLORS["head"], ' stroke-dasharray="5 3"'
    return COLORS["edge"], ""


def _next_row_step(step: Step, src: Box, tgt: Box, definition: Definition) -> str:
    color, dash = _stroke(step)
    x1, y1, x2, y2 = src.cx, src.bottom, tgt.cx, tgt.y
    return (
        f'<g class="step">{_title(step, definition)}'
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2 - 7}" stroke="{color}" '
        f'stroke-width="1.5"{dash}/>{_arrow(x2, y2, "down", color)}'
        f'<text x="{(x1 + x2) / 2 + 8}" y="{(y1 + y2) / 2 + 4}" font-size="11" '
        f'fill="{COLORS["muted"]}">{escape(step.label)}</text></g>'
    )


def _skip_step(step: Step, src: Box, tgt: Box, x: float, lane: int, definition: Definition) -> str:
    color, dash = _stroke(step)
    ys, yt = src.cy - 6 + (lane % 3) * 6, tgt.cy - 6 + (lane % 3) * 6
    return (
        f'<g class="step">{_title(step, definition)}'
        f'<path d="M{src.right},{ys} H{x} V{yt} H{tgt.right + 8}" fill="none" '
        f'stroke="{color}" stroke-width="1.2"{dash}/>'
        f"{_arrow(tgt.right, yt, 'left', color)}</g>"
    )


def _back_step(step: Step, src: Box, tgt: Box, x: float, definition: Definition) -> str:
    ys, yt = src.cy + 5, tgt.cy + 5
    return (
        f'<g class="step">{_title(step, definition)}'
        f'<path d="M{src.x},{ys} H{x} V{yt} H{tgt.x - 8}" fill="none" '
        f'stroke="{COLORS["muted"]}" stroke-width="1.2" stroke-dasharray="2 3"/>'
        f"{_arrow(tgt.x, yt, 'right', COLORS['muted'])}</g>"
    )


def _stage_node(box: Box, *, final: bool, current: bool) -> str:
    fill = COLORS["current"] if current else COLORS["final" if final else "node"]
    stroke = COLORS["current"] if current else COLORS["node_stroke"]
    text_fill = COLORS["current_text"] if current else COLORS["text"]
    weight = ' font-weight="bold"' if current else ""
    marker = ' aria-current="step"' if current else ""
    inner = (
        f'<rect x="{box.x + 3}" y="{box.y + 3}" width="{box.w - 6}" '
        f'height="{NODE_H - 6}" rx="6" fill="none" stroke="{stroke}"/>'
        if final
        else ""
    )
    return (
        f'<g class="stage" data-stage="{box.code}"{marker}>'
        f"<title>{escape(box.label)}{'（当前阶段）' if current else ''}</title>"
        f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{NODE_H}" rx="8" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{2.5 if current else 1.2}"/>'
        f"{inner}"
        f'<text x="{box.cx}" y="{box.cy + 5}" text-anchor="middle" font-size="14" '
        f'fill="{text_fill}"{weight}>{escape(box.label)}</text></g>'
    )


def render_svg(
    definition: Definition,
    current_stage: str | None = None,
    *,
    title: str | None = None,
    figures: Mapping[str, tuple[int, str]] | None = None,
) -> str:
    """The flowchart of ``definition``; ``current_stage`` is highlighted (a case's own chart).

    ``title`` names a matter's chart; ``figures`` (rule code → days, unit) shows an agency's own
    deadline figures instead of the definition's defaults.
    """
    order = {s.code: i for i, s in enumerate(definition.stages)}
    rows = rows_of(definition)
    back = [s for s in definition.steps if order[s.target] < order[s.source]]
    skip = [
        s
        for s in definition.steps
        if order[s.target] > order[s.source] and rows[s.target] - rows[s.source] != 1
    ]
    boxes, column_right = _layout(definition, len(back))
    by_code = {b.code: b for b in boxes}
    parts: list[str] = []
    label_right = column_right
    for step in definition.steps:
        if step not in back and step not in skip:
            src, tgt = by_code[step.source], by_code[step.target]
            parts.append(_next_row_step(step, src, tgt, definition))
            mid = (src.cx + tgt.cx) / 2 + 8
            label_right = max(label_right, mid + len(step.label) * LABEL_CHAR_W)
    lanes_from = label_right + 10  # skipping lanes run right of the step labels
    for lane, step in enumerate(skip):
        src, tgt = by_code[step.source], by_code[step.target]
        parts.append(_skip_step(step, src, tgt, lanes_from + lane * 14, lane, definition))
    for lane, step in enumerate(back):
        src, tgt = by_code[step.source], by_code[step.target]
        parts.append(_back_step(step, src, tgt, 24 + lane * 14, definition))
    for box in boxes:
        final = definition.stage(box.code).final
        parts.append(_stage_node(box, final=final, current=box.code == current_stage))
    legend_y = max(b.bottom for b in boxes) + 28
    legend, legend_chars = _legend(definition, legend_y, figures or {})
    width = max(lanes_from + len(skip) * 14, 24 + legend_chars * 12.5) + 16
    height = legend_y + 18 * (len(definition.deadlines) + 1) + 10
    title = escape(title or f"{definition.label}流程图")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{title}" '
        f'font-family="{FONT}" class="sx-flowchart">'
        f"<title>{title}</title>" + "".join(parts) + legend + "</svg>"
    )


def _legend(
    definition: Definition, y: float, figures: Mapping[str, tuple[int, str]]
) -> tuple[str, int]:
    lines = [
        f'<line x1="24" y1="{y - 4}" x2="56" y2="{y - 4}" stroke="{COLORS["head"]}" '
        f'stroke-width="1.5" stroke-dasharray="5 3"/>'
        f'<text x="62" y="{y}" font-size="12" fill="{COLORS["text"]}">须负责人批准</text>'
        f'<line x1="170" y1="{y - 4}" x2="202" y2="{y - 4}" stroke="{COLORS["muted"]}" '
        f'stroke-width="1.2" stroke-dasharray="2 3"/>'
        f'<text x="208" y="{y}" font-size="12" fill="{COLORS["text"]}">退回</text>'
    ]
    longest = 16
    for i, rule in enumerate(definition.deadlines, start=1):
        days, unit = figures.get(rule.code, (rule.days, rule.unit))
        unit_label = "个工作日" if unit == "working" else "日"
        start = definition.label_of(rule.starts_at_stage)
        text = f"时限：{rule.label} {days}{unit_label}（自{start}起）"
        longest = max(longest, len(text))
        lines.append(
            f'<text x="24" y="{y + 18 * i}" font-size="12" fill="{COLORS["muted"]}">'
            f"<title>{escape(rule.basis)}</title>{escape(text)}</text>"
        )
    return "".join(lines), longest
