"""Roles, scopes and 三权分立 (SECURITY.md C3, C7)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kechuang.accounts.models import RoleAssignment
from kechuang.core.testing.personas import REGION_ROWS, make_cast, make_user
from kechuang.regions.models import Region


@pytest.mark.django_db
def test_one_user_cannot_hold_two_admin_roles():
    user = make_user("admin1", "system_admin")
    second = RoleAssignment(user=user, role="audit_admin")
    with pytest.raises(ValidationError, match="三种角色互斥"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


@pytest.mark.django_db
def test_an_admin_role_cannot_be_combined_with_a_business_role(cast):
    assignment = RoleAssignment(user=cast.city_officer, role="security_admin")
    with pytest.raises(ValidationError, match="不能与业务角色"):
        assignment.full_clean()


@pytest.mark.django_db
def test_a_regional_role_needs_a_region():
    user = make_user("officer")
    with pytest.raises(ValidationError):
        RoleAssignment(user=user, role="region_officer").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role="region_officer")


@pytest.mark.parametrize("persona, visible", [
    ("city_officer", {"320100000000", "320102000000", "320102002000", "320104000000", "320104001000"}),
    ("district_a_officer", {"320102000000", "320102002000"}),
    ("street_a_officer", {"320102002000"}),
    ("system_admin", {code for code, *_ in REGION_ROWS}),
    ("audit_admin", set()),
    ("nobody", set()),
])
def test_each_persona_sees_exactly_its_subtree(cast, persona, visible):
    assert set(Region.objects.restrict(cast.users[persona], "view").values_list("code", flat=True)) == visible


def test_two_assignments_give_the_union_of_their_scopes(cast):
    user = cast.district_a_officer
    RoleAssignment.objects.create(user=user, role="region_officer", region_id="320205000000")
    visible = set(Region.objects.restrict(user, "view").values_list("code", flat=True))
    assert visible == {"320102000000", "320102002000", "320205000000"}


def test_the_leader_may_read_but_not_write(cast):
    assert Region.objects.restrict(cast.leader, "view").exists()
    assert not Region.objects.restrict(cast.leader, "change").exists()


class ScopeProperty(TestCase):
    """For any officer region, restrict() is exactly the regions whose code lies in its subtree."""

    @classmethod
    def setUpTestData(cls):
        cls.cast = make_cast()

    @settings(max_examples=20, deadline=None)
    @given(st.sampled_from([code for code, *_ in REGION_ROWS]))
    def test_restrict_equals_the_code_prefix_subtree(self, code):
        region = Region.objects.get(code=code)
        user = make_user(f"u{code}")
        RoleAssignment.objects.create(user=user, role="region_officer", region=region)
        expected = {r.code for r in Region.objects.all() if r.code.startswith(region.prefix)}
        assert set(Region.objects.restrict(user, "view").values_list("code", flat=True)) == expected


@pytest.mark.django_db
def test_a_business_role_cannot_be_added_to_an_admin():
    admin = make_user("admin1", "audit_admin")
    with pytest.raises(ValidationError, match="不能与业务角色"):
        RoleAssignment(user=admin, role="leader", region=None).full_clean()
