"""Local programmes as data (issue 4): the condition library, definition validation, the shipped 瞪羚/独角兽/雏鹰
definitions, the system check, and the admin page where a bureau defines its own programme (旭日计划)."""

import datetime
import types
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, include, path, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.audit.models import ObjectChange
from kechuang.core.testing.personas import DISTRICT_A, DISTRICT_B
from kechuang.core.testing.suites import changes_for
from kechuang.eligibility.engine import local
from kechuang.eligibility.engine.local import (
    DefinitionError,
    check_local_programmes,
    definition_from_rows,
    parse_body,
    parse_file,
)
from kechuang.eligibility.engine.programme import REGISTRY, UnknownProgramme, assess, get_programme
from kechuang.eligibility.models import LocalProgrammeVersion
from kechuang.eligibility.tests.strategies_local import STRATEGIES

DAY = datetime.date(2024, 6, 1)
SHIPPED = ("gazelle_huangpu", "gazelle_jinan", "unicorn_huangpu", "potential_unicorn_huangpu", "chuying_hangzhou")


def body_programme(text: str, start: datetime.date = datetime.date(2020, 1, 1), code: str = "demo"):
    return definition_from_rows(code, [(start, "示例项目", "d1 第一条", text)]).programme()


def problems_of(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_body(text, start=datetime.date(2020, 1, 1), source="示例办法第一条", label="示例")
    return caught.value.problems


# --- validation: clear Chinese errors naming the path ----------------------------------------------------------


@pytest.mark.parametrize("text, path, message", [
    ("all: [{type: ratioo, fact: employees, ge: 1}]", "规则定义.all[0].type", "未知的条件类型“ratioo”"),
    ("all: [{type: value, fact: sales, ge: 1}]", "规则定义.all[0].fact", "未知的事实“sales”"),
    ("all: [{type: value, fact: sales_revenue}]", "规则定义.all[0]", "缺少阈值"),
    ("all: [{type: value, fact: sales_revenue, ge: 1, lt: 5}]", "规则定义.all[0]", "只能给出一个阈值"),
    ("all: [{type: value, fact: sales_revenue, ge: many}]", "规则定义.all[0].ge", "阈值应为数值"),
    ("all: [{type: value, fact: sales_revenue, gee: 1}]", "规则定义.all[0]", "未知的键“gee”"),
    ("all: [{type: size_limit, fact: employees, ge: 10}]", "规则定义.all[0]", "此处不接受“ge”"),
    ("all: [{type: cagr, fact: sales_revenue, years: 3, ge: 0.2}]", "规则定义.all[0].fact", "应为多年序列"),
    ("all: [{type: cagr, fact: sales_revenue_series, ge: 0.2}]", "规则定义.all[0]", "缺少 years"),
    ("all: [{type: cagr, fact: sales_revenue_series, years: 6, ge: 0.2}]", "规则定义.all[0].years", "1–5 之间的整数"),
    ("all: [{type: growth, fact: sales_revenue_series, ge: -1}]", "规则定义.all[0]", "应大于 -1"),
    ("all: [{type: ratio, numerator: rd_expense, denominator: sales_revenue, band_by: sales_revenue,"
     " bands: [{lt: 3000, require: {ge: 0.05}}]}]", "规则定义.all[0].bands[0]", "最后一档必须是 else"),
    ("all: [{type: ratio, numerator: rd_expense, denominator: sales_revenue, ge: 0.1, band_by: sales_revenue,"
     " bands: [{else: fail}]}]", "规则定义.all[0]", "只能二选一"),
    ("all: [{type: age}]", "规则定义.all[0]", "缺少界限"),
    ("all: [{type: date, fact: registered_on, ge: 2020-01-01, gt: 2020-02-01}]", "规则定义.all[0]", "各最多一个"),
    ("all: [{type: industry, in: [Z9]}]", "规则定义.all[0].in", "未知的代码“Z9”"),
    ("all: [{type: declared, fact: employees}]", "规则定义.all[0].fact", "类型不适用于此条件"),
    ("all: [{id: a, type: age, le: 5}, {id: a, type: age, ge: 1}]", "规则定义.all[1]", "编号“a”重复"),
    ("all: []", "规则定义.all", "应为非空列表"),
    ("all: [{type: age, le: 5}]\nany: [{type: age, le: 5}]", "规则定义", "只能有一个 all"),
    ("code: xuri\nall: [{type: age, le: 5}]", "规则定义", "由表单字段“项目代码”填写"),
    ("versions: []", "规则定义", "每条记录就是一个版本"),
    ("facts: {employees: {label: 职工, kind: count}}\nall: [{type: age, le: 5}]", "规则定义.facts.employees",
     "与共享事实重名"),
    ("all: [{type: age, le: 5}\n", "规则定义", "不是有效的 YAML"),
])
def test_an_invalid_definition_is_refused_naming_the_path(text, path, message):
    problems = problems_of(text)
    assert any(p.startswith(f"{path}：") and message in p for p in problems), problems


def test_every_problem_is_reported_at_once():
    problems = problems_of("all: [{type: nope}, {type: value, fact: sales, ge: 1}, {type: age}]")
    assert len(problems) == 3


def test_a_yaml_alias_bomb_is_refused_without_expanding_it():
    levels = ["&l1 {all: [&l0 {type: age, le: 5}, *l0, *l0, *l0]}"]
    levels += [f"&l{n} {{all: [*l{n - 1}, *l{n - 1}, *l{n - 1}, *l{n - 1}]}}" for n in range(2, 9)]
    problems = problems_of("all: [" + ", ".join(levels) + "]")  # 4^8 conditions if expanded
    assert any("条件过多" in p for p in problems)


def test_a_file_with_versions_out_of_order_is_refused():
    text = """
code: demo
label: 示例
documents: {d1: 《示例办法》}
versions:
  - {from: 2022-01-01, source: d1 第一条, all: [{type: age, le: 5}]}
  - {from: 2020-01-01, source: d1 第二条, all: [{type: age, le: 3}]}
  - {from: 2023-01-01, source: d9 第二条, all: [{type: age, le: 3}]}
"""
    with pytest.raises(DefinitionError) as caught:
        parse_file(text, "demo.yaml")
    text_of = "\n".join(caught.value.problems)
    assert "demo.yaml.versions：施行日期（from）须按先后顺序排列且不重复" in text_of
    assert "demo.yaml.versions[2].source：引用了未知的文件代号“d9”" in text_of


def test_a_custom_fact_is_declared_and_used():
    programme = body_programme("facts: {incubated: {label: 在孵企业, kind: bool}}\n"
                               "all: [{id: inc, type: declared, fact: incubated}]")
    assert [f.name for f in programme.facts] == ["incubated"]
    assert programme.facts[0].label == "在孵企业"
    assert programme.assess({"incubated": True}, DAY).eligible is True


# --- every condition type, both sides of its edge -----------------------------------------------------------------

EDGES = [
    # (condition, facts, as_of, passed)
    ("{type: value, fact: sales_revenue, ge: 100}", {"sales_revenue": 100}, DAY, True),
    ("{type: value, fact: sales_revenue, ge: 100}", {"sales_revenue": "99.99"}, DAY, False),
    ("{type: value, fact: sales_revenue, gt: 100}", {"sales_revenue": 100}, DAY, False),
    ("{type: value, fact: sales_revenue, gt: 100}", {"sales_revenue": "100.01"}, DAY, True),
    ("{type: value, fact: total_assets, le: 100}", {"total_assets": 100}, DAY, True),
    ("{type: value, fact: total_assets, lt: 100}", {"total_assets": 100}, DAY, False),
    ("{type: value, fact: sales_revenue_series, years_before: 2, ge: 10}", {"sales_revenue_series": [10, 1, 1]},
     DAY, True),
    ("{type: value, fact: sales_revenue_series, years_before: 2, ge: 10}", {"sales_revenue_series": [9, 99, 99]},
     DAY, False),
    ("{type: value, fact: sales_revenue_series, years_before: 2, ge: 10}", {"sales_revenue_series": [99, 99]},
     DAY, None),
    ("{type: value, fact: sales_revenue, ge: 1}", None, DAY, None),
    ("{type: count, sum_of: [class1_ip, class2_ip], ge: 3}", {"class1_ip": 1, "class2_ip": 2}, DAY, True),
    ("{type: count, sum_of: [class1_ip, class2_ip], ge: 3}", {"class1_ip": 1, "class2_ip": 1}, DAY, False),
    ("{type: count, sum_of: [class1_ip, class2_ip], ge: 3}", {"class1_ip": 1}, DAY, None),
    ("{type: size_limit, fact: employees, le: 500}", {"employees": 500}, DAY, True),
    ("{type: size_limit, fact: employees, le: 500}", {"employees": 501}, DAY, False),
    ("{type: ratio, numerator: rd_expense, denominator: sales_revenue, ge: 0.05}",
     {"rd_expense": 5, "sales_revenue": 100}, DAY, True),
    ("{type: ratio, numerator: rd_expense, denominator: sales_revenue, ge: 0.05}",
     {"rd_expense": "4.99", "sales_revenue": 100}, DAY, False),
    ("{type: ratio, numerator: rd_expense, denominator: sales_revenue, ge: 0.05}",
     {"rd_expense": 1, "sales_revenue": 0}, DAY, False),
    ("{type: ratio, numerator: liabilities, denominator: total_assets, le: 0.7}",
     {"liabilities": 70, "total_assets": 100}, DAY, True),
    ("{type: ratio, numerator: liabilities, denominator: total_assets, le: 0.7}",
     {"liabilities": "70.01", "total_assets": 100}, DAY, False),
    ("{type: growth, fact: sales_revenue_series, gt: 0}", {"sales_revenue_series": [100, 100]}, DAY, False),
    ("{type: growth, fact: sales_revenue_series, gt: 0}", {"sales_revenue_series": [100, "100.01"]}, DAY, True),
    ("{type: growth, fact: sales_revenue_series, ge: 0.5}", {"sales_revenue_series": [100, 150]}, DAY, True),
    ("{type: growth, fact: sales_revenue_series, ge: 0.5}", {"sales_revenue_series": [100, "149.99"]}, DAY, False),
    ("{type: growth, fact: sales_revenue_series, ge: 0.5}", {"sales_revenue_series": [0, 150]}, DAY, False),
    ("{type: cagr, fact: employees_series, years: 2, ge: 0.2}", {"employees_series": [100, 0, 144]}, DAY, True),
    ("{type: cagr, fact: employees_series, years: 2, ge: 0.2}", {"employees_series": [100, 200, 143]}, DAY, False),
    ("{type: cagr, fact: sales_revenue_series, years: 3, gt: 0.2}", {"sales_revenue_series": [1000, 1, 1, 1728]},
     DAY, False),
    ("{type: age, ge: 2}", {"registered_on": "2022-06-01"}, DAY, True),
    ("{type: age, ge: 2}", {"registered_on": "2022-06-02"}, DAY, False),
    ("{type: age, gt: 2}", {"registered_on": "2022-06-01"}, DAY, False),
    ("{type: age, gt: 2}", {"registered_on": "2022-05-31"}, DAY, True),
    ("{type: age, lt: 5}", {"registered_on": "2019-06-01"}, DAY, False),
    ("{type: age, lt: 5}", {"registered_on": "2019-06-02"}, DAY, True),
    ("{type: age, gt: 5, le: 9}", {"registered_on": "2015-06-01"}, DAY, True),
    ("{type: age, gt: 5, le: 9}", {"registered_on": "2019-06-01"}, DAY, False),
    ("{type: date, fact: registered_on, ge: 2016-06-01, lt: 2021-06-01}", {"registered_on": "2021-05-31"}, DAY, True),
    ("{type: date, fact: registered_on, ge: 2016-06-01, lt: 2021-06-01}", {"registered_on": "2021-06-01"}, DAY,
     False),
    ("{type: qualification_held, kind: [tsme, hnte]}", {"qualifications": ["tsme"]}, DAY, True),
    ("{type: qualification_held, kind: [tsme, hnte]}", {"qualifications": []}, DAY, False),
    ("{type: qualification_held, kind: tsme}", {}, DAY, None),
    ("{type: qualification_held, kind: hnte}", {"qualifications": [], "holds_valid_hnte": True}, DAY, True),
    ("{type: field, in: ['1', '2']}", {"hightech_field": "1"}, DAY, True),
    ("{type: field, in: ['1', '2']}", {"hightech_field": "3"}, DAY, False),
    ("{type: industry, in: [C]}", {"industry": "3911"}, DAY, True),
    ("{type: industry, in: [C]}", {"industry": "6513"}, DAY, False),
    ("{type: industry, not_in: ['65']}", {"industry": "6513"}, DAY, False),
    ("{type: industry, not_in: ['65']}", {"industry": "7320"}, DAY, True),
    ("{type: listing, in: [unlisted, neeq]}", {"listing_status": "neeq"}, DAY, True),
    ("{type: listing, in: [unlisted, neeq]}", {"listing_status": "main"}, DAY, False),
    ("{type: declared, fact: holds_valid_hnte}", {"holds_valid_hnte": False}, DAY, False),
]


@pytest.mark.parametrize("condition, facts, as_of, passed", EDGES)
def test_each_condition_type_on_both_sides_of_its_edge(condition, facts, as_of, passed):
    programme = body_programme(f"all: [{{id: c, {condition[1:]}]")
    result = programme.assess(facts or {}, as_of)
    assert result.check("c").passed is passed
    if passed is None:
        assert result.check("c").missing


@pytest.mark.parametrize("condition, facts", [(c, f) for c, f, _, p in EDGES if p is False])
def test_a_numeric_shortfall_really_closes_the_gap(condition, facts):
    programme = body_programme(f"all: [{{id: c, {condition[1:]}]")
    result = programme.assess(facts, DAY)
    shortfall = result.check("c").shortfall
    if shortfall is not None:
        assert programme.assess(shortfall.apply(result.facts), DAY).check("c").passed is True


def test_any_composes_three_valued():
    programme = body_programme("any: [{id: a, type: value, fact: sales_revenue, ge: 100},"
                               " {id: b, type: value, fact: total_assets, ge: 100}]")
    assert programme.assess({"sales_revenue": 1}, DAY).eligible is None        # False or missing
    assert programme.assess({"sales_revenue": 100}, DAY).eligible is True      # True or missing
    failed = programme.assess({"sales_revenue": 1, "total_assets": 2}, DAY)
    assert failed.eligible is False
    assert [c.id for c in failed.failed] == ["routes"]  # the alternatives are routes; the group is the failure
    assert failed.check("routes").shortfall.changes == {"sales_revenue": Decimal("100.00")}


# --- RULES.md §8.6 worked examples --------------------------------------------------------------------------------


def test_rules_example_1_huangpu_gazelle_cagr():
    facts = {"qualifications": ["hnte"], "registered_on": "2010-03-01"}
    slow = assess({**facts, "sales_revenue_series": [1200, 1400, 1700, 2000]}, "gazelle_huangpu", DAY)
    fast = assess({**facts, "sales_revenue_series": [1200, 1500, 1800, 2200]}, "gazelle_huangpu", DAY)
    assert (slow.eligible, slow.check("growth.cagr").actual_text) == (False, "18.56%")
    assert (fast.eligible, fast.check("growth.cagr").actual_text) == (True, "22.39%")


def test_rules_example_2_huangpu_unicorn_and_potential_unicorn():
    unicorn = {"registered_on": "2016-05-01", "valuation": 864000, "listing_status": "unlisted",
               "strategic_emerging": True}
    assert assess(unicorn, "unicorn_huangpu", DAY).eligible is True
    young = {"registered_on": "2020-03-01", "valuation": 70000}
    assert assess(young, "potential_unicorn_huangpu", DAY).eligible is True
    assert assess({**young, "listing_status": "unlisted", "strategic_emerging": True}, "unicorn_huangpu",
                  DAY).eligible is False


def test_rules_example_3_hangzhou_chuying_needs_5_percent():
    facts = {"registered_on": "2018-03-01", "sales_revenue": 2500, "employees": 40, "tech_staff": 8,
             "rd_ledger": True, "rd_expense": 120, "class2_ip": 1, "class1_ip": 0, "integrity_ok": True}
    result = assess(facts, "chuying_hangzhou", datetime.date(2022, 5, 1))
    check = result.check("rd_ratio")
    assert (result.eligible, check.actual_text, check.required) == (False, "4.8%", "≥ 5%")
    assert check.shortfall.amount == Decimal("5.00")
    assert "销售收入 < 3000 万元" in check.note


# --- shipped files, registry, system check -----------------------------------------------------------------------


def test_the_shipped_definitions_are_registered_with_their_rung_and_first_date():
    assert check_local_programmes() == []
    expected = {"gazelle_huangpu": ("gazelle", "2022-01-01"), "gazelle_jinan": ("gazelle", "2016-01-01"),
                "unicorn_huangpu": ("unicorn", "2016-01-01"),
                "potential_unicorn_huangpu": ("quasi_unicorn", "2016-01-01"), "chuying_hangzhou": ("", "2022-01-01")}
    for code, (rung, first) in expected.items():
        programme = REGISTRY[code]
        assert (programme.rung, programme.first_date.isoformat()) == (rung, first)
    version = REGISTRY["gazelle_huangpu"].rules_version(DAY)
    assert version.startswith("gazelle_huangpu@2022-01-01#") and len(version.split("#")[1]) == 12


def test_the_programme_declares_exactly_the_facts_its_conditions_use():
    names = {fact.name for fact in REGISTRY["gazelle_huangpu"].facts}
    assert names == {"qualifications", "holds_valid_hnte", "registered_on", "sales_revenue_series"}
    series = REGISTRY["gazelle_huangpu"].fact_map["sales_revenue_series"]
    assert (series.length, series.min_length) == (6, 1)


def test_the_system_check_reports_a_broken_or_misnamed_file(tmp_path, monkeypatch):
    (tmp_path / "broken.yaml").write_text("code: broken\nlabel: 坏\nversions:\n  - {from: 2020-01-01, source: x,"
                                          " all: [{type: nope}]}\n", encoding="utf-8")
    (tmp_path / "other_name.yaml").write_text("code: misnamed\nlabel: 错名\nversions:\n  - {from: 2020-01-01,"
                                              " source: x, all: [{type: age, le: 5}]}\n", encoding="utf-8")
    monkeypatch.setattr(local, "LOCAL_DIR", tmp_path)
    errors = check_local_programmes()
    assert [e.id for e in errors] == ["eligibility.E101", "eligibility.E101"]
    assert "broken.yaml.versions[0].all[0].type：未知的条件类型“nope”" in errors[0].msg
    assert "文件名应与项目代码一致（misnamed.yaml）" in errors[1].msg


def test_a_file_code_taken_by_a_built_in_programme_is_reported(tmp_path, monkeypatch):
    (tmp_path / "tech_sme.yaml").write_text("code: tech_sme\nlabel: 冒名\nversions:\n  - {from: 2020-01-01,"
                                            " source: x, all: [{type: age, le: 5}]}\n", encoding="utf-8")
    monkeypatch.setattr(local, "LOCAL_DIR", tmp_path)
    assert [e.id for e in check_local_programmes()] == ["eligibility.E102"]


# --- the property: a shortfall applied passes its check (routes included) ------------------------------------


@pytest.mark.parametrize("code", sorted(STRATEGIES))
def test_every_shortfall_of_a_local_programme_passes_its_check(code):
    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(STRATEGIES[code], st.data())
    def run(facts, data):
        result = assess(facts, code, DAY)
        for check in result.checks:
            if check.shortfall is not None:
                fixed = assess(check.shortfall.apply(result.facts), code, DAY)
                assert fixed.check(check.id).passed is True, (check.shortfall, facts)

    run()


def test_the_strategies_do_produce_shortfalls():
    seen: set[str] = set()

    @settings(max_examples=150, deadline=None)
    @given(st.sampled_from(["gazelle_huangpu", "chuying_hangzhou"]).flatmap(lambda c: st.tuples(
        st.just(c), STRATEGIES[c])))
    def collect(pair):
        code, facts = pair
        seen.update(f"{code}:{c.id}" for c in assess(facts, code, DAY).checks if c.shortfall is not None)

    collect()
    assert {"gazelle_huangpu:growth.cagr", "chuying_hangzhou:rd_ratio"} <= seen


# --- the admin page: a bureau defines 旭日计划 without code --------------------------------------------------

XURI = """documents: {xr2024: 《玄武区“旭日计划”企业培育实施办法》}
facts:
  incubated: {label: 在本区孵化载体内孵化, kind: bool}
all:
  - {id: qualified, type: qualification_held, kind: [tsme, hnte], label: 科技型中小企业或高新技术企业}
  - {id: age, type: age, le: 5, source: xr2024 第五条（一）}
  - {id: rd_ratio, type: ratio, numerator: rd_expense, denominator: sales_revenue, ge: 0.03}
  - id: momentum
    label: 成长或孵化
    any:
      - {id: momentum.growth, type: growth, fact: sales_revenue_series, ge: 0.3}
      - {id: momentum.incubated, type: declared, fact: incubated}
"""
XURI_FACTS = {"qualifications": ["tsme"], "registered_on": "2021-03-01", "rd_expense": 40, "sales_revenue": 1000,
              "sales_revenue_series": [600, 1000]}


@pytest.fixture
def local_urls(settings):
    """Route the local pages under /eligibility/local/ if the project's URL map does not include them yet."""
    try:
        reverse("eligibility:localprogrammeversion_list")
        return
    except NoReverseMatch:
        pass
    from kechuang import urls as root
    from kechuang.eligibility import urls as eligibility

    patterns = [*eligibility.urlpatterns, path("local/", include("kechuang.eligibility.local_urls"))]
    others = [p for p in root.urlpatterns if getattr(p, "namespace", None) != "eligibility"]
    urlconf = types.ModuleType("local_programme_test_urls")
    urlconf.urlpatterns = [path("eligibility/", include((patterns, "eligibility"))), *others]
    settings.ROOT_URLCONF = urlconf


def xuri_form(**changes):
    return {"code": "xuri_xuanwu", "label": "旭日计划企业（玄武区）", "effective_from": "2024-01-01",
            "source": "xr2024 第五条", "region": DISTRICT_A, "definition": XURI, **changes}


def add_url():
    return reverse("eligibility:localprogrammeversion_add")


def make_version(cast, code="xuri_xuanwu", start="2024-01-01", region=DISTRICT_A, definition=XURI):
    return LocalProgrammeVersion.objects.create(code=code, label="旭日计划企业",
                                                effective_from=datetime.date.fromisoformat(start),
                                                source="xr2024 第五条", region=cast.regions[region],
                                                definition=definition)


@pytest.mark.django_db
def test_a_district_officer_defines_xuri_on_the_page_and_it_is_assessed_by_code(cast, client_as, local_urls):
    response = client_as("district_a_officer").post(add_url(), xuri_form())
    version = LocalProgrammeVersion.objects.get(code="xuri_xuanwu")
    assert response.status_code == 302
    assert response["Location"] == reverse("eligibility:localprogrammeversion_detail", args=[version.pk])
    assert changes_for(version, "create") == 1
    result = assess(XURI_FACTS, "xuri_xuanwu", DAY)
    assert result.eligible is True
    assert result.rules_version.startswith("xuri_xuanwu@2024-01-01#")
    assert result.check("age").source == "《玄武区“旭日计划”企业培育实施办法》第五条（一）"
    assert result.check("momentum").passed is True
    slow = assess({**XURI_FACTS, "sales_revenue_series": [900, 1000], "incubated": False}, "xuri_xuanwu", DAY)
    assert slow.eligible is False and [c.id for c in slow.failed] == ["momentum"]


@pytest.mark.django_db
def test_an_officer_of_another_district_cannot_see_it(cast, client_as, local_urls):
    version = make_version(cast)
    detail = reverse("eligibility:localprogrammeversion_detail", args=[version.pk])
    assert client_as("district_b_officer").get(detail).status_code == 404
    listed = client_as("district_b_officer").get(reverse("eligibility:localprogrammeversion_list"))
    assert version.pk not in set(listed.context["filter"].qs.values_list("pk", flat=True))
    assert client_as("district_a_officer").get(detail).status_code == 200
    assert client_as("city_officer").get(detail).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona, url, status", [
    ("enterprise_user", "list", 403), ("expert", "list", 403), ("leader", "list", 200), ("leader", "add", 403),
    ("district_a_officer", "add", 200),
])
def test_only_officers_reach_the_pages_and_only_writers_add(cast, client_as, local_urls, persona, url, status):
    assert client_as(persona).get(reverse(f"eligibility:localprogrammeversion_{url}")).status_code == status


