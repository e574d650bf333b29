"""红黑榜: ranking with ties at the red and black edges, missing regions, the below-schedule rule, weighted schemes
with a completion cap, and a published list that never changes afterwards."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B
from kechuang.indicators.choices import BlackRule, ProgressStatus
from kechuang.indicators.models import AssessmentScheme, Indicator, IndicatorValue, RedBlackEntry, SchemeItem
from kechuang.indicators.redblack import Line, band_lines, build_list, publish_list, ranked_regions
from kechuang.indicators.tests.conftest import END, YEAR, aim, indicator, put
from kechuang.regions.models import Region

D = Decimal
JIANYE, GULOU, PUKOU = "320105000000", "320106000000", "320111000000"
TURNOVER = "tech_contract_turnover"


def line(code, score, status=ProgressStatus.GREEN):
    return Line(Region(code=code, name=code), None if score is None else D(score), None, None, status)


def bands(lines):
    return [(x.region.code, x.rank.position if x.rank else None, x.band) for x in lines]


# --- band_lines on hand-made lines -------------------------------------------------------------------------


def five(**statuses):
    scores = {"a": 120, "b": 100, "c": 100, "d": 80, "e": None}
    return [line(code, score, statuses.get(code, ProgressStatus.GREEN)) for code, score in scores.items()]


def test_red_and_black_edges_without_ties():
    result = band_lines(five(), red_count=1, black_count=1, black_rule=BlackRule.BOTTOM_N)
    # a 120 (1), b = c 100 (并列 2), d 80 (4), e no figure: unranked, listed last, black
    assert bands(result) == [("a", 1, "red"), ("b", 2, ""), ("c", 2, ""), ("d", 4, "black"), ("e", None, "black")]
    assert result[1].rank.tied and not result[0].rank.tied


def test_a_tie_at_the_red_edge_puts_every_tied_region_on_the_red_list():
    result = band_lines(five(), red_count=2, black_count=1, black_rule=BlackRule.BOTTOM_N)
    # the 2nd place is shared by b and c: three regions for two places
    assert [x.region.code for x in result if x.band == "red"] == ["a", "b", "c"]


def test_a_tie_at_the_black_edge_puts_every_tied_region_on_the_black_list():
    result = band_lines(five(), red_count=1, black_count=2, black_rule=BlackRule.BOTTOM_N)
    # the 2nd-last ranked place is c (rank 2), tied with b: b, c, d black, plus e without a figure
    assert [x.region.code for x in result if x.band == "black"] == ["b", "c", "d", "e"]


def test_the_red_list_is_the_top_by_rank_whatever_the_schedule_status():
    result = band_lines(five(a=ProgressStatus.RED, b=ProgressStatus.AMBER), red_count=2, black_count=1,
                        black_rule=BlackRule.BOTTOM_N)
    assert [x.region.code for x in result if x.band == "red"] == ["a", "b", "c"]


def test_below_schedule_rule_blacklists_every_red_status_and_every_missing_region():
    lines = five(b=ProgressStatus.RED, c=ProgressStatus.AMBER, d=ProgressStatus.RED)
    result = band_lines(lines, red_count=1, black_count=1, black_rule=BlackRule.BELOW_SCHEDULE)
    assert bands(result) == [("a", 1, "red"), ("b", 2, "black"), ("c", 2, ""), ("d", 4, "black"),
                             ("e", None, "black")]


def test_lists_longer_than_the_regions_do_not_overlap():
    result = band_lines([line("a", 2), line("b", 1)], red_count=3, black_count=3, black_rule=BlackRule.BOTTOM_N)
    assert [x.band for x in result] == ["red", "red"]


# --- one indicator, from stored figures ----------------------------------------------------------------------


@pytest.fixture
def districts(cast):
    """The city's five districts: the two persona districts and three more (建邺, 鼓楼, 浦口)."""
    for code, name in ((JIANYE, "建邺区"), (GULOU, "鼓楼区"), (PUKOU, "浦口区")):
        Region.objects.create(code=code, name=name, level="county", parent_id=CITY)
    return cast.regions[CITY]


