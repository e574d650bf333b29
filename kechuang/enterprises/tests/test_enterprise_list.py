"""The enterprise list at scale (issue 3, "Speed"): one count, a bounded number of queries whatever the number of
rows, the count and the rows of the user's scope only, stable pages, and the markup written in Python (the
table's rows, `FastRowsTable`; the filters' selects, `ListSelect`) identical to what the templates write."""

import re
from datetime import date

import pytest
import time_machine
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import conditional_escape

from kechuang.core.testing.personas import STREET_A, STREET_B
from kechuang.enterprises.filtersets import ListSelect
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tables import EnterpriseTable
from kechuang.enterprises.testing import grant, make_enterprise

TODAY = date(2025, 6, 30)
FILTERED = {"region": "3201", "rung": "hnte"}


def register(count, region=STREET_A, first=100, name=None, hnte_every=1):
    """Create `count` enterprises in `region`; every `hnte_every`-th holds a 高企 certificate valid today."""
    made = []
    for n in range(count):
        enterprise = make_enterprise(name or f"企业{first + n:04d}", region, first + n)
        if n % hnte_every == 0:
            grant(enterprise, "hnte", date(2024, 1, 1))
        made.append(enterprise)
    return made


def queries_for(client, params):
    with time_machine.travel(TODAY):
        client.get("/enterprises/", params)  # warm the per-request caches (session, content types)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/enterprises/", params)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


def total_shown(response):
    match = re.search(r"共 ([\d,]+) 条", response.content.decode())
    assert match, "the page does not say how many rows there are"
    return int(match.group(1).replace(",", ""))


@pytest.mark.parametrize("params", [{}, FILTERED], ids=["unfiltered", "region+rung"])
def test_the_list_needs_the_same_queries_for_3_rows_as_for_60(cast, client_as, params):
    register(3)
    client = client_as("city_officer")
    _response, few = queries_for(client, params)
    register(57, first=200)
    response, many = queries_for(client, params)
    assert total_shown(response) == 60
    assert len(many) == len(few) <= 12
    counts = [sql for sql in many if "COUNT(" in sql.upper()]
    assert len(counts) == 1, counts  # counted once (ListView used to count a second time)


def test_the_count_and_the_rows_are_the_users_scope(cast, client_as):
    inside = register(4, STREET_A, first=100, hnte_every=2)
    register(3, STREET_B, first=200)
    client = client_as("district_a_officer")
    for params, expected in (({}, 4), (FILTERED, 2), ({"region": "320104", "rung": "hnte"}, 0)):
        response, _sql = queries_for(client, params)
        assert total_shown(response) == expected, params
        shown = {row.record.pk for row in response.context["table"].paginated_rows}
        assert shown <= {e.pk for e in inside}
        assert len(shown) == expected


@pytest.mark.parametrize(("sort", "descending"), [(None, False), ("region", False), ("-name", True)])
def test_pages_of_equal_values_neither_overlap_nor_skip(cast, client_as, sort, descending):
    made = register(7, name="同名科技有限公司", hnte_every=1)
    client = client_as("city_officer")
    pages = []
    for page in (1, 2, 3):
        params = {"per_page": 3, "page": page, **FILTERED, **({"sort": sort} if sort else {})}
        with time_machine.travel(TODAY):
            response = client.get("/enterprises/", params)
        pages.append([row.record.pk for row in response.context["table"].paginated_rows])
    assert [len(p) for p in pages] == [3, 3, 1]
    assert pages[0] + pages[1] + pages[2] == sorted((e.pk for e in made), reverse=descending)  # ties: by id


def test_a_page_asks_for_at_most_200_rows_and_a_page_past_the_end_shows_the_last(cast, client_as):
    register(3)
    client = client_as("city_officer")
    table = client.get("/enterprises/", {"per_page": 100000}).context["table"]
    assert table.paginator.per_page == 200
    for params in ({"page": 99}, {"page": 99, **FILTERED}):
        with time_machine.travel(TODAY):
            table = client.get("/enterprises/", {"per_page": 2, **params}).context["table"]
        assert table.page.number == 2
        assert [row.record.name for row in table.paginated_rows] == ["企业0102"]


def cells_of(html):
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)]


def test_the_rows_rendered_in_python_match_django_tables2(cast):
    full = make_enterprise("甲科技", STREET_A, 1, contact_name="李四光", contact_phone="13812345678",
                           industry_code="6513", hightech_field="1")
    grant(full, "hnte", date(2024, 1, 1))
    grant(full, "tsme", date(2025, 3, 1))
    grant(full, "gazelle", date(2020, 1, 1))  # expired: not shown
    bare = make_enterprise("乙<b>科技</b>", STREET_B, 2)  # nothing but a name (escaped) and a region
    with time_machine.travel(TODAY):
        table = EnterpriseTable(Enterprise.objects.all())
        fast = cells_of(table.rows_html())
        generic = [[str(conditional_escape(cell)) for _column, cell in row.items()] for row in table.rows]
    assert fast == generic
    assert fast[0][0] == f'<a href="/enterprises/{bare.pk}/">乙&lt;b&gt;科技&lt;/b&gt;</a>'
    assert fast[0][4] == "—" and fast[0][5] == ""
    assert "李**" in fast[1] and "138****5678" in fast[1] and "6513 软件和信息技术服务业" in fast[1]
    assert fast[1][5].count("badge") == 2


def test_the_filter_selects_written_in_python_match_djangos_templates():
    choices = [("", "---------"), ("a&b", "甲 <乙>"), ("c", "丙"), ("组", [("d", "丁"), ("e", "戊")])]
    attrs = {"class": "form-select", "data-x": 'q"uote', "required": True, "hidden": False}
    for value in ("a&b", "e", None):
        fast = ListSelect(attrs=attrs, choices=choices).render("kind", value)
        django = forms.Select(attrs=attrs, choices=choices).render("kind", value)
        assert re.sub(r">\s+<", "><", fast) == re.sub(r">\s+<", "><", str(django))
    assert 'value="a&amp;b" selected>甲 &lt;乙&gt;</option>' in ListSelect(choices=choices).render("kind", "a&b")