@pytest.mark.django_db
def test_an_invalid_definition_shows_chinese_errors_and_saves_nothing(cast, client_as, local_urls):
    broken = XURI.replace("type: ratio,", "type: ratioo,").replace("ge: 0.3}", "}")
    response = client_as("district_a_officer").post(add_url(), xuri_form(definition=broken))
    assert response.status_code == 200
    errors = response.context["form"].errors["definition"]
    assert any("规则定义.all[2].type：未知的条件类型“ratioo”" in e for e in errors)
    assert any("规则定义.all[3].any[0]：缺少阈值" in e for e in errors)
    assert "未知的条件类型" in response.content.decode()
    assert not LocalProgrammeVersion.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("changes, field, message", [
    ({"code": "gazelle_huangpu"}, "code", "随系统发布"),
    ({"code": "tech_sme"}, "code", "内置"),
    ({"code": "Xuri-1"}, "code", "小写字母开头"),
    ({"region": DISTRICT_B}, "region", ""),
])
def test_reserved_codes_and_regions_outside_the_scope_are_refused(cast, client_as, local_urls, changes, field,
                                                                  message):
    response = client_as("district_a_officer").post(add_url(), xuri_form(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not LocalProgrammeVersion.objects.exists()


@pytest.mark.django_db
def test_a_code_belongs_to_one_region(cast, client_as, local_urls):
    make_version(cast, region=DISTRICT_B)
    response = client_as("district_a_officer").post(add_url(), xuri_form(effective_from="2025-01-01"))
    assert "已由其他区域使用" in " ".join(response.context["form"].errors["code"])


@pytest.mark.django_db
def test_a_second_version_on_the_same_date_is_refused(cast, client_as, local_urls):
    make_version(cast)
    response = client_as("district_a_officer").post(add_url(), xuri_form())
    assert response.status_code == 200
    assert "同一项目在同一施行日期只能有一个版本" in response.content.decode()


@pytest.mark.django_db
def test_trying_a_definition_on_the_form_assesses_and_saves_nothing(cast, client_as, local_urls):
    import json

    before = ObjectChange.objects.count()
    data = xuri_form(try_facts=json.dumps({**XURI_FACTS, "rd_expense": 20}), try_as_of="2024-06-01", **{"try": "1"})
    response = client_as("district_a_officer").post(add_url(), data)
    assert response.status_code == 200
    result = response.context["trial"]["result"]
    assert result.eligible is False and result.check("rd_ratio").shortfall.amount == Decimal("10.00")
    assert "研发费用总额还需增加 10.0 万元" in response.content.decode()
    assert not LocalProgrammeVersion.objects.exists()
    assert ObjectChange.objects.count() == before


@pytest.mark.django_db
def test_trying_with_bad_facts_says_which_field(cast, client_as, local_urls):
    data = xuri_form(try_facts='{"rd_expense": "很多"}', try_as_of="2024-06-01", **{"try": "1"})
    response = client_as("district_a_officer").post(add_url(), data)
    assert "rd_expense" in response.context["trial"]["error"]
    response = client_as("district_a_officer").post(add_url(), xuri_form(try_facts="{oops", **{"try": "1"}))
    assert "不是有效的 JSON" in " ".join(response.context["form"].errors["try_facts"])


@pytest.mark.django_db
def test_the_detail_page_outlines_the_conditions_and_tries_by_code(cast, client_as, local_urls):
    import json

    version = make_version(cast)
    detail = reverse("eligibility:localprogrammeversion_detail", args=[version.pk])
    client = client_as("district_a_officer")
    page = client.get(detail)
    assert [node.id for _depth, node, _req in page.context["outline"]][:3] == ["qualified", "age", "rd_ratio"]
    before = ObjectChange.objects.count()
    response = client.post(detail, {"facts": json.dumps(XURI_FACTS), "as_of": "2024-06-01"})
    assert response.context["trial"]["result"].eligible is True
    assert ObjectChange.objects.count() == before
    early = client.post(detail, {"facts": "{}", "as_of": "2023-12-31"})
    assert "2024-01-01 起施行" in early.context["trial"]["error"]


@pytest.mark.django_db
def test_a_new_version_starts_from_an_existing_one(cast, client_as, local_urls):
    version = make_version(cast)
    page = client_as("district_a_officer").get(add_url() + f"?from={version.pk}")
    assert page.context["form"].initial["definition"] == XURI
    assert page.context["form"].initial["region"] == DISTRICT_A
    hidden = client_as("district_b_officer").get(add_url() + f"?from={version.pk}")
    assert "definition" not in hidden.context["form"].initial


# --- the resolver: versions by date, and a saved change is used at once ------------------------------------------


@pytest.mark.django_db
def test_a_new_version_is_used_from_its_date_on_the_next_assessment(cast):
    make_version(cast)
    later_day = datetime.date(2025, 6, 1)
    assert assess(XURI_FACTS, "xuri_xuanwu", later_day).eligible is True
    stricter = make_version(cast, start="2025-01-01", definition=XURI.replace("ge: 0.03", "ge: 0.05"))
    after = assess(XURI_FACTS, "xuri_xuanwu", later_day)
    assert after.eligible is False and after.rules_version.startswith("xuri_xuanwu@2025-01-01#")
    assert assess(XURI_FACTS, "xuri_xuanwu", DAY).eligible is True  # the 2024 version still answers for 2024
    stricter.definition = XURI.replace("ge: 0.03", "ge: 0.04")
    stricter.save()
    assert assess(XURI_FACTS, "xuri_xuanwu", later_day).eligible is True  # 4% = 40 ÷ 1000: the edit is seen


@pytest.mark.django_db
def test_database_codes_lists_the_bureau_defined_programmes(cast):
    make_version(cast)
    make_version(cast, start="2025-01-01")
    assert local.database_codes() == ["xuri_xuanwu"]
    assert "xuri_xuanwu" not in REGISTRY  # found by the resolver, not registered at start-up


@pytest.mark.django_db
def test_an_unknown_code_is_still_unknown(cast):
    with pytest.raises(UnknownProgramme):
        get_programme("no_such_programme")
    with pytest.raises(UnknownProgramme):
        get_programme("Not A Code!")