def test_ranked_regions_are_children_or_a_level_below(districts):
    assert [r.code for r in ranked_regions(districts)] == [DISTRICT_A, DISTRICT_B, JIANYE, GULOU, PUKOU]
    province = Region.objects.get(code="320000000000")
    assert [r.code for r in ranked_regions(province, "county")] == [
        DISTRICT_A, DISTRICT_B, JIANYE, GULOU, PUKOU, "320205000000"]


def test_indicator_without_targets_ranks_the_figures_with_ties_and_a_missing_region(districts):
    for code, value in ((DISTRICT_A, 100), (DISTRICT_B, 100), (JIANYE, 80), (GULOU, 60)):
        put(TURNOVER, code, value)
    lines = build_list(year=YEAR, as_of=END, indicator=indicator(TURNOVER), region=districts,
                       red_count=1, black_count=1)
    # 玄武 = 秦淮 100 (并列第1, both red), 建邺 80, 鼓楼 60 (black), 浦口 no figure (unranked, black)
    assert bands(lines) == [(DISTRICT_A, 1, "red"), (DISTRICT_B, 1, "red"), (JIANYE, 3, ""),
                            (GULOU, 4, "black"), (PUKOU, None, "black")]
    assert lines[0].score == 100 and lines[-1].score is None
    assert str(lines[0].rank) == "并列第1"


def test_indicator_with_targets_ranks_completion_and_status(districts):
    for code, value in ((DISTRICT_A, 120), (DISTRICT_B, 100), (JIANYE, 95), (GULOU, 50), (PUKOU, 70)):
        put(TURNOVER, code, value)
    for code in (DISTRICT_A, DISTRICT_B, JIANYE, GULOU):
        aim(TURNOVER, code, 100)  # 浦口 has no target: no completion → not ranked
    lines = build_list(year=YEAR, as_of=END, indicator=indicator(TURNOVER), region=districts,
                       red_count=1, black_count=1, black_rule=BlackRule.BELOW_SCHEDULE)
    by_code = {x.region.code: x for x in lines}
    # completion 120/100, 100/100, 95/100, 50/100 → scores 120, 100, 95, 50; schedule 1 on 31 December
    assert [by_code[c].score for c in (DISTRICT_A, DISTRICT_B, JIANYE, GULOU)] == [120, 100, 95, 50]
    # 95 % is exactly 5 points behind: amber; 50 % red
    assert [by_code[c].status for c in (DISTRICT_A, DISTRICT_B, JIANYE, GULOU, PUKOU)] == [
        "green", "green", "amber", "red", "missing"]
    assert bands(lines) == [(DISTRICT_A, 1, "red"), (DISTRICT_B, 2, ""), (JIANYE, 3, ""),
                            (GULOU, 4, "black"), (PUKOU, None, "black")]
    assert by_code[DISTRICT_A].detail[TURNOVER]["completion"] == "1.2"


def test_indicator_mid_year_against_the_schedule(districts):
    # 1—6月 figures known on 30 June; on 1 July 2024 the schedule is 183/366 = 0.5
    for code, value in ((DISTRICT_A, 50), (DISTRICT_B, 45), (JIANYE, "44.99")):
        put(TURNOVER, code, value, period="Q2")
        aim(TURNOVER, code, 100)
    put(TURNOVER, GULOU, 90, year=YEAR, period="")  # the annual figure is not known yet on 1 July
    aim(TURNOVER, GULOU, 100)
    lines = build_list(year=YEAR, as_of=date(2024, 7, 1), indicator=indicator(TURNOVER), region=districts,
                       red_count=1, black_count=1)
    by_code = {x.region.code: x for x in lines}
    assert by_code[DISTRICT_A].schedule == D("0.5")
    assert [by_code[c].status for c in (DISTRICT_A, DISTRICT_B, JIANYE, GULOU)] == [
        "green", "amber", "red", "missing"]


def test_lower_is_better_without_targets_ranks_the_smallest_first(districts):
    Indicator.objects.create(code="energy_intensity", name="单位GDP能耗", unit="吨标准煤/万元", group="fiscal",
                             kind="reported", direction="down")
    put("energy_intensity", DISTRICT_A, "0.5")
    put("energy_intensity", DISTRICT_B, "0.3")
    lines = build_list(year=YEAR, as_of=END, indicator=indicator("energy_intensity"), region=districts,
                       red_count=1, black_count=1)
    assert [x.region.code for x in lines[:2]] == [DISTRICT_B, DISTRICT_A]
    assert lines[0].band == "red"


