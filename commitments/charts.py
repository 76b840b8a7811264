"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, nothing fetched by the reader.

Each function returns markup for an `<svg role="img">` with a <title> and <desc>; the page puts
a table with the same figures beside it. Every piece of text is escaped here (format_html), so a
party or pledge name cannot inject markup. Styling comes from classes in dashboard.css, with
plain fills as a fallback."""

import datetime
import textwrap
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from .formatting import written_date

WIDTH = 400  # viewBox units; CSS caps the drawn width so 14-unit text stays readable on a phone
ROW_HEIGHT = 46
BAR_HEIGHT = 14
LINE_HEIGHT = 17  # a wrapped label's next line


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart. `low`..`high` is a range (a plain bar has low == high); both
    None means the row has no number, and is drawn without a bar, never as zero."""

    label: str
    low: Decimal | int | None
    high: Decimal | int | None
    text: str
    href: str = ""
    note: str = ""


@dataclass(frozen=True)
class Event:
    """A dated point on the timeline: a meeting (circle) or a text (square)."""

    number: int
    date: datetime.date
    kind: str  # "summit" or "declaration"
    label: str
    href: str
    tentative: bool = False  # a planned meeting or a draft text: drawn hollow


def _svg(chart_id: str, title: str, description: str, height: int, body: SafeString, css: str) -> SafeString:
    return format_html(
        '<svg class="chart {css}" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>{body}</svg>',
        css=css,
        width=WIDTH,
        height=height,
        id=chart_id,
        title=title,
        description=description,
        body=body,
    )


def _text_width(text: str, font_size: int = 14) -> float:
    """A generous estimate of rendered width for a sans-serif font (no font metrics on the server)."""
    return len(text) * font_size * 0.6


