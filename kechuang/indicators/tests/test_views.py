"""Pages of the indicator module with personas: 200 in scope, 404 out of scope, 403 without the grant; a preview
and a publish of a red/black list; the collection pages."""

from datetime import date
from decimal import Decimal

import pytest

from kechuang.core.testing.personas import CITY, DISTRICT_A, DISTRICT_B, OTHER_CITY, STREET_A
from kechuang.enterprises.testing import grant, make_enterprise
from kechuang.indicators.collection import open_round, save_draft, submit
from kechuang.indicators.models import (
    Indicator,
    IndicatorValue,
    RedBlackEntry,
    RedBlackList,
    SubmissionItem,
    Target,
)
from kechuang.indicators.services import compute_indicators
from kechuang.indicators.tests.conftest import END, YEAR, aim, indicator, put

TURNOVER = "tech_contract_turnover"


@pytest.fixture
def figures(cast):
    """2024 turnover and targets for the city and its districts, and one 高企 in street A (computed)."""
    for code, value, target in ((CITY, 180, 200), (DISTRICT_A, 100, 120), (DISTRICT_B, 80, 80)):
        put(TURNOVER, code, value)
        aim(TURNOVER, code, target)
    grant(make_enterprise("甲科技", STREET_A, 1), "hnte", date(2023, 3, 1))
    compute_indicators(year=YEAR, as_of=END, codes=["hnte_total"])


# --- dashboard ------------------------------------------------------------------------------------------------


def test_dashboard_shows_the_city_officer_its_key_indicators(client_as, figures):
    response = client_as("city_officer").get("/indicators/", {"year": YEAR, "as_of": "2024-12-31"})
    assert response.status_code == 200
    assert response.context["region"].code == CITY
    items = {item.indicator.code: item for item in response.context["items"]}
    # 180 of 200 = 0.9 completion
    assert items[TURNOVER].figure.value == 180
    assert items[TURNOVER].figure.progress.completion == Decimal("0.9")
    assert {f.region.code for f in items[TURNOVER].children} == {DISTRICT_A, DISTRICT_B}
    assert items["hnte_total"].figure.value == 1


def test_dashboard_of_a_district_in_scope(client_as, figures):
    response = client_as("district_a_officer").get("/indicators/", {"year": YEAR})
    assert response.status_code == 200
    assert response.context["region"].code == DISTRICT_A
    response = client_as("city_officer").get("/indicators/", {"region": DISTRICT_B, "year": YEAR})
    assert response.status_code == 200
    assert response.context["region"].code == DISTRICT_B


@pytest.mark.parametrize(("persona", "region"), [("city_officer", OTHER_CITY), ("district_a_officer", DISTRICT_B),
                                                 ("district_a_officer", CITY)])
def test_dashboard_of_a_region_outside_scope_is_404(client_as, figures, persona, region):
    assert client_as(persona).get("/indicators/", {"region": region}).status_code == 404


@pytest.mark.parametrize("persona", ["expert", "bank_user", "audit_admin", "system_admin", "nobody"])
def test_dashboard_without_the_grant_is_403(client_as, persona):
    assert client_as(persona).get("/indicators/").status_code == 403


def test_dashboard_shows_an_enterprise_user_no_region_figures(client_as, figures):
    # the enterprise user's business grant passes the page policy, but its scope reaches no region's figures
    response = client_as("enterprise_user").get("/indicators/")
    assert response.status_code == 200
    assert response.context["region"] is None and response.context["items"] == []
    assert client_as("enterprise_user").get("/indicators/", {"region": CITY}).status_code == 404


# --- catalogue, indicator detail and drill-down -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["city_officer", "street_a_officer", "leader"])
def test_catalogue_lists_the_shipped_indicators_to_every_officer(client_as, persona):
    # the catalogue is a dictionary without scope (like 资质类型): every role reading reference data sees it whole
    response = client_as(persona).get("/indicators/catalogue/")
    assert response.status_code == 200
    assert response.context["filter"].qs.count() == Indicator.objects.count() >= 30
    assert "R&amp;D经费投入强度" in response.content.decode()


def test_catalogue_without_the_grant_is_403(client_as):
    assert client_as("audit_admin").get("/indicators/catalogue/").status_code == 403


def test_indicator_detail_shows_the_region_and_its_children(client_as, figures):
    pk = indicator(TURNOVER).pk
    response = client_as("city_officer").get(f"/indicators/catalogue/{pk}/", {"year": YEAR, "as_of": "2024-12-31"})
    assert response.status_code == 200
    assert response.context["region"].code == CITY
    assert [(f.region.code, f.value, str(f.rank)) for f in response.context["rows"]] == [
        (DISTRICT_A, 100, "第1"), (DISTRICT_B, 80, "第2")]


def test_indicator_detail_of_a_region_outside_scope_is_404(client_as, figures):
    pk = indicator(TURNOVER).pk
    assert client_as("district_a_officer").get(f"/indicators/catalogue/{pk}/",
                                               {"region": DISTRICT_B}).status_code == 404
    assert client_as("city_officer").get("/indicators/catalogue/999999/").status_code == 404


