"""Bar charts as plain geometry, drawn as inline SVG by templates/reports/_chart.html.

Drawn on the server so the pack prints and reads without JavaScript; colours are SVG
presentation attributes (the CSP forbids style attributes). Each chart carries a title and a
description that lists every value, for screen readers and for anyone reading the SVG as text.
"""
import math
from dataclasses import dataclass, field

BLUE, DARK_BLUE, ORANGE, GREEN, PURPLE, GREY = "#1d70b8", "#003078", "#f47738", "#00703c", "#4c2c92", "#505a5f"
SERIES_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, DARK_BLUE, GREY)

# Two charts side by side on A4 print at about 0.8 of this size: the fonts stay readable.
WIDTH, HEIGHT = 440, 230
LEFT, RIGHT, TOP, BOTTOM = 40, 6, 48, 24
LEGEND_Y, LEGEND_SPACING = 22, 110
MOST_CATEGORY_LABELS = 8  # beyond this, every other category is labelled
MOST_VALUE_LABELS = 16


@dataclass
class Series:
    name: str
    values: list
    colour: str = BLUE


@dataclass
class Chart:
    id: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    legend: list = field(default_factory=list)
    reference: dict | None = None
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right: int = WIDTH - RIGHT


def axis(largest, whole=False, ticks=4):
    """(top, step): a round step (1, 2, 2.5 or 5 times a power of ten; whole numbers for counts)
    and the first multiple of it at or above the largest value."""
    if largest <= 0:
        return ticks, 1
    rough = largest / ticks
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if rough <= m * power)
    if whole:
        step = max(1, math.ceil(step))
    return step * math.ceil(largest / step), step


def _text(value, unit):
    if value is None:
        return "none"
    text = f"{value:g}" if isinstance(value, int) else f"{value:.1f}"
    return f"{text}{unit}"


def bar_chart(chart_id, title, categories, series, unit="", reference=None, summary="", whole=False):
    """Grouped bars: one group per category, one bar per series. None draws no bar.
    `whole`: the values are counts, so the axis steps in whole numbers."""
    values = [v for one in series for v in one.values if v is not None]
    top, step = axis(max(values + [reference[0] if reference else 0]), whole)
    plot_height = HEIGHT - TOP - BOTTOM
    group_width = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    bar_width = group_width * 0.8 / len(series)
    show_values = len(categories) * len(series) <= MOST_VALUE_LABELS

    def y(value):
        return TOP + plot_height * (1 - value / top)

    chart = Chart(chart_id, title, _describe(title, categories, series, unit, summary))
    chart.ticks = [{"y": y(step * i), "label": f"{step * i:g}"} for i in range(round(top / step) + 1)]
    for index, name in enumerate(categories):
        start = LEFT + group_width * index + group_width * 0.1
        crowded = len(categories) > MOST_CATEGORY_LABELS and (len(categories) - 1 - index) % 2
        chart.categories.append({"x": LEFT + group_width * (index + 0.5), "label": "" if crowded else name})
        for offset, one in enumerate(series):
            value = one.values[index]
            if value is None:
                continue
            x = start + bar_width * offset
            chart.bars.append({
                "x": x, "y": y(value), "width": bar_width * 0.92, "height": plot_height * value / top,
                "fill": one.colour, "tooltip": f"{name}, {one.name}: {_text(value, unit)}",
                "label": _text(value, "") if show_values else None, "label_x": x + bar_width * 0.46})
    if len(series) > 1:
        chart.legend = [{"x": LEFT + LEGEND_SPACING * i, "y": LEGEND_Y, "fill": one.colour, "name": one.name}
                        for i, one in enumerate(series)]
    if reference:
        chart.reference = {"y": y(reference[0]), "label": reference[1]}
    return chart


def _describe(title, categories, series, unit, summary):
    parts = []
    for index, name in enumerate(categories):
        values = ", ".join(f"{one.name} {_text(one.values[index], unit)}" if len(series) > 1
                           else _text(one.values[index], unit) for one in series)
        parts.append(f"{name}: {values}")
    return f"{summary + ' ' if summary else ''}{'; '.join(parts)}."
