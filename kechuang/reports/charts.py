"""Charts of the annual work summary (图表): a `Chart` block drawn as a PNG with matplotlib.

Drawn on a bare `matplotlib.figure.Figure` with the Agg canvas (no pyplot, no rcParams changes), so it is safe in a
web worker. Every piece of text uses the Noto Sans CJK SC font bundled by the `mplfonts` package, passed explicitly
as a `FontProperties` pinned to that file: Chinese labels never fall back to a font without CJK glyphs, and the
output does not depend on which fonts the machine happens to have. Same chart, same bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from kechuang.reports.content import MISSING, Chart

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
DPI = 200
CM_PER_INCH = 2.54
COLOURS = ("#1F4E8C", "#C0392B", "#2E8B57", "#D68910", "#6C3483", "#5D6D7E")
MAX_VALUE_LABELS = 14  # above this many points per series the labels overlap: leave them off
LABEL_PT = 9  # category names under the axis, at most
LEFT_CM, RIGHT_CM = 1.35, 0.3  # room for the value ticks; a little air on the right
CM_PER_PT = 2.54 / 72


@lru_cache(maxsize=1)
def cjk_font_path() -> str:
    """Return the path of the Noto Sans CJK SC font shipped inside the installed `mplfonts` package."""
    path = resources.files("mplfonts") / "fonts" / CJK_FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"mplfonts 中未找到字体 {CJK_FONT_FILE}：请检查 mplfonts 安装。")
    return str(path)


def _font(size: float) -> FontProperties:
    return FontProperties(fname=cjk_font_path(), size=size)


def chart_png(chart: Chart, *, width_cm: float = 15.0, height_cm: float = 7.5, with_title: bool = True) -> bytes:
    """Return `chart` drawn as PNG bytes (DPI 200, no metadata that changes between runs: same chart, same bytes).

    `with_title=False` leaves the title to the caller (the .docx prints it in the caption "图N  …").
    """
    buffer = io.BytesIO()
    chart_figure(chart, width_cm=width_cm, height_cm=height_cm, with_title=with_title).savefig(
        buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def chart_figure(chart: Chart, *, width_cm: float = 15.0, height_cm: float = 7.5, with_title: bool = True) -> Figure:
    """Return `chart` as a matplotlib Figure on an Agg canvas.

    kind "trend": a line per series over the years in `labels` (None leaves a gap);
    kind "regions": bars per series over the regions in `labels` (None: no bar).
    Values are labelled where they fit; the unit is written above the value axis ("单位：亿元").
    """
    figure = Figure(figsize=(width_cm / CM_PER_INCH, height_cm / CM_PER_INCH), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if with_title:
        axes.set_title(chart.title, fontproperties=_font(11), pad=14 if chart.unit else 6)
    series = [_floats(s.get("values", []), len(chart.labels)) for s in chart.series]
    if not chart.labels or all(v is None for values in series for v in values):
        _draw_no_data(axes)
    else:
        draw = _draw_regions if chart.kind == "regions" else _draw_trend
        draw(axes, chart, series, category_labels(chart, width_cm))
        _decorate(axes, chart)
    _set_margins(figure, chart, width_cm, height_cm, with_title=with_title)
    return figure


@dataclass(frozen=True)
class CategoryLabels:
    """How the category names under the axis are written: font size (pt) and slant (degrees)."""

    size: float
    rotation: int


def category_labels(chart: Chart, width_cm: float) -> CategoryLabels:
    """Fit the names under the axis: level when they fit, slanted at 40° when not, upright for very many;
    smaller type (down to 4 pt) when even that would make them overlap."""
    slot = (width_cm - LEFT_CM - RIGHT_CM) / CM_PER_PT / max(len(chart.labels), 1)  # pt per category
    longest = max((_width_in_em(label) for label in chart.labels), default=1)
    if chart.kind == "trend" or slot >= longest * LABEL_PT + 4:
        return CategoryLabels(min(LABEL_PT, max(4, slot / (longest + 0.5))), 0)
    rotation = 40 if len(chart.labels) <= 30 else 90
    return CategoryLabels(min(LABEL_PT, max(4, slot * (0.62 if rotation == 40 else 0.9))), rotation)


def _width_in_em(label: str) -> float:
    return sum(1 if ord(char) > 0x2E80 else 0.55 for char in label)


def _set_margins(figure: Figure, chart: Chart, width_cm: float, height_cm: float, *, with_title: bool) -> None:
    """Place the axes with margins computed in cm: much faster than a layout engine (which draws twice)."""
    top = (0.95 if with_title else 0.3) + (0.35 if chart.unit else 0)
    labels = category_labels(chart, width_cm)
    longest = max((_width_in_em(label) for label in chart.labels), default=0) * labels.size * CM_PER_PT
    slant = math.radians(labels.rotation)
    bottom = 0.35 + labels.size * CM_PER_PT + longest * math.sin(slant)
    figure.subplots_adjust(left=LEFT_CM / width_cm, right=1 - RIGHT_CM / width_cm,
                           bottom=min(bottom, height_cm / 2) / height_cm, top=1 - top / height_cm)


def _floats(values: Sequence[Any], length: int) -> list[float | None]:
    """Return `values` as floats padded/cut to `length`; None, "" and non-finite values become None."""
    result: list[float | None] = []
    for value in list(values)[:length]:
        number = None if value is None or value == "" else float(value)
        result.append(number if number is not None and math.isfinite(number) else None)
    return result + [None] * (length - len(result))


def _draw_trend(axes: Axes, chart: Chart, series: list[list[float | None]], labels: CategoryLabels) -> None:
    positions = range(len(chart.labels))
    for index, (spec, values) in enumerate(zip(chart.series, series, strict=True)):
        colour = COLOURS[index % len(COLOURS)]
        ys = [math.nan if v is None else v for v in values]  # NaN breaks the line: a gap for a missing year
        axes.plot(positions, ys, color=colour, marker="o", markersize=3.5, linewidth=1.6, label=spec.get("name", ""))
        if len(chart.labels) <= MAX_VALUE_LABELS and len(series) <= 2:
            for x, y in zip(positions, values, strict=True):
                if y is not None:
                    axes.annotate(format_number(y), (x, y), xytext=(0, 4), textcoords="offset points",
                                  ha="center", va="bottom", color=colour, fontproperties=_font(8))
    axes.set_xticks(list(positions), chart.labels, fontproperties=_font(labels.size))
    axes.set_xlim(-0.4, len(chart.labels) - 0.6)


def _draw_regions(axes: Axes, chart: Chart, series: list[list[float | None]], labels: CategoryLabels) -> None:
    count = len(series)
    width = 0.8 / count
    for index, (spec, values) in enumerate(zip(chart.series, series, strict=True)):
        offset = (index - (count - 1) / 2) * width
        xs = [i + offset for i, v in enumerate(values) if v is not None]
        ys = [v for v in values if v is not None]
        bars = axes.bar(xs, ys, width=width * 0.9, color=COLOURS[index % len(COLOURS)], label=spec.get("name", ""))
        if len(chart.labels) * count <= MAX_VALUE_LABELS:
            axes.bar_label(bars, labels=[format_number(y) for y in ys], padding=2, fontproperties=_font(8))
    axes.set_xticks(range(len(chart.labels)), chart.labels, fontproperties=_font(labels.size),
                    rotation=labels.rotation, ha="right" if labels.rotation else "center",
                    va="center" if labels.rotation == 90 else "top", rotation_mode="anchor")
    axes.axhline(0, color="#333333", linewidth=0.6)


def _decorate(axes: Axes, chart: Chart) -> None:
    """Unit on the value axis, light grid, legend when there is more than one series, CJK font on the ticks."""
    if chart.unit:
        axes.text(0, 1.03, f"单位：{chart.unit}", transform=axes.transAxes, ha="left", va="bottom",
                  fontproperties=_font(9))
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    axes.set_axisbelow(True)
    bottom, top = axes.get_ylim()
    axes.set_ylim(bottom, top + (top - bottom) * 0.08)  # headroom for the value labels
    _pin_value_ticks(axes.yaxis)
    if len(chart.series) > 1:
        axes.legend(prop=_font(8), frameon=False, loc="best")


def _pin_value_ticks(axis: Axis) -> None:
    """Fix the value-axis ticks where matplotlib would put them, labelled in the CJK font and our number style.

    Tick labels are created lazily at draw time with the default font; fixing them here is what lets every text
    in the figure carry the pinned font without touching the global rcParams.
    """
    low, high = axis.get_view_interval()
    ticks = [t for t in axis.get_majorticklocs() if low - 1e-9 <= t <= high + 1e-9]
    axis.set_ticks(ticks, [format_number(t) for t in ticks], fontproperties=_font(9))
    axis.axes.set_ylim(low, high)


def _draw_no_data(axes: Axes) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, MISSING, ha="center", va="center", transform=axes.transAxes, fontproperties=_font(10))


def format_number(value: float) -> str:
    """Return `value` with at most two decimals and no trailing zeros ("2.5", "120", "-3.25")."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