def test_drill_down_lists_the_enterprises_behind_the_figure(client_as, figures):
    pk = indicator("hnte_total").pk
    response = client_as("city_officer").get(f"/indicators/catalogue/{pk}/drill/{DISTRICT_A}/", {"year": YEAR})
    assert response.status_code == 200
    assert response.context["count"] == 1 == IndicatorValue.objects.get(
        indicator__code="hnte_total", region_id=DISTRICT_A).value
    assert [e.name for e in response.context["members"]] == ["甲科技"]


def test_drill_down_refuses_out_of_scope_regions_and_reported_indicators(client_as, figures):
    hnte = indicator("hnte_total").pk
    assert client_as("district_b_officer").get(f"/indicators/catalogue/{hnte}/drill/{DISTRICT_A}/").status_code == 404
    reported = indicator(TURNOVER).pk
    assert client_as("city_officer").get(f"/indicators/catalogue/{reported}/drill/{CITY}/").status_code == 404
    assert client_as("expert").get(f"/indicators/catalogue/{hnte}/drill/{CITY}/").status_code == 403


# --- values -----------------------------------------------------------------------------------------------


def test_value_list_shows_only_values_in_scope(client_as, figures):
    response = client_as("district_a_officer").get("/indicators/values/", {"per_page": 100})
    assert response.status_code == 200
    regions = {row.region_id for row in response.context["filter"].qs}
    assert DISTRICT_A in regions and DISTRICT_B not in regions and CITY not in regions