def test_build_list_needs_one_basis_and_a_region(districts):
    with pytest.raises(ValueError, match="须且只能"):
        build_list(year=YEAR, as_of=END)
    with pytest.raises(ValueError, match="须指定考核主体区域"):
        build_list(year=YEAR, as_of=END, indicator=indicator(TURNOVER))


# --- an assessment scheme ---------------------------------------------------------------------------------------


@pytest.fixture
def scheme(districts):
    """考核办法: 技术合同成交额 × 60 + 高新技术企业数 × 40, completion capped at 1.20; targets 100 and 10."""
    made = AssessmentScheme.objects.create(code="kh2024", name="2024年度科技创新考核", year=YEAR, region=districts,
                                           red_count=1, black_count=1, completion_cap=D("1.20"))
    SchemeItem.objects.create(scheme=made, indicator=indicator(TURNOVER), weight=D(60))
    SchemeItem.objects.create(scheme=made, indicator=indicator("hnte_total"), weight=D(40))
    for code in (DISTRICT_A, DISTRICT_B, JIANYE, GULOU, PUKOU):
        aim(TURNOVER, code, 100)
        aim("hnte_total", code, 10)
    return made


@pytest.fixture
def year_end_figures(scheme):
    for code, turnover, hnte in ((DISTRICT_A, 150, 8), (DISTRICT_B, 100, 10), (JIANYE, None, 11),
                                 (GULOU, 130, 2)):
        if turnover is not None:
            put(TURNOVER, code, turnover)
        put("hnte_total", code, hnte, origin="computed")


def test_scheme_weights_and_caps_completion(scheme, year_end_figures):
    lines = build_list(year=YEAR, as_of=END, scheme=scheme)
    by_code = {x.region.code: x for x in lines}
    # 玄武: (60 × min(1.5, 1.2) + 40 × 0.8) / 100 = (72 + 32) / 100 = 1.04 (1.22 without the cap)
    assert (by_code[DISTRICT_A].completion, by_code[DISTRICT_A].score) == (D("1.04"), D("104"))
    # 秦淮: (60 × 1.0 + 40 × 1.0) / 100 = 1.00
    assert by_code[DISTRICT_B].score == 100
    # 鼓楼: (60 × min(1.3, 1.2) + 40 × 0.2) / 100 = (72 + 8) / 100 = 0.80
    assert by_code[GULOU].score == 80
    # 建邺: no turnover → that item scores 0: (0 + 40 × 1.1) / 100 = 0.44, and the detail says so
    assert by_code[JIANYE].score == 44
    assert by_code[JIANYE].detail[TURNOVER]["completion"] is None
    assert by_code[JIANYE].detail["hnte_total"]["completion"] == "1.1"
    # 浦口: nothing at all → not ranked, 数据暂缺, black
    assert (by_code[PUKOU].score, by_code[PUKOU].status) == (None, "missing")
    assert [x.status for x in lines] == ["green", "green", "red", "red", "missing"]
    assert bands(lines) == [(DISTRICT_A, 1, "red"), (DISTRICT_B, 2, ""), (GULOU, 3, ""), (JIANYE, 4, "black"),
                            (PUKOU, None, "black")]


def test_scheme_schedule_is_weighted(scheme):
    # on 1 July: turnover (cumulative) expects 0.5, the 高企 count (a stock) 1 → (60 × 0.5 + 40 × 1) / 100 = 0.70
    for code, turnover, hnte in ((DISTRICT_A, 50, 8), (DISTRICT_B, 60, 10), (JIANYE, 55, 8)):
        put(TURNOVER, code, turnover, period="Q2")
        put("hnte_total", code, hnte, period="Q2", origin="computed")
    lines = build_list(year=YEAR, as_of=date(2024, 7, 1), scheme=scheme)
    by_code = {x.region.code: x for x in lines}
    assert by_code[DISTRICT_A].schedule == D("0.7")
    # 玄武 (30 + 32) / 100 = 0.62: 8 points behind → red; 秦淮 (36 + 40) / 100 = 0.76 → green;
    # 建邺 (33 + 32) / 100 = 0.65: exactly 5 points behind → amber
    assert [by_code[c].completion for c in (DISTRICT_A, DISTRICT_B, JIANYE)] == [D("0.62"), D("0.76"), D("0.65")]
    assert [by_code[c].status for c in (DISTRICT_A, DISTRICT_B, JIANYE)] == ["red", "green", "amber"]


