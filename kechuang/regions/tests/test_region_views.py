from kechuang.core.testing.personas import STREET_A, STREET_B
from kechuang.core.testing.suites import ModelViewSuite
from kechuang.regions.models import Region


class TestRegionViews(ModelViewSuite):
    url_prefix = "regions:region"
    reader = "district_a_officer"
    outsider = "audit_admin"
    writer = "system_admin"

    def in_scope(self, cast):
        return Region.objects.get(code=STREET_A)

    def out_of_scope(self, cast):
        return Region.objects.get(code=STREET_B)

    def create_data(self, cast):
        return {"code": "320102003000", "name": "新街口街道", "level": "township", "kind": "administrative",
                "parent": "320102000000"}

    def edit_data(self, cast, obj):
        return {"code": obj.code, "name": obj.name, "short_name": "梅园", "level": obj.level, "kind": obj.kind,
                "parent": obj.parent_id}

    def export_key(self, obj):
        return obj.code

    def deletable(self, cast):
        return Region.objects.create(code="320102099000", name="待撤销街道", level="township", parent_id="320102000000")


def test_deleting_a_region_still_in_use_is_refused_and_changes_nothing(cast, client_as):
    from kechuang.audit.models import ObjectChange

    client = client_as("system_admin")
    before = ObjectChange.objects.count()
    response = client.post(f"/regions/{STREET_A}/delete/", follow=True)
    assert Region.objects.filter(code=STREET_A).exists()
    assert "仍被其他数据引用" in response.content.decode()
    assert ObjectChange.objects.count() == before