def test_value_entry_refuses_a_region_outside_scope(client_as, cast):
    response = client_as("district_a_officer").post("/indicators/values/add/", {
        "indicator": indicator("gdp").pk, "region": DISTRICT_B, "year": YEAR, "period": "", "value": "10"})
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_value_entry_stores_a_figure(client_as, cast):
    response = client_as("city_officer").post("/indicators/values/add/", {
        "indicator": indicator("gdp").pk, "region": DISTRICT_A, "year": YEAR, "period": "", "value": "1500"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator__code="gdp").value == 1500


# --- targets ------------------------------------------------------------------------------------------------


def test_targets_page_shows_the_decomposition_warning(client_as, cast):
    aim(TURNOVER, CITY, 200)
    aim(TURNOVER, DISTRICT_A, 120)
    aim(TURNOVER, DISTRICT_B, 70)
    response = client_as("city_officer").get("/indicators/targets/", {"indicator": indicator(TURNOVER).pk,
                                                                       "region": CITY, "year": YEAR})
    assert response.status_code == 200
    # 120 + 70 = 190, 10 below 200
    assert response.context["check"].warning == "下级目标之和 190 低于本级目标 200，相差 10。"
    assert "下级目标之和 190 低于本级目标 200" in response.content.decode()
    assert dict(Target.objects.values_list("region_id", "value")) == {CITY: 200, DISTRICT_A: 120, DISTRICT_B: 70}


def test_targets_page_of_a_region_outside_scope_is_404(client_as, cast):
    response = client_as("district_a_officer").get("/indicators/targets/", {
        "indicator": indicator(TURNOVER).pk, "region": DISTRICT_B, "year": YEAR})
    assert response.status_code == 404


def test_setting_a_target_through_the_page(client_as, cast):
    response = client_as("city_officer").post("/indicators/targets/", {
        "indicator": indicator(TURNOVER).pk, "region": DISTRICT_A, "year": YEAR, "value": "120"})
    assert response.status_code == 302
    assert Target.objects.get().value == 120


def test_a_target_outside_scope_through_the_page_is_refused_and_not_written(client_as, cast):
    response = client_as("district_a_officer").post("/indicators/targets/", {
        "indicator": indicator(TURNOVER).pk, "region": DISTRICT_B, "year": YEAR, "value": "120"})
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Target.objects.exists()


def test_a_leader_reads_targets_but_cannot_set_them(client_as, cast):
    client = client_as("leader")
    assert client.get("/indicators/targets/").status_code == 200
    response = client.post("/indicators/targets/", {"indicator": indicator(TURNOVER).pk, "region": CITY,
                                                    "year": YEAR, "value": "1"})
    assert response.status_code == 403
    assert not Target.objects.exists()


@pytest.mark.parametrize("persona", ["expert", "audit_admin"])
def test_targets_without_the_grant_is_403(client_as, persona):
    assert client_as(persona).get("/indicators/targets/").status_code == 403


# --- red/black lists -------------------------------------------------------------------------------------------


def preview_params():
    return {"indicator": indicator(TURNOVER).pk, "region": CITY, "year": YEAR, "as_of": "2024-12-31",
            "black_rule": "bottom_n"}


def test_redblack_preview_by_get_writes_nothing(client_as, figures):
    response = client_as("city_officer").get("/indicators/redblack/", preview_params())
    assert response.status_code == 200
    # completion: 玄武 100/120 = 0.8333, 秦淮 80/80 = 1.0 → 秦淮 first
    assert [(x.region.code, x.rank.position) for x in response.context["lines"]] == [(DISTRICT_B, 1),
                                                                                     (DISTRICT_A, 2)]
    assert not RedBlackList.objects.exists()


def test_redblack_publish_by_post_freezes_the_list(client_as, figures, cast):
    response = client_as("city_officer").post("/indicators/redblack/", preview_params())
    published = RedBlackList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/indicators/redblack/{published.pk}/"
    assert (published.region_id, published.published_by) == (CITY, cast.city_officer)
    assert RedBlackEntry.objects.filter(list=published).count() == 2
    detail = client_as("leader").get(f"/indicators/redblack/{published.pk}/")
    assert detail.status_code == 200
    assert len(detail.context["entries"]) == 2


def test_a_leader_previews_but_cannot_publish(client_as, figures):
    client = client_as("leader")
    assert client.get("/indicators/redblack/", preview_params()).status_code == 200
    assert client.post("/indicators/redblack/", preview_params()).status_code == 403
    assert not RedBlackList.objects.exists()


def test_redblack_of_a_region_outside_scope_is_404(client_as, figures):
    params = {**preview_params(), "region": CITY}
    assert client_as("district_a_officer").get("/indicators/redblack/", params).status_code == 404
    assert client_as("district_a_officer").post("/indicators/redblack/", params).status_code == 404
    assert not RedBlackList.objects.exists()


def test_a_published_list_outside_scope_is_404(client_as, figures):
    client_as("city_officer").post("/indicators/redblack/", preview_params())
    published = RedBlackList.objects.get()
    assert client_as("district_b_officer").get(f"/indicators/redblack/{published.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["expert", "audit_admin"])
def test_redblack_without_the_grant_is_403(client_as, persona):
    assert client_as(persona).get("/indicators/redblack/").status_code == 403


# --- collection -------------------------------------------------------------------------------------------------


@pytest.fixture
def city_round(cast):
    return open_round(name="2024年度研发投入采集", region=cast.regions[CITY], year=YEAR, period="",
                      indicators=[indicator("gdp")], deadline=date(2025, 1, 31), actor=cast.city_officer)


def test_collection_pages_render_for_the_city_officer(client_as, city_round):
    client = client_as("city_officer")
    assert client.get("/indicators/collection/").status_code == 200
    assert client.get(f"/indicators/collection/{city_round.pk}/").status_code == 200
    submission = city_round.submissions.get(region_id=DISTRICT_A)
    assert client.get(f"/indicators/collection/submission/{submission.pk}/").status_code == 200


def test_a_district_sees_its_own_submission_not_its_neighbours(client_as, city_round):
    client = client_as("district_a_officer")
    assert client.get("/indicators/collection/").status_code == 200
    mine = city_round.submissions.get(region_id=DISTRICT_A)
    theirs = city_round.submissions.get(region_id=DISTRICT_B)
    assert client.get(f"/indicators/collection/submission/{mine.pk}/").status_code == 200
    assert client.get(f"/indicators/collection/submission/{theirs.pk}/").status_code == 404
    assert client.post(f"/indicators/collection/submission/{theirs.pk}/", {
        "action": "save", f"value_{indicator('gdp').pk}": "1"}).status_code == 404
    assert not SubmissionItem.objects.exists()


def test_submitting_and_accepting_through_the_pages(client_as, city_round):
    gdp = indicator("gdp").pk
    mine = city_round.submissions.get(region_id=DISTRICT_A)
    response = client_as("district_a_officer").post(f"/indicators/collection/submission/{mine.pk}/", {
        "action": "submit", f"value_{gdp}": "1500", f"explanation_{gdp}": ""})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "submitted"
    client_as("city_officer").post(f"/indicators/collection/submission/{mine.pk}/", {"action": "accept"})
    mine.refresh_from_db()
    assert mine.status == "accepted"
    assert IndicatorValue.objects.get(indicator__code="gdp", region_id=DISTRICT_A).origin == "collected"


def test_a_district_officer_cannot_accept_through_the_page(client_as, city_round, cast):
    mine = city_round.submissions.get(region_id=DISTRICT_A)
    save_draft(mine, {indicator("gdp").pk: "1500"}, {}, actor=cast.district_a_officer)
    submit(mine, actor=cast.district_a_officer)
    client_as("district_a_officer").post(f"/indicators/collection/submission/{mine.pk}/", {"action": "accept"})
    mine.refresh_from_db()
    assert mine.status == "submitted"
    assert not IndicatorValue.objects.exists()


def test_a_round_of_another_region_is_404(client_as, city_round):
    assert client_as("district_b_officer").get(f"/indicators/collection/{city_round.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["expert", "audit_admin"])
def test_collection_without_the_grant_is_403(client_as, persona, city_round):
    client = client_as(persona)
    assert client.get("/indicators/collection/").status_code == 403
    assert client.get(f"/indicators/collection/{city_round.pk}/").status_code == 403
