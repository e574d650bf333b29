"""Phrasing (句式) of growth, decline, flat, percentage points, first/last/tied rank, targets and missing data —
pure functions over hand-made figures, with the default templates and a bureau's own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from kechuang.indicators.derive import Change, Rank, change
from kechuang.indicators.figures import RegionFigure, Stored
from kechuang.indicators.progress import Progress
from kechuang.reports import numbers
from kechuang.reports.content import MISSING
from kechuang.reports.phrasing import (
    Phrasebook,
    TemplateError,
    change_text,
    check_template,
    default_templates,
    indicator_line,
    rank_text,
    target_text,
)

D = Decimal
BOOK = Phrasebook({key: entry["text"] for key, entry in default_templates().items()})
PEERS = "全市各区（县）"


def indicator(code="rd_expenditure", name="全社会R&D经费支出", unit="亿元", decimals=2):
    return SimpleNamespace(code=code, name=name, unit=unit, decimals=decimals, is_percentage=unit == "%",
                           direction="up")


ONE = D(1)


def figure(value, previous=None, *, unit="亿元", rank=None, completion=None, schedule=ONE, name="全社会R&D经费支出"):
    ind = indicator(unit=unit, name=name)
    stored = None if value is None else Stored(D(value), "", date(2024, 12, 31), "entered", False)
    progress = Progress(None if value is None else D(value), None, completion, schedule, "green")
    return RegionFigure(SimpleNamespace(code="320102000000", name="玄武区"), ind, 2024, stored,
                        None if previous is None else D(previous),
                        change(None if value is None else D(value), None if previous is None else D(previous),
                               percentage=unit == "%"), rank, progress)


@pytest.mark.parametrize(("current", "previous", "expected"), [
    ("108.9", "100", "，同比增长8.9%"),
    ("91.5", "100", "，同比下降8.5%"),
    ("100", "100", "，与上年持平"),
    ("5", "0", "（上年基数为零或为负，增速不计算）"),
    ("5", None, "（上年同期数据暂缺）"),
])
def test_change_phrases_rates(current, previous, expected):
    result = change(D(current), None if previous is None else D(previous), percentage=False)
    assert change_text(BOOK, result) == expected


@pytest.mark.parametrize(("current", "previous", "expected"), [
    ("2.69", "2.58", "，比上年提高0.11个百分点"),
    ("2.40", "2.58", "，比上年下降0.18个百分点"),
    ("2.58", "2.58", "，与上年持平"),
])
def test_percentages_change_by_points_never_by_rate(current, previous, expected):
    assert change_text(BOOK, change(D(current), D(previous), percentage=True)) == expected


@pytest.mark.parametrize(("rank", "expected"), [
    (Rank(1, False, 11), "，居全市各区（县）首位"),
    (Rank(1, True, 11), "，与其他地区并列全市各区（县）第一"),
    (Rank(3, True, 11), "，并列全市各区（县）第3位"),
    (Rank(11, False, 11), "，居全市各区（县）末位"),
    (Rank(11, True, 11), "，并列全市各区（县）第11位"),  # tied for last: the tie is what the reader needs
    (Rank(4, False, 11), "，居全市各区（县）第4位"),
    (Rank(1, False, 1), ""),  # alone: no rank is worth printing
    (None, ""),
])
def test_rank_phrases(rank, expected):
    assert rank_text(BOOK, rank, PEERS) == expected


def test_targets_during_and_after_the_year():
    assert target_text(BOOK, figure("98.45", completion=D("0.936"))) == "，完成年度目标的93.6%"
    assert target_text(BOOK, figure("104", completion=D("1.043"))) == "，超额完成年度目标（完成104.3%）"
    during = figure("60", completion=D("0.60"), schedule=D("0.75"))
    assert target_text(BOOK, during) == "，完成年度目标的60.0%，低于序时进度15.00个百分点"
    assert target_text(BOOK, figure("80", completion=D("0.80"), schedule=D("0.75"))) == "，完成年度目标的80.0%"
    assert target_text(BOOK, figure("80")) == ""  # no target: nothing said


def test_a_whole_line_and_its_quoted_figures():
    text, quoted = indicator_line(BOOK, figure("98.45", "95.08", rank=Rank(2, False, 11), completion=D("0.936")),
                                  PEERS)
    assert text == "全社会R&D经费支出98.45亿元，同比增长3.5%，完成年度目标的93.6%，居全市各区（县）第2位。"
    assert [(f.kind, f.text) for f in quoted] == [("value", "98.45亿元"), ("change", "3.5%"),
                                                  ("completion", "93.6%"), ("rank", "2")]
    assert all("全社会R&D经费支出 · 玄武区 · 2024年" in f.source for f in quoted)


def test_missing_data_is_said_never_zero():
    text, quoted = indicator_line(BOOK, figure(None), PEERS)
    assert text == f"全社会R&D经费支出{MISSING}。"
    assert quoted[0].value is None and quoted[0].text == MISSING
    assert "0" not in text


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (D("98.454"), "亿元", "98.45亿元"),
    (D("12500"), "万元", "1.25亿元"),
    (D("820.5"), "万元", "820.50万元"),
    (D("634"), "家", "634家"),
    (D("2.7333"), "%", "2.73%"),
    (D("1234567.8"), "亿元", "1,234,567.80亿元"),
    (None, "亿元", MISSING),
])
def test_numbers_as_bureaus_write_them(value, unit, expected):
    assert numbers.quantity(value, unit) == expected


def test_a_bureaus_template_is_used_and_checked():
    book = Phrasebook({**BOOK.texts, "change_rise": "，较上年增长{rate}"})
    assert change_text(book, Change("rate", D("8.9"))) == "，较上年增长8.9%"
    check_template("change_rise", "，增幅{rate}")
    with pytest.raises(TemplateError, match=r"\{points\}"):
        check_template("change_rise", "，增长{points}")
