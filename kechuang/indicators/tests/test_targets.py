"""Targets (目标) and their decomposition (目标分解): set within scope, checked for adding up, never rescaled."""

from decimal import Decimal

import pytest

from kechuang.audit.models import ObjectChange
from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B, STREET_A
from kechuang.indicators.models import Target
from kechuang.indicators.services import decomposition, set_target
from kechuang.indicators.tests.conftest import YEAR, aim, indicator

D = Decimal


def test_set_target_creates_then_changes_one_row(cast):
    turnover = indicator("tech_contract_turnover")
    target = set_target(indicator=turnover, region=cast.regions[DISTRICT_A], year=YEAR, value="60",
                        actor=cast.city_officer)
    again = set_target(indicator=turnover, region=cast.regions[DISTRICT_A], year=YEAR, value="65.5",
                       actor=cast.city_officer, note="年中调整")
    assert again.pk == target.pk
    assert Target.objects.get().value == D("65.5")
    actions = list(ObjectChange.objects.filter(content_type__model="target").values_list("action", flat=True))
    assert sorted(actions) == ["create", "update"]


def test_a_district_officer_sets_targets_for_its_streets(cast):
    target = set_target(indicator=indicator("tech_contract_turnover"), region=cast.regions[STREET_A], year=YEAR,
                        value="10", actor=cast.district_a_officer)
    assert target.value == 10


def test_decomposition_that_adds_up_has_no_warning(cast):
    aim("tech_contract_turnover", CITY, 100)
    aim("tech_contract_turnover", DISTRICT_A, 60)
    aim("tech_contract_turnover", DISTRICT_B, 40)
    check = decomposition(indicator("tech_contract_turnover"), cast.regions[CITY], YEAR)
    assert (check.parent, check.total, check.difference, check.warning) == (100, 100, 0, "")


def test_decomposition_short_of_the_parent_is_a_warning_and_nothing_is_rescaled(cast):
    aim("tech_contract_turnover", CITY, 100)
    aim("tech_contract_turnover", DISTRICT_A, 60)
    aim("tech_contract_turnover", DISTRICT_B, "30.5")
    check = decomposition(indicator("tech_contract_turnover"), cast.regions[CITY], YEAR)
    # 60 + 30.5 = 90.5, 9.5 below 100
    assert check.warning == "下级目标之和 90.5 低于本级目标 100，相差 9.5。"
    assert dict(Target.objects.values_list("region_id", "value")) == {CITY: 100, DISTRICT_A: 60,
                                                                       DISTRICT_B: D("30.5")}


def test_decomposition_above_the_parent_is_a_warning(cast):
    aim("tech_contract_turnover", CITY, 100)
    aim("tech_contract_turnover", DISTRICT_A, 70)
    aim("tech_contract_turnover", DISTRICT_B, 40)
    check = decomposition(indicator("tech_contract_turnover"), cast.regions[CITY], YEAR)
    assert check.warning == "下级目标之和 110 高于本级目标 100，相差 10。"


def test_decomposition_with_a_child_not_yet_given_a_target(cast):
    aim("tech_contract_turnover", CITY, 100)
    aim("tech_contract_turnover", DISTRICT_A, 100)
    check = decomposition(indicator("tech_contract_turnover"), cast.regions[CITY], YEAR)
    assert check.missing == [cast.regions[DISTRICT_B]]
    assert check.warning == "1 个下级区域尚未分解目标。"


def test_decomposition_of_a_ratio_is_not_summed(cast):
    aim("rd_intensity", CITY, "3.0")
    aim("rd_intensity", DISTRICT_A, "3.0")
    aim("rd_intensity", DISTRICT_B, "3.0")
    check = decomposition(indicator("rd_intensity"), cast.regions[CITY], YEAR)
    assert not check.additive
    assert "不可加总" in check.warning


def test_decomposition_without_a_parent_target_has_nothing_to_check(cast):
    aim("tech_contract_turnover", DISTRICT_A, 60)
    check = decomposition(indicator("tech_contract_turnover"), cast.regions[CITY], YEAR)
    assert (check.parent, check.difference, check.warning) == (None, None, "")


def test_decomposition_for_a_user_shows_only_targets_in_scope(cast):
    aim("tech_contract_turnover", CITY, 100)
    aim("tech_contract_turnover", DISTRICT_A, 60)
    aim("tech_contract_turnover", DISTRICT_B, 40)
    check = decomposition(indicator("tech_contract_turnover"), cast.regions[DISTRICT_A], YEAR,
                          user=cast.district_a_officer)
    assert check.parent == 60
    hidden = decomposition(indicator("tech_contract_turnover"), cast.regions[CITY], YEAR,
                           user=cast.district_a_officer)
    assert hidden.parent is None
    assert dict((r.code, v) for r, v in hidden.parts) == {DISTRICT_A: 60, DISTRICT_B: None}


@pytest.mark.parametrize("year", [YEAR - 1, YEAR + 1])
def test_decomposition_reads_only_its_year(cast, year):
    aim("tech_contract_turnover", CITY, 100, year=year)
    assert decomposition(indicator("tech_contract_turnover"), cast.regions[CITY], YEAR).parent is None
