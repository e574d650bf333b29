"""Cell parsers of import schemas: values as python-calamine gives them (floats, dates, text) to Python values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from kechuang.core.imports.schema import (
    Lookups,
    RowValueError,
    cell_text,
    choice,
    date_value,
    decimal_amount,
    integer,
    region,
    text,
    uscc,
)
from kechuang.enterprises.testing import make_uscc
from kechuang.regions.choices import RegionLevel


def test_cell_text_shows_numbers_as_typed():
    assert cell_text(320102000000.0) == "320102000000"
    assert cell_text(12.5) == "12.5"
    assert cell_text("  玄武区 ") == "玄武区"
    assert cell_text(date(2024, 3, 1)) == "2024-03-01"
    assert cell_text(datetime(2024, 3, 1, 8, 30)) == "2024-03-01 08:30:00"
    assert cell_text(True) == "True"


def test_text_is_limited_in_length():
    parse = text(4)
    assert parse(" 南京市 ") == "南京市"
    with pytest.raises(RowValueError, match="超过上限 4"):
        parse("南京市玄武区")


@pytest.mark.parametrize("raw, expected", [(2019.0, 2019), (2019, 2019), ("2,019", 2019), (" 7 ", 7), ("12.00", 12)])
def test_integer_accepts_whole_numbers_in_any_dress(raw, expected):
    assert integer()(raw) == expected


@pytest.mark.parametrize("raw, message", [
    (12.5, "应为整数，实际为 12.5"), ("12.5", "不是整数"), ("十二", "不是整数"), (True, "应为整数"),
    (float("nan"), "应为整数"), (-1.0, "不小于 0"), (2101.0, "不大于 2100"),
])
def test_integer_refuses_what_is_not_a_whole_number_in_range(raw, message):
    with pytest.raises(RowValueError, match=message):
        integer(0, 2100)(raw)


@pytest.mark.parametrize("raw, expected", [
    (12.5, Decimal("12.50")), ("1,234.5", Decimal("1234.50")), (0.1 + 0.2, Decimal("0.30")), (7, Decimal("7.00")),
    ("0", Decimal("0.00")),
])
def test_decimal_amount_is_exact(raw, expected):
    value = decimal_amount(16, 2, min_value=0)(raw)
    assert value == expected and str(value) == str(expected)


@pytest.mark.parametrize("raw, message", [
    (12.345, "最多 2 位小数，实际为 12.345"), ("12.345", "最多 2 位小数"), (-0.01, "不小于 0"),
    ("abc", "不是数字"), (float("inf"), "应为数字"), ("NaN", "不是数字"), (False, "应为数字"),
    (123456789012345.0, "整数部分最多 14 位"),
])
def test_decimal_amount_never_rounds_and_checks_the_range(raw, message):
    with pytest.raises(RowValueError, match=message):
        decimal_amount(16, 2, min_value=0)(raw)


@pytest.mark.parametrize("raw", [
    date(2024, 3, 1), datetime(2024, 3, 1, 9, 0), 45352.0, 45352, "2024-03-01", "2024/3/1", "2024年3月1日",
    "2024.03.01", "20240301", 20240301.0, "2024-03-01 00:00:00",
])
def test_date_accepts_excel_dates_serials_and_common_text(raw):
    assert date_value()(raw) == date(2024, 3, 1)


def test_date_before_the_1900_leap_bug_is_right():
    assert date_value()(59.0) == date(1900, 2, 28)
    with pytest.raises(RowValueError, match="1900-02-29"):
        date_value()(60.0)


@pytest.mark.parametrize("raw", ["2024-02-30", "明年", "2024-13-01", 0.0, 99999999999.0])
def test_date_refuses_what_is_not_a_date(raw):
    with pytest.raises(RowValueError, match="有效日期"):
        date_value()(raw)


def test_choice_accepts_the_code_or_the_chinese_label():
    parse = choice(RegionLevel)
    assert parse("county") == parse("县级") == parse("COUNTY") == "county"
    with pytest.raises(RowValueError, match="应为：省级、地级、县级、乡级、村级"):
        parse("区级")
    assert choice([(1, "是"), (0, "否")])(1.0) == "1"


def test_uscc_is_normalised_and_checked():
    code = make_uscc(12345678)
    assert uscc()(" " + code.lower() + " ") == code
    with pytest.raises(RowValueError, match="第 18 位"):
        uscc()(code[:17] + ("0" if code[17] != "0" else "1"))


@pytest.mark.django_db
def test_region_is_found_by_code_prefix_or_name_and_ambiguity_names_the_candidates(cast):
    from kechuang.regions.models import Region

    Region.objects.create(code="320106000000", name="鼓楼区", level="county", parent_id="320100000000")
    Region.objects.create(code="320302000000", name="鼓楼区", level="county", parent_id=None)
    lookups = Lookups()
    parse = region().bind(lookups)
    assert parse(320102000000.0) == parse("320102") == parse("玄武区") == parse("南京市玄武区") == "320102000000"
    assert parse("南京市鼓楼区") == "320106000000"
    with pytest.raises(RowValueError, match=r"对应多个区划：南京市鼓楼区（320106000000）、鼓楼区（320302000000）"):
        parse("鼓楼区")
    with pytest.raises(RowValueError, match="不存在"):
        parse("320999")
    with pytest.raises(RowValueError, match="应为 12 位数字"):
        parse("32010")
    with pytest.raises(RowValueError, match="未找到名为“白下区”"):
        parse("白下区")
    assert lookups.get("regions", lambda: None) is lookups.get("regions", lambda: None)


def test_a_parser_needing_lookups_must_be_bound():
    with pytest.raises(AssertionError):
        region()("玄武区")


# --- whole columns at once ---------------------------------------------------------------------------------


def _cell_by_cell(parse, cells):
    values = []
    for cell in cells:
        try:
            value = parse(cell)
        except RowValueError:
            return None  # some cell is an error: the column path must not take this column
        values.append(value)
    return values


def _random_float(rng, places: int) -> float:
    import math

    kind = rng.random()
    if kind < 0.7:
        return round(rng.uniform(-1, 1) * 10 ** rng.randint(0, 12), rng.randint(0, places))
    return rng.choice([
        0.1 + 0.2, 2.675, 1e-7, 12.345, 1 / 3, -0.0, 0.0, 1e13, 9999999999999.99, 99999999999999.99, 1e15, 5e-324,
        math.nan, math.inf, -math.inf, 2019.0, 2019.5, -1.0, 2100.0, 2101.0, 1999.0, float(2**53), float(2**63),
        round(rng.uniform(0, 1000), places + 1), round(rng.uniform(0, 1000), 6), 1e300,
    ])


@pytest.mark.parametrize("parser", [
    decimal_amount(16, 2, min_value=0), decimal_amount(16, 2), decimal_amount(12, 0), decimal_amount(10, 4),
    decimal_amount(8, 2, min_value=-5, max_value=Decimal("1000.5")),
], ids=["money", "signed", "whole", "four-places", "bounded"])
def test_a_decimal_column_parses_whole_exactly_as_cell_by_cell(parser):
    """The column path gives the very Decimals (value and exponent) of the cell path, or declines (None) — always
    when some cell is an error — so that the column is parsed cell by cell and every error reported."""
    import random

    rng = random.Random(7)
    places = {0: 0, 4: 4}.get(len(str(parser(1.0)).partition(".")[2]), 2)
    taken = 0
    for _ in range(600):
        size = rng.choice([1, 2, 5, 40])
        clean = rng.random() < 0.6
        cells = tuple(round(rng.uniform(0, 10**rng.randint(0, 9)), rng.randint(0, places)) if clean
                      else _random_float(rng, places) for _ in range(size))
        expected = _cell_by_cell(parser, cells)
        found = parser.parse_column(cells)
        if found is not None:
            taken += 1
            assert expected is not None, cells
            assert [(str(v), type(v)) for v in found] == [(str(v), type(v)) for v in expected], cells
    assert taken > 40


@pytest.mark.parametrize("parser", [integer(), integer(min_value=0), integer(min_value=2000, max_value=2100)],
                         ids=["any", "count", "year"])
def test_an_integer_column_parses_whole_exactly_as_cell_by_cell(parser):
    import random

    rng = random.Random(11)
    taken = 0
    for _ in range(600):
        size = rng.choice([1, 3, 40])
        if rng.random() < 0.6:
            cells = tuple(float(rng.randint(2000, 2100) if rng.random() < 0.5 else rng.randint(0, 10**6))
                          for _ in range(size))
        else:
            cells = tuple(_random_float(rng, 2) for _ in range(size))
        expected = _cell_by_cell(parser, cells)
        found = parser.parse_column(cells)
        if found is not None:
            taken += 1
            assert expected is not None and [(v, type(v)) for v in found] == [(v, type(v)) for v in expected], cells
    assert taken > 40


def test_the_pipeline_reports_the_same_errors_and_values_with_or_without_column_parsers(db):
    """Chunks of random annual rows, bad cells included: the same parsed values, problems and failed rows."""
    import random
    from dataclasses import replace

    from kechuang.core.imports import pipeline
    from kechuang.enterprises.imports import SCHEMAS

    schema = SCHEMAS["annual"]
    plain = replace(schema, columns=tuple(
        replace(c, parser=replace(c.parser, parse_column=None)) if getattr(c.parser, "parse_column", None) else c
        for c in schema.columns))
    rng = random.Random(3)
    bad = ["", "  ", "abc", "1,234.5", True, 12.345, -1.0, 1e20, float("nan"), 3.5, date(2024, 1, 1), "12"]
    header = [c.header for c in schema.columns]
    for _ in range(60):
        rows = []
        for _ in range(rng.randint(1, 30)):
            row = ["91350100M000100Y43", float(rng.choice([2020, 2024, 1999]))]
            row += [float(rng.randint(0, 500)) if rng.random() < 0.5 else round(rng.uniform(0, 9999), 2)
                    for _ in range(21)]
            for _ in range(rng.choice([0, 0, 1, 3])):
                row[rng.randrange(1, len(row))] = rng.choice(bad)
            rows.append(row)
        outcomes = []
        for chosen in (schema, plain):
            layout = pipeline.match_headers(chosen, header)
            errors = pipeline.ErrorCollector(layout)
            parser = pipeline._ChunkParser(chosen, layout, pipeline.Lookups(), errors, {})
            found, failed = [], set()
            numbers = list(range(2, len(rows) + 2))
            columns = parser._parse_columns(numbers, rows, found, failed)
            outcomes.append(([[(str(v), type(v)) for v in column] for column in columns], found, failed))
        assert outcomes[0] == outcomes[1], rows