def test_scheme_below_schedule_rule(scheme, year_end_figures):
    scheme.black_rule = BlackRule.BELOW_SCHEDULE
    scheme.save()
    lines = build_list(year=YEAR, as_of=END, scheme=scheme)
    # red status: 鼓楼 (0.80) and 建邺 (0.44); 浦口 without figures
    assert sorted(x.region.code for x in lines if x.band == "black") == sorted([GULOU, JIANYE, PUKOU])


# --- publishing -------------------------------------------------------------------------------------------------


def entries_of(published):
    return [(e.region_id, e.rank, e.tied, e.score, e.completion, e.status, e.band, e.detail)
            for e in RedBlackEntry.objects.filter(list=published).order_by("pk")]


def test_a_published_list_does_not_change_when_the_data_changes(cast, scheme, year_end_figures):
    lines = build_list(year=YEAR, as_of=END, scheme=scheme)
    published = publish_list(title="2024年度红黑榜", lines=lines, year=YEAR, as_of=END, region=scheme.region,
                             scheme=scheme, actor=cast.city_officer)
    before = entries_of(published)
    assert [(e[0], e[1], e[6]) for e in before] == [(DISTRICT_A, 1, "red"), (DISTRICT_B, 2, ""), (GULOU, 3, ""),
                                                    (JIANYE, 4, "black"), (PUKOU, None, "black")]
    assert before[0][3] == 104
    # the data change: 建邺 reports its turnover, 玄武's count is corrected
    put(TURNOVER, JIANYE, 200)
    IndicatorValue.objects.filter(indicator__code="hnte_total", region_id=DISTRICT_A).update(value=D(1))
    again = build_list(year=YEAR, as_of=END, scheme=scheme)
    assert [x.region.code for x in again][:1] == [JIANYE]  # the live list moved …
    assert entries_of(published) == before  # … the published one did not
    published.refresh_from_db()
    assert (published.as_of, published.published_by) == (END, cast.city_officer)


def test_publishing_writes_change_log_rows_and_an_event(cast, scheme, year_end_figures):
    lines = build_list(year=YEAR, as_of=END, scheme=scheme)
    published = publish_list(title="2024年度红黑榜", lines=lines, year=YEAR, as_of=END, region=scheme.region,
                             scheme=scheme, actor=cast.city_officer)
    entry_pks = {str(pk) for pk in RedBlackEntry.objects.filter(list=published).values_list("pk", flat=True)}
    assert len(entry_pks) == 5
    logged = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(RedBlackEntry),
                                         action="create")
    assert set(logged.values_list("object_id", flat=True)) == entry_pks
    assert ObjectChange.objects.filter(content_type__model="redblacklist", object_id=str(published.pk)).exists()
    event = DomainEvent.objects.get(event_type="indicators.redblack.published")
    assert (event.object_id, event.data["entries"], event.actor) == (str(published.pk), 5, cast.city_officer)


def test_a_list_on_one_indicator_is_published_with_its_ties(cast, districts):
    for code, value in ((DISTRICT_A, 100), (DISTRICT_B, 100), (JIANYE, 80)):
        put(TURNOVER, code, value)
    lines = build_list(year=YEAR, as_of=END, indicator=indicator(TURNOVER), region=districts,
                       red_count=1, black_count=1)
    published = publish_list(title="技术合同成交额红黑榜", lines=lines, year=YEAR, as_of=END, region=districts,
                             indicator=indicator(TURNOVER), actor=cast.city_officer)
    ties = dict(RedBlackEntry.objects.filter(list=published).values_list("region_id", "tied"))
    assert ties == {DISTRICT_A: True, DISTRICT_B: True, JIANYE: False, GULOU: False, PUKOU: False}
