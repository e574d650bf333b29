"""Charts of the annual work summary: PNG bytes, deterministic, Chinese drawn with the bundled CJK font."""

from __future__ import annotations

import io
import logging
import math
import warnings
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from kechuang.reports.charts import DPI, chart_figure, chart_png, cjk_font_path, format_number
from kechuang.reports.content import MISSING, Chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DISTRICTS = ["玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区", "雨花台区", "江宁区", "六合区", "溧水区", "高淳区"]


def rd_intensity_trend() -> Chart:
    return Chart(key="rd_trend", title="R&D经费投入强度（2020—2024年）", kind="trend",
                 labels=["2020", "2021", "2022", "2023", "2024"],
                 series=[{"name": "南京市", "values": [2.9, 3.0, None, 3.1, 3.35]}], unit="%")


def high_tech_by_district() -> Chart:
    return Chart(key="hte_regions", title="各区高新技术企业数量", kind="regions", labels=DISTRICTS,
                 series=[{"name": "高新技术企业", "values": [120, 95, None, 300, 80, 150, 210, 900, 40, 35, 30]}],
                 unit="家")


def texts_of(figure: Figure) -> list[Text]:
    figure.canvas.draw()
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


def test_it_returns_a_png_of_the_requested_size():
    png = chart_png(rd_intensity_trend(), width_cm=15.0, height_cm=7.5)

    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (int(15.0 / 2.54 * DPI), int(7.5 / 2.54 * DPI))  # 1181 × 590


@pytest.mark.parametrize("chart", [rd_intensity_trend(), high_tech_by_district()], ids=["trend", "regions"])
def test_the_same_chart_gives_the_same_bytes(chart):
    assert chart_png(chart) == chart_png(chart)


def test_the_png_carries_no_software_or_time_stamp():
    with Image.open(io.BytesIO(chart_png(rd_intensity_trend()))) as image:
        assert not {"Software", "Creation Time", "CreationDate"} & set(image.info)


@pytest.mark.parametrize("chart", [rd_intensity_trend(), high_tech_by_district()], ids=["trend", "regions"])
def test_chinese_labels_are_drawn_with_the_bundled_cjk_font(chart, caplog):
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("always")
        chart_png(chart)

    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]


def test_the_missing_glyph_check_would_catch_a_font_without_chinese():
    """The guard above is real: matplotlib's default font does warn on Chinese text."""
    figure = Figure()
    FigureCanvasAgg(figure)
    figure.text(0.5, 0.5, "高新技术企业", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png")

    assert [w for w in caught if "missing from font" in str(w.message)]


def test_every_text_uses_the_font_file_shipped_in_mplfonts():
    texts = texts_of(chart_figure(high_tech_by_district()))

    assert Path(cjk_font_path()).name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" in Path(cjk_font_path()).parts
    assert {Path(t.get_fontproperties().get_file()) for t in texts} == {Path(cjk_font_path())}


def test_a_trend_leaves_a_gap_for_a_missing_year():
    axes = chart_figure(rd_intensity_trend()).axes[0]
    (line,) = axes.get_lines()

    ys = list(line.get_ydata())
    assert ys[:2] == [2.9, 3.0] and math.isnan(ys[2]) and ys[3:] == [3.1, 3.35]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["2020", "2021", "2022", "2023", "2024"]


def test_a_region_chart_draws_one_bar_per_known_value_and_slants_many_names():
    axes = chart_figure(high_tech_by_district()).axes[0]

    assert len(axes.patches) == 10  # 建邺区 has no value: no bar, not a zero bar
    assert [t.get_text() for t in axes.get_xticklabels()] == DISTRICTS
    assert all(t.get_rotation() > 0 for t in axes.get_xticklabels())


def test_few_short_region_names_stay_level():
    chart = Chart(key="k", title="t", kind="regions", labels=["玄武区", "秦淮区"], series=[{"name": "a", "values": [1, 2]}])

    assert all(t.get_rotation() == 0 for t in chart_figure(chart).axes[0].get_xticklabels())


def test_it_writes_title_unit_and_value_labels():
    texts = [t.get_text() for t in texts_of(chart_figure(high_tech_by_district()))]

    assert "各区高新技术企业数量" in texts
    assert "单位：家" in texts
    assert {"120", "900", "30"} <= set(texts)


def test_the_title_can_be_left_to_the_caption():
    texts = [t.get_text() for t in texts_of(chart_figure(high_tech_by_district(), with_title=False))]

    assert "各区高新技术企业数量" not in texts


def test_a_legend_appears_only_for_several_series():
    single = chart_figure(rd_intensity_trend()).axes[0]
    double = Chart(key="k", title="t", kind="trend", labels=["2023", "2024"],
                   series=[{"name": "南京市", "values": [1, 2]}, {"name": "全省", "values": [1.5, None]}])

    assert single.get_legend() is None
    assert [t.get_text() for t in chart_figure(double).axes[0].get_legend().get_texts()] == ["南京市", "全省"]


def test_a_chart_without_any_value_says_the_data_is_missing():
    chart = Chart(key="k", title="空", kind="trend", labels=["2023", "2024"], series=[{"name": "a", "values": [None, None]}])

    assert MISSING in [t.get_text() for t in texts_of(chart_figure(chart))]
    assert chart_png(chart).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(("value", "text"), [(2.5, "2.5"), (120.0, "120"), (3.346, "3.35"), (-0.5, "-0.5"), (-0.001, "0")])
def test_numbers_are_written_without_trailing_zeros(value, text):
    assert format_number(value) == text


def test_very_many_regions_stand_upright_in_smaller_type():
    chart = Chart(key="k", title="各县（市、区）", kind="regions", labels=[f"第{n}县" for n in range(95)],
                  series=[{"name": "a", "values": list(range(95))}])
    ticks = chart_figure(chart).axes[0].get_xticklabels()

    assert {t.get_rotation() for t in ticks} == {90}
    assert max(t.get_fontsize() for t in ticks) < 9