def _join(parts: list[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _link(href: str, inner: SafeString) -> SafeString:
    return format_html('<a href="{}">{}</a>', href, inner) if href else inner


def _wrap(text: str, width: float, font_size: int = 14) -> list[str]:
    """A label broken into lines that fit `width` (never cut: a long name takes two lines)."""
    most = max(int(width / (font_size * 0.6)), 8)
    return textwrap.wrap(text, most) or [""]


def bar_chart(chart_id: str, bars: list[Bar], *, title: str, description: str) -> SafeString:
    """Horizontal bars, the whole label above each bar (wrapped, never shortened) and the figure
    just past the bar's end, so a short bar still reads. A range draws solid up to `low` and
    lighter from `low` to `high`; a row without a number draws no bar, only its words."""
    highs = [float(b.high if b.high is not None else b.low) for b in bars if b.low is not None or b.high is not None]
    scale_max = max([*highs, 0.0]) or 1.0
    # The bars leave room at the right for the longest figure written after them.
    bar_room = max(WIDTH - max((_text_width(b.text) for b in bars), default=0) - 8, WIDTH / 3)

    def x(value) -> float:
        return round(float(value or 0) / scale_max * bar_room, 2)

    parts = []
    y = 0
    for bar in bars:
        lines = _wrap(bar.label, WIDTH)
        tspans = format_html_join(
            "",
            '<tspan x="0" dy="{}">{}</tspan>',
            ((0 if i == 0 else LINE_HEIGHT, line) for i, line in enumerate(lines)),
        )
        label = format_html(
            '<text class="label" x="0" y="{}" font-size="14"><title>{}</title>{}</text>', y + 16, bar.label, tspans
        )
        parts.append(_link(bar.href, label))
        bar_y = y + 22 + (len(lines) - 1) * LINE_HEIGHT
        y += ROW_HEIGHT + (len(lines) - 1) * LINE_HEIGHT
        if bar.low is None and bar.high is None:
            parts.append(
                format_html(
                    '<text class="value none" x="0" y="{}" font-size="14">{}</text>',
                    bar_y + BAR_HEIGHT - 2,
                    bar.text,
                )
            )
            continue
        low = bar.low if bar.low is not None else 0
        high = bar.high if bar.high is not None else low
        if x(low) > 0:
            parts.append(
                format_html(
                    '<rect class="bar" x="0" y="{}" width="{}" height="{}" fill="#2b5797"/>', bar_y, x(low), BAR_HEIGHT
                )
            )
        if x(high) > x(low):
            parts.append(
                format_html(
                    '<rect class="bar range" x="{}" y="{}" width="{}" height="{}" fill="#2b5797" fill-opacity="0.4"/>',
                    x(low),
                    bar_y,
                    x(high) - x(low),
                    BAR_HEIGHT,
                )
            )
        if x(high) == 0:
            # A real zero: a hairline, so the row is not read as "no figure".
            parts.append(format_html('<rect class="bar" x="0" y="{}" width="1" height="{}"/>', bar_y, BAR_HEIGHT))
        parts.append(
            format_html(
                '<text class="value" x="{}" y="{}" font-size="14">{}</text>',
                round(max(x(high), 1) + 6, 2),
                bar_y + BAR_HEIGHT - 2,
                bar.text,
            )
        )
    return _svg(chart_id, title, description, y + 4, _join(parts), "chart-bars")


def _months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


BREAK_WIDTH = 18  # viewBox units for a stretch of months without an event
EMPTY_MONTHS_KEPT = 2  # a shorter run of empty months stays on the axis


def fitted_axis(first: datetime.date, last: datetime.date, busy: set[datetime.date], width: float = WIDTH):
    """A month axis that fits its events: a run of more than EMPTY_MONTHS_KEPT months with no
    event (between events) shrinks to a break of BREAK_WIDTH, the months kept share the rest.
    Returns the months kept, the breaks [(first month of the gap, its number of months)] and
    x(date)."""
    months = _months_between(first, last)
    runs, run = [], []
    for month in months:
        if month in busy:
            if len(run) > EMPTY_MONTHS_KEPT:
                runs.append(run)
            run = []
        else:
            run.append(month)
    gapped = {month for gap in runs for month in gap}
    kept = [month for month in months if month not in gapped]
    margin = 12
    month_width = (width - 2 * margin - BREAK_WIDTH * len(runs)) / len(kept)
    starts, position = {}, margin
    breaks = []
    for month in months:
        if month in gapped:
            if month == next(gap[0] for gap in runs if month in gap):
                gap = next(gap for gap in runs if month in gap)
                breaks.append((month, len(gap)))
                for inner in gap:
                    starts[inner] = (position, 0.0)
                position += BREAK_WIDTH
            continue
        starts[month] = (position, month_width)
        position += month_width

    def x(day: datetime.date) -> float:
        start, span = starts[day.replace(day=1)]
        following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        days = (following - day.replace(day=1)).days
        return round(start + (day.day - 1) / days * span, 2)

    return kept, breaks, x


MOST_LEVELS = 6  # markers stacked higher than this: the timeline counts events per month instead


def _month_columns(events: list[Event], x, tallest: float) -> list[SafeString]:
    """A column per month with events, its height their number, its title the first and last
    event's number (the table lists them all)."""
    months: dict[datetime.date, list[Event]] = {}
    for event in events:
        months.setdefault(event.date.replace(day=1), []).append(event)
    most = max(len(group) for group in months.values())
    parts = []
    for month, group in sorted(months.items()):
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        left, right = x(month), x(following - datetime.timedelta(days=1))
        height = round(max(len(group) / most * tallest, 2), 2)
        numbers = sorted(event.number for event in group)
        parts.append(
            format_html(
                '<rect class="month-count" x="{}" y="{}" width="{}" height="{}" fill="#2b5797">'
                "<title>{}</title></rect>",
                left,
                round(tallest + 8 - height, 2),
                round(max(right - left - 1, 1), 2),
                height,
                ngettext(
                    "%(month)s: %(count)s event (numbers %(first)s to %(last)s in the table)",
                    "%(month)s: %(count)s events (numbers %(first)s to %(last)s in the table)",
                    len(group),
                )
                % {
                    "month": written_date(month, "month"),
                    "count": len(group),
                    "first": numbers[0],
                    "last": numbers[-1],
                },
            )
        )
    return parts


def timeline_chart(chart_id: str, events: list[Event], *, title: str, description: str) -> SafeString:
    """Events on a time axis by month; events too close to draw side by side are stacked. Each
    marker carries its number from the table beside the chart and links to its page."""
    if not events:
        return _svg(
            chart_id, title, description, 30, format_html('<text x="0" y="20">{}</text>', gettext("Nothing yet.")), ""
        )
    first = min(e.date for e in events).replace(day=1)
    last = max(e.date for e in events)
    months, breaks, x = fitted_axis(first, last, {e.date.replace(day=1) for e in events})
    radius = 10

    # Greedy stacking: each marker takes the lowest level where it does not touch its neighbour.
    level_ends: list[float] = []
    placed = []
    for event in sorted(events, key=lambda e: (e.date, e.number)):
        ex = x(event.date)
        level = next((i for i, end_x in enumerate(level_ends) if ex - end_x >= 2 * radius + 2), len(level_ends))
        if level == len(level_ends):
            level_ends.append(ex)
        level_ends[level] = ex
        placed.append((event, ex, level))
    # Too many events to draw one by one: a column per month, as tall as its number of events.
    by_month = len(level_ends) > MOST_LEVELS
    axis_y = 8 + (MOST_LEVELS * (2 * radius + 4) if by_month else len(level_ends) * (2 * radius + 4))
    height = axis_y + 40

    parts = [format_html('<line class="axis" x1="0" x2="{}" y1="{}" y2="{}" stroke="#555"/>', WIDTH, axis_y, axis_y)]
    for gap_start, gap_months in breaks:
        bx = x(gap_start)
        parts.append(
            format_html(
                '<g class="break"><title>{} months without an event</title>'
                '<path d="M{} {}h{}v10h-{}z" fill="#fff"/>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#555"/>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#555"/>'
                "</g>",
                gap_months,
                bx + 2,
                axis_y - 5,
                BREAK_WIDTH - 4,
                BREAK_WIDTH - 4,
                bx + 3,
                bx + 9,
                axis_y + 5,
                axis_y - 5,
                bx + BREAK_WIDTH - 9,
                bx + BREAK_WIDTH - 3,
                axis_y + 5,
                axis_y - 5,
            )
        )
    every = 1 if len(months) <= 14 else 3
    for index, month in enumerate(months):
        mx = x(month)
        after_break = index > 0 and _months_between(months[index - 1], month)[1:-1] != []
        parts.append(
            format_html(
                '<line class="tick" x1="{}" x2="{}" y1="{}" y2="{}" stroke="#555"/>', mx, mx, axis_y, axis_y + 5
            )
        )
        if month == months[0] or month.month == 1 or after_break:
            parts.append(
                format_html('<text class="year" x="{}" y="{}" font-size="12">{}</text>', mx, axis_y + 32, month.year)
            )
        if (month.month - 1) % every == 0 or after_break:
            parts.append(
                format_html(
                    '<text class="month" x="{}" y="{}" font-size="11">{}</text>',
                    mx,
                    axis_y + 17,
                    written_date(month, "month_name"),
                )
            )
    if by_month:
        parts.extend(_month_columns(events, x, axis_y - 8))
        return _svg(chart_id, title, description, height, _join(parts), "chart-timeline by-month")
    for event, ex, level in placed:
        cy = axis_y - radius - 4 - level * (2 * radius + 4)
        css = f"marker {event.kind}{' tentative' if event.tentative else ''}"
        if event.kind == "summit":
            shape = format_html('<circle class="{}" cx="{}" cy="{}" r="{}"/>', css, ex, cy, radius)
        else:
            shape = format_html(
                '<rect class="{}" x="{}" y="{}" width="{}" height="{}"/>',
                css,
                ex - radius,
                cy - radius,
                2 * radius,
                2 * radius,
            )
        parts.append(
            format_html(
                '<a href="{}"><title>{}</title>{}<text class="marker-number" x="{}" y="{}" font-size="10" '
                'text-anchor="middle">{}</text></a>',
                event.href,
                event.label,
                shape,
                ex,
                cy + 3.5,
                event.number,
            )
        )
    return _svg(chart_id, title, description, height, _join(parts), "chart-timeline")


# ---------------------------------------------------------------------------------------------
# Pledges by status over time: a stacked bar per period


# A sequence of blues along a pledge's life, greens for its fulfilment, sand and grey for its end;
# the table beside the chart carries the numbers, the key the names.
STATUS_COLOURS = {
    "not_assessable": "#d9d9d9",
    "proposed": "#c6dbef",
    "announced": "#9ecae1",
    "agreed": "#6baed6",
    "committed": "#3182bd",
    "in_implementation": "#08519c",
    "partially_fulfilled": "#a1d99b",
    "fulfilled": "#31a354",
    "stalled": "#fdae6b",
    "withdrawn": "#969696",
}
SHADES = tuple(STATUS_COLOURS.values())


def stacked_chart(
    chart_id: str,
    rows: list[tuple[str, list[int]]],
    series: list[str],
    *,
    title: str,
    description: str,
    colours: list[str] | None = None,
) -> SafeString:
    """One horizontal bar per row (a period), cut into the row's counts per series, in the order
    of `series` (each in its colour of `colours`), with the row's total after it and a key of the
    series below."""
    colours = colours or [SHADES[number % len(SHADES)] for number in range(len(series))]
    total_max = max((sum(counts) for _, counts in rows), default=0) or 1
    label_w, bar_h, gap = 72, 16, 6
    room = WIDTH - label_w - 40
    parts = []
    for index, (label, counts) in enumerate(rows):
        y = index * (bar_h + gap)
        parts.append(format_html('<text class="label" x="0" y="{}" font-size="12">{}</text>', y + 12, label))
        x = label_w
        for number, count in enumerate(counts):
            if not count:
                continue
            width = round(count / total_max * room, 2)
            parts.append(
                format_html(
                    '<rect class="segment s{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    number,
                    round(x, 2),
                    y,
                    width,
                    bar_h,
                    colours[number],
                    label,
                    count,
                    series[number],
                )
            )
            x += width
        parts.append(
            format_html(
                '<text class="value" x="{}" y="{}" font-size="12">{}</text>', round(x + 4, 2), y + 12, sum(counts)
            )
        )
    key_y = len(rows) * (bar_h + gap) + 8
    used = [number for number in range(len(series)) if any(counts[number] for _, counts in rows)]
    for slot, number in enumerate(used):
        kx, ky = (slot % 3) * (WIDTH / 3), key_y + (slot // 3) * 18
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}" font-size="12">{}</text>',
                kx,
                ky,
                colours[number],
                kx + 16,
                ky + 11,
                series[number],
            )
        )
    height = key_y + ((len(used) + 2) // 3) * 18 + 4
    return _svg(chart_id, title, description, height, _join(parts), "chart-stacked")


# ---------------------------------------------------------------------------------------------
# A matrix: a count in each cell, shaded by its size


def matrix_chart(
    chart_id: str,
    rows: list[str],
    columns: list[str],
    counts: dict[tuple[int, int], int],
    *,
    title: str,
    description: str,
) -> SafeString:
    """Rows (long labels, wrapped) against columns (short labels such as party codes); each cell
    shows its count, darker for more, empty for none."""
    label_w, font = 170, 12
    cell_w = (WIDTH - label_w) / max(len(columns), 1)
    most = max(counts.values(), default=0) or 1
    parts = [
        format_html(
            '<text class="label" x="{}" y="14" font-size="{}" text-anchor="middle">{}</text>',
            round(label_w + (number + 0.5) * cell_w, 2),
            font,
            column,
        )
        for number, column in enumerate(columns)
    ]
    y = 22
    for row_number, row in enumerate(rows):
        lines = _wrap(row, label_w - 6, font)
        row_h = max(22, 6 + len(lines) * 14)
        tspans = format_html_join(
            "", '<tspan x="0" dy="{}">{}</tspan>', ((0 if i == 0 else 14, line) for i, line in enumerate(lines))
        )
        parts.append(format_html('<text class="label" x="0" y="{}" font-size="{}">{}</text>', y + 15, font, tspans))
        for column_number in range(len(columns)):
            count = counts.get((row_number, column_number), 0)
            x = round(label_w + column_number * cell_w, 2)
            shade = round(0.12 + 0.88 * count / most, 2) if count else 0
            parts.append(
                format_html(
                    '<rect class="cell" x="{}" y="{}" width="{}" height="{}" fill="#2b5797" fill-opacity="{}" '
                    'stroke="#d5d8de"/>',
                    x,
                    y,
                    round(cell_w, 2),
                    row_h,
                    shade,
                )
            )
            if count:
                parts.append(
                    format_html(
                        '<text class="count{}" x="{}" y="{}" font-size="{}" text-anchor="middle">{}</text>',
                        " dark" if shade > 0.5 else "",
                        round(x + cell_w / 2, 2),
                        y + row_h / 2 + 4,
                        font,
                        count,
                    )
                )
        y += row_h
    return _svg(chart_id, title, description, y + 4, _join(parts), "chart-matrix")
