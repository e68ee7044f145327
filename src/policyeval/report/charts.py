"""Charts as inline SVG, written by hand: deterministic, self-contained, accessible.

Every chart is a ``<svg role="img">`` with a ``<title>`` and a ``<desc>``
(its text alternative), coordinates rounded to one decimal, and ids built
from the ``key`` the caller gives, so equal inputs give equal bytes. Colour
never carries meaning alone: levels and counts are also written as text.

>>> svg = radar_chart([("A", 3.0, "Fair"), ("B", 4.0, "Good"), ("C", 2.0, "Poor")],
...                   minimum=1, maximum=4, title="Scores", description="A 3, B 4, C 2", key="r")
>>> svg.startswith('<svg') and '<title id="r-title">Scores</title>' in svg
True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import attrs
from markupsafe import escape

__all__ = [
    "GraphNode",
    "bar_chart",
    "driver_chart",
    "framework_graph",
    "heatmap",
    "level_colour",
    "radar_chart",
    "wrap",
]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1b1b1b"
MUTED = "#555555"
GRID = "#b8b8b8"
ACCENT = "#1f5f99"
UNDEFINED = "#eeeeee"

# Light, print-friendly fills from weak (warm) to strong (cool); dark text stays readable on all.
_STOPS = ((0.0, (244, 184, 172)), (0.5, (250, 226, 150)), (1.0, (168, 214, 186)))


def level_colour(rank: int | None, count: int) -> str:
    """The fill for a level: ``rank`` 0 is the weakest of ``count`` levels; ``None`` is undefined.

    >>> level_colour(0, 4), level_colour(3, 4), level_colour(None, 4)
    ('#f4b8ac', '#a8d6ba', '#eeeeee')
    """
    if rank is None or count < 1:
        return UNDEFINED
    position = 1.0 if count == 1 else rank / (count - 1)
    for (low, low_rgb), (high, high_rgb) in itertools.pairwise(_STOPS):
        if position <= high:
            share = (position - low) / (high - low)
            rgb = tuple(round(a + (b - a) * share) for a, b in zip(low_rgb, high_rgb, strict=True))
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#{:02x}{:02x}{:02x}".format(*_STOPS[-1][1])


def _count_colour(count: int, most: int) -> str:
    if count <= 0 or most <= 0:
        return "#ffffff"
    low, high = (222, 235, 247), (120, 172, 216)
    share = count / most
    rgb = tuple(round(a + (b - a) * share) for a, b in zip(low, high, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters, at spaces where possible.

    >>> wrap("Sarana prasarana dan teknologi", 16)
    ['Sarana prasarana', 'dan teknologi']
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return lines


def _n(number: float) -> str:
    text = f"{number:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _e(text: str) -> str:
    return str(escape(text))


def _open(key: str, width: float, height: float, title: str, description: str) -> list[str]:
    return [
        f'<svg class="chart" role="img" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" aria-labelledby="{_e(key)}-title {_e(key)}-desc" '
        f'font-family="{FONT}" font-size="12" fill="{INK}">',
        f'<title id="{_e(key)}-title">{_e(title)}</title>',
        f'<desc id="{_e(key)}-desc">{_e(description)}</desc>',
    ]


def _text(
    x: float,
    y: float,
    lines: Sequence[str],
    *,
    anchor: str = "middle",
    size: float = 12,
    weight: str | None = None,
    fill: str | None = None,
) -> str:
    attributes = f'x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"'
    if size != 12:
        attributes += f' font-size="{_n(size)}"'
    if weight:
        attributes += f' font-weight="{weight}"'
    if fill:
        attributes += f' fill="{fill}"'
    if len(lines) == 1:
        return f"<text {attributes}>{_e(lines[0])}</text>"
    spans = "".join(
        f'<tspan x="{_n(x)}" dy="{"0" if index == 0 else _n(size * 1.2)}">{_e(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f"<text {attributes}>{spans}</text>"


def radar_chart(
    axes: Sequence[tuple[str, float | None, str]],
    *,
    minimum: float,
    maximum: float,
    title: str,
    description: str,
    key: str,
    ticks: Sequence[tuple[float, str]] = (),
) -> str:
    """A radar (spider) chart of scores on ``minimum``..``maximum``.

    ``axes`` holds ``(label, score, value text)`` per axis; a ``None`` score
    is left off the polygon and its value text says so. ``ticks`` draws a
    ring per ``(score, label)``. With fewer than three axes a radar says
    little, so :func:`bar_chart` is drawn instead.

    >>> svg = radar_chart([("A", 1.0, "1"), ("B", None, "undefined")], minimum=0, maximum=2,
    ...                   title="t", description="d", key="k")
    >>> 'class="bar"' in svg  # two axes: drawn as bars
    True
    """
    if len(axes) < 3:
        return bar_chart(
            axes, minimum=minimum, maximum=maximum, title=title, description=description, key=key
        )
    radius = 140.0
    label_room = 150.0
    width = 2 * (radius + label_room)
    height = 2 * radius + 2 * 70
    cx, cy = width / 2, radius + 70
    span = (maximum - minimum) or 1.0

    def point(index: int, score: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / len(axes)
        share = min(max((score - minimum) / span, 0.0), 1.0)
        return cx + radius * share * math.cos(angle), cy + radius * share * math.sin(angle)

    out = _open(key, width, height, title, description)
    out.append('<g class="grid" fill="none" stroke="' + GRID + '" stroke-width="1">')
    rings = [score for score, _ in ticks] or [minimum, maximum]
    for score in rings:
        corners = " ".join(
            f"{_n(x)},{_n(y)}" for x, y in (point(i, score) for i in range(len(axes)))
        )
        out.append(f'<polygon points="{corners}"/>')
    for index in range(len(axes)):
        x, y = point(index, maximum)
        out.append(f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}"/>')
    out.append("</g>")
    defined = [(i, score) for i, (_, score, _) in enumerate(axes) if score is not None]
    if len(defined) >= 2:
        corners = " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(i, s) for i, s in defined))
        out.append(
            f'<polygon class="values" points="{corners}" fill="{ACCENT}" fill-opacity="0.22" '
            f'stroke="{ACCENT}" stroke-width="2.5" stroke-linejoin="round"/>'
        )
    out.append(f'<g class="points" fill="{ACCENT}">')
    for index, score in defined:
        x, y = point(index, score)
        out.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5"/>')
    out.append("</g>")
    # Ring labels go halfway between the last axis and the first, where no data point sits,
    # on top of the polygon with a white halo so that they stay readable over it.
    out.append(
        f'<g class="ticks" fill="{MUTED}" stroke="#ffffff" stroke-width="3" '
        'stroke-linejoin="round" paint-order="stroke">'
    )
    between = -math.pi / 2 - math.pi / len(axes)
    reach = math.cos(math.pi / len(axes))  # the ring's edge lies this far in, between axes
    for score, label in ticks:
        # the lowest ring is the centre, where a lowest-scored point sits: keep a little away
        distance = max(radius * min(max((score - minimum) / span, 0.0), 1.0) * reach, 20.0)
        x = cx + distance * math.cos(between)
        y = cy + distance * math.sin(between)
        out.append(_text(x - 4, y - 4, [f"{label} ({_n(score)})"], anchor="end", size=11))
    out.append("</g>")
    out.append('<g class="axis-labels">')
    for index, (label, _, value) in enumerate(axes):
        angle = -math.pi / 2 + 2 * math.pi * index / len(axes)
        cos, sin = math.cos(angle), math.sin(angle)
        x, y = cx + (radius + 14) * cos, cy + (radius + 14) * sin
        anchor = "start" if cos > 0.25 else "end" if cos < -0.25 else "middle"
        lines = wrap(label, 18)
        block = (len(lines) + 1) * 16.8
        top = y - block / 2 + 12 if abs(sin) < 0.75 else (y + 12 if sin > 0 else y - block + 12)
        out.append(_text(x, top, lines, anchor=anchor, size=14, weight="600"))
        out.append(_text(x, top + len(lines) * 16.8, [value], anchor=anchor, size=13))
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(
    bars: Sequence[tuple[str, float | None, str]],
    *,
    minimum: float,
    maximum: float,
    title: str,
    description: str,
    key: str,
) -> str:
    """Horizontal bars of scores on ``minimum``..``maximum``, one per ``(label, score, value text)``.

    >>> svg = bar_chart([("A", 3.0, "3.00 Fair")], minimum=1, maximum=4,
    ...                 title="t", description="d", key="b")
    >>> svg.count('class="bar"')
    1
    """
    label_width, plot_width, row = 220.0, 300.0, 34.0
    width = label_width + plot_width + 150
    height = row * len(bars) + 16
    span = (maximum - minimum) or 1.0
    out = _open(key, width, height, title, description)
    for index, (label, score, value) in enumerate(bars):
        y = 8 + index * row
        out.append(_text(label_width - 8, y + 21, [label], anchor="end", weight="600"))
        out.append(
            f'<rect x="{_n(label_width)}" y="{_n(y + 6)}" width="{_n(plot_width)}" height="22" '
            f'fill="none" stroke="{GRID}"/>'
        )
        if score is not None:
            share = min(max((score - minimum) / span, 0.0), 1.0)
            out.append(
                f'<rect class="bar" x="{_n(label_width)}" y="{_n(y + 6)}" '
                f'width="{_n(plot_width * share)}" height="22" fill="{ACCENT}" fill-opacity="0.6"/>'
            )
        else:
            out.append('<g class="bar" data-undefined="true"></g>')
        out.append(_text(label_width + plot_width + 8, y + 21, [value], anchor="start"))
    out.append("</svg>")
    return "\n".join(out)


def _index(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def driver_chart(
    groups: Sequence[tuple[str, Sequence[tuple[str, float | None, float | None]]]],
    *,
    title: str,
    description: str,
    key: str,
    total_text: str,
    empty_text: str,
) -> str:
    """Bars of sensitivity indices on 0..1: per ``(heading, bars)`` group, one bar per
    ``(input label, first-order index, total index)``.

    The first-order index is a filled bar, the total index (when given) an
    outline around it; both are also written as numbers. A group with no bars
    says ``empty_text``.

    >>> svg = driver_chart([("Programme", [("aggregator", 0.8, 0.9), ("weight", 0.1, None)]),
    ...                     ("Finance", [])], title="t", description="d", key="k",
    ...                    total_text="total", empty_text="none")
    >>> svg.count('class="bar"'), svg.count('class="total"'), "total 0.90" in svg, "none" in svg
    (2, 1, True, True)
    """
    label_width, plot_width, row, head, line = 300.0, 240.0, 26.0, 26.0, 14.4
    width = label_width + plot_width + 130
    # Long labels wrap onto more lines, each bar's row growing with them.
    wrapped = [[wrap(label, 46) for label, _, _ in bars] for _, bars in groups]
    heights = [[row + line * (len(lines) - 1) for lines in group] for group in wrapped]
    height = 8 + sum(head + (sum(group) if group else row) for group in heights)
    out = _open(key, width, height, title, description)
    y = 8.0
    for (heading, bars), labels, rows in zip(groups, wrapped, heights, strict=True):
        out.append(_text(8, y + 17, [heading], anchor="start", weight="600"))
        y += head
        if not bars:
            out.append(_text(label_width, y + 16, [empty_text], anchor="start", fill=MUTED))
            y += row
            continue
        for (_, first, total), lines, size in zip(bars, labels, rows, strict=True):
            middle = y + size / 2
            out.append(
                _text(
                    label_width - 8, middle + 4 - line * (len(lines) - 1) / 2, lines, anchor="end"
                )
            )
            out.append(
                f'<rect x="{_n(label_width)}" y="{_n(middle - 8)}" width="{_n(plot_width)}" '
                f'height="16" fill="none" stroke="{GRID}"/>'
            )
            share = min(max(first or 0.0, 0.0), 1.0)
            out.append(
                f'<rect class="bar" x="{_n(label_width)}" y="{_n(middle - 8)}" '
                f'width="{_n(plot_width * share)}" height="16" fill="{ACCENT}" fill-opacity="0.6"/>'
            )
            value = _index(first)
            if total is not None:
                outline = min(max(total, 0.0), 1.0)
                out.append(
                    f'<rect class="total" x="{_n(label_width)}" y="{_n(middle - 10)}" '
                    f'width="{_n(plot_width * outline)}" height="20" fill="none" '
                    f'stroke="{INK}" stroke-width="1.5"/>'
                )
                value += f" · {total_text} {_index(total)}"
            out.append(_text(label_width + plot_width + 8, middle + 4, [value], anchor="start"))
            y += size
    out.append("</svg>")
    return "\n".join(out)


@attrs.frozen
class GraphNode:
    """A box of the framework graph: id, label, level text, fill, parents and depth."""

    id: str
    label: str
    level: str
    fill: str
    parents: tuple[str, ...] = ()
    depth: int = 0


@attrs.frozen
class _Box:
    x: float  # centre
    top: float
    width: float
    height: float

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def bottom(self) -> float:
        return self.top + self.height


def _graph_layout(
    nodes: Sequence[GraphNode], first_children: dict[str, list[str]], stacked: set[str]
) -> tuple[dict[str, _Box], dict[str, list[str]], float]:
    """Boxes for every node; leaves under a ``stacked`` parent go in a column below it."""
    box_width, gap, line = (176.0, 14.0, 13.0) if stacked else (104.0, 10.0, 13.0)
    chars = int((box_width - 12) / 6.6)
    lines = {node.id: len(wrap(node.label, chars)) for node in nodes}
    in_stack = {child for parent in stacked for child in first_children[parent]}
    x_of: dict[str, float] = {}
    slot = 0

    def place(start: str) -> None:
        # Post-order without recursion: leaves take the next slot, a parent centres over its children.
        nonlocal slot
        stack = [(start, False)]
        while stack:
            node_id, expanded = stack.pop()
            children = first_children[node_id]
            if not children or node_id in stacked:
                x_of[node_id] = slot * (box_width + gap) + box_width / 2 + 10
                slot += 1
            elif expanded:
                positions = [x_of[child] for child in children]
                x_of[node_id] = (min(positions) + max(positions)) / 2
            else:
                stack.append((node_id, True))
                stack.extend((child, False) for child in reversed(children))

    known = {node.id for node in nodes}
    for node in nodes:
        if node.id not in x_of and (not node.parents or node.parents[0] not in known):
            place(node.id)

    def height(node_id: str) -> float:
        return (lines[node_id] + 1) * line + 14

    row_height: dict[int, float] = {}
    for node in nodes:  # one pass: the tallest box of each row
        if node.id not in in_stack:
            row_height[node.depth] = max(row_height.get(node.depth, 0.0), height(node.id))
    depths = sorted(row_height)
    row_top: dict[int, float] = {}
    top = 10.0
    for depth in depths:
        row_top[depth] = top
        top += row_height[depth] + 42
    boxes: dict[str, _Box] = {}
    for node in nodes:
        if node.id not in in_stack:
            boxes[node.id] = _Box(
                x_of[node.id], row_top[node.depth], box_width, row_height[node.depth]
            )
    for parent in stacked:
        below = boxes[parent].bottom + 14
        for child in first_children[parent]:
            indent = 22.0
            boxes[child] = _Box(
                boxes[parent].x + indent / 2, below, box_width - indent, height(child)
            )
            below += height(child) + 8
    width = max(slot, 1) * (box_width + gap) + 10
    return boxes, {node.id: wrap(node.label, chars) for node in nodes}, width


def framework_graph(
    nodes: Sequence[GraphNode],
    *,
    title: str,
    description: str,
    key: str,
    max_width: float = 1060.0,
) -> str:
    """A layered, top-down diagram of a framework: one row of boxes per depth.

    ``nodes`` come in depth-first order from the root (each node after its
    first parent); the leaves are spread evenly and every inner node is
    centred over the children it is drawn with. When that is wider than
    ``max_width``, the leaves of each parent are stacked in a column below
    it instead, so labels stay legible. Each box shows the label and the
    level as text, and is filled with the level's colour.

    >>> svg = framework_graph([GraphNode("r", "Root", "Good", "#a8d6ba"),
    ...                        GraphNode("a", "A", "Fair", "#fae296", ("r",), 1)],
    ...                       title="t", description="d", key="g")
    >>> svg.count('class="node"'), svg.count('class="edge"')
    (2, 1)
    """
    first_children: dict[str, list[str]] = {node.id: [] for node in nodes}
    for node in nodes:
        if node.parents and node.parents[0] in first_children:
            first_children[node.parents[0]].append(node.id)
    stacked: set[str] = set()
    boxes, label_lines, width = _graph_layout(nodes, first_children, stacked)
    if width > max_width:
        stacked = {
            node.id
            for node in nodes
            if first_children[node.id]
            and all(not first_children[child] for child in first_children[node.id])
        }
        boxes, label_lines, width = _graph_layout(nodes, first_children, stacked)
    height = max(box.bottom for box in boxes.values()) + 10
    out = _open(key, width, height, title, description)
    out.append(f'<g fill="none" stroke="{MUTED}" stroke-width="1.2">')
    for node in nodes:
        child = boxes[node.id]
        for index, parent in enumerate(node.parents):
            if parent not in boxes:
                continue
            above = boxes[parent]
            if index == 0 and parent in stacked:
                spine = above.left + 11
                middle = child.top + child.height / 2
                out.append(
                    f'<path class="edge" d="M{_n(spine)} {_n(above.bottom)} V{_n(middle)} '
                    f'H{_n(child.left)}"/>'
                )
                continue
            middle = child.top - 21
            out.append(
                f'<path class="edge" d="M{_n(above.x)} {_n(above.bottom)} V{_n(middle)} '
                f'H{_n(child.x)} V{_n(child.top)}"/>'
            )
    out.append("</g>")
    for node in nodes:
        box = boxes[node.id]
        lines = label_lines[node.id]
        dashed = ' stroke-dasharray="4 3"' if node.fill == UNDEFINED else ""
        out.append(f'<g class="node" data-node="{_e(node.id)}">')
        out.append(
            f'<rect x="{_n(box.left)}" y="{_n(box.top)}" width="{_n(box.width)}" '
            f'height="{_n(box.height)}" rx="5" fill="{node.fill}" stroke="{MUTED}"{dashed}/>'
        )
        out.append(_text(box.x, box.top + 16, lines, size=11, weight="600"))
        out.append(_text(box.x, box.top + 16 + len(lines) * 13 + 2, [node.level], size=11))
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[tuple[int, int]]],
    *,
    title: str,
    description: str,
    key: str,
) -> str:
    """A matrix of counts: ``cells[row][column]`` is ``(agreeing, total)``.

    A cell reads ``total`` when every item agrees and ``agreeing/total``
    otherwise; it is shaded by ``total`` and empty cells stay white.

    >>> svg = heatmap(["Competence"], ["interview", "documents"], [[(2, 2), (1, 2)]],
    ...               title="t", description="d", key="h")
    >>> ">2<" in svg and ">1/2<" in svg
    True
    """
    label_width = max([len(row) for row in rows] + [8]) * 6.6 + 16
    header_lines = [wrap(column, 13) for column in columns]
    widths = [max(56.0, max(len(line) for line in lines) * 7.2 + 16) for lines in header_lines]
    lefts = [label_width + sum(widths[:index]) for index in range(len(widths))]
    cell_height = 26.0
    header_height = max((len(lines) for lines in header_lines), default=1) * 14 + 10
    width = label_width + sum(widths) + 4
    height = header_height + cell_height * len(rows) + 4
    most = max((total for row in cells for _, total in row), default=0)
    out = _open(key, width, height, title, description)
    for index, lines in enumerate(header_lines):
        x = lefts[index] + widths[index] / 2
        top = header_height - 8 - (len(lines) - 1) * 14
        out.append(_text(x, top, lines, weight="600"))
    for row_index, (label, row) in enumerate(zip(rows, cells, strict=True)):
        y = header_height + row_index * cell_height
        out.append(_text(label_width - 8, y + 17, [label], anchor="end"))
        for column_index, (agreeing, total) in enumerate(row):
            x, cell_width = lefts[column_index], widths[column_index]
            out.append(
                f'<rect class="cell" x="{_n(x)}" y="{_n(y)}" width="{_n(cell_width)}" '
                f'height="{_n(cell_height)}" fill="{_count_colour(total, most)}" '
                f'stroke="#d0d0d0"/>'
            )
            if total:
                said = str(total) if agreeing == total else f"{agreeing}/{total}"
                out.append(_text(x + cell_width / 2, y + 17, [said], weight="600"))
    out.append("</svg>")
    return "\n".join(out)
