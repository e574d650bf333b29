"""The parameter files: dated lookup, explicit band edges, and a system check that refuses a malformed file."""

import datetime
from decimal import Decimal

import pytest

from kechuang.eligibility.checks import check_parameter_tree, dates_to_resolve
from kechuang.eligibility.engine.params import ParameterError, load_file, parameter_set

GOOD = """
programme: demo
label: 示例
documents: {d1: 《示例办法》}
parameters:
  cap:
    label: 上限
    unit: 万元
    history:
      - {from: 2018-01-01, value: 100, source: d1 第一条}
      - {from: 2021-07-01, value: 150.5, source: d1 第一条（修订）}
  points:
    label: 得分
    history:
      - from: 2018-01-01
        source: d1 第二条
        scale:
          - {ge: 0.3, value: 20}
          - {gt: 0.1, value: [5, 8]}
          - {else: 0}
"""


def write(tmp_path, text):
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_value_is_the_one_in_force_on_the_date(tmp_path):
    params = load_file(write(tmp_path, GOOD))
    assert params.at(datetime.date(2021, 6, 30)).cap == Decimal("100")
    assert params.at(datetime.date(2021, 7, 1)).cap == Decimal("150.5")
    assert params.at(datetime.date(2021, 7, 1)).source("cap") == "《示例办法》第一条（修订）"
    with pytest.raises(ParameterError, match="尚未生效"):
        params.at(datetime.date(2017, 12, 31)).version("cap")


def test_band_edges_are_exactly_as_written(tmp_path):
    scale = load_file(write(tmp_path, GOOD)).at(datetime.date(2020, 1, 1)).points
    assert scale.lookup(Decimal("0.3")) == 20           # ge: the edge belongs to the band
    assert scale.lookup(Decimal("0.2999")).low == 5      # a points range
    assert scale.lookup(Decimal("0.1")) == 0             # gt: the edge does not
    assert [b.value for b in scale.better_bands(Decimal("0.1"))][-1] == 20


@pytest.mark.parametrize("broken, message", [
    ("          - {else: 0}\n", "must end with an 'else' band"),
    ("          - {ge: 0.3, le: 0.5, value: 1}\n          - {else: 0}\n", "exactly one of ge/gt/le/lt"),
])
def test_malformed_scales_are_refused(tmp_path, broken, message):
    text = GOOD.replace("          - {ge: 0.3, value: 20}\n          - {gt: 0.1, value: [5, 8]}\n          - {else: 0}\n",
                        broken if "le:" in broken else "          - {ge: 0.3, value: 20}\n")
    with pytest.raises(ParameterError, match=message):
        load_file(write(tmp_path, text))


def test_history_out_of_order_and_missing_source_are_refused(tmp_path):
    swapped = GOOD.replace("2021-07-01", "2017-07-01")
    with pytest.raises(ParameterError, match="increasing 'from' order"):
        load_file(write(tmp_path, swapped))
    with pytest.raises(ParameterError, match="'source'"):
        load_file(write(tmp_path, GOOD.replace(", source: d1 第一条}", "}", 1)))


def test_the_system_check_reports_a_malformed_file(tmp_path, monkeypatch):
    from kechuang.eligibility.engine import params

    write(tmp_path, GOOD.replace("label: 示例\n", ""))
    monkeypatch.setattr(params, "PARAMETER_DIR", tmp_path)
    errors = check_parameter_tree()
    assert [e.id for e in errors] == ["eligibility.E001"]
    assert "label" in errors[0].msg


def test_the_shipped_parameter_tree_is_valid_for_every_year():
    assert check_parameter_tree() == []
    days = dates_to_resolve(parameter_set("tech_sme").first_date, datetime.date(2026, 11, 23))
    assert days[0] == datetime.date(2017, 5, 3) and days[-1] == datetime.date(2026, 11, 23)
    assert datetime.date(2020, 12, 31) in days
