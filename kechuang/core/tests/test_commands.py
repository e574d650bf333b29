"""Every management command of kechuang has a test (STYLE.md §14)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from kechuang.accounts.models import ApiToken, RoleAssignment, User
from kechuang.audit.models import DomainEvent, ObjectChange
from kechuang.regions.models import Region

TESTED = {"load_regions", "load_demo", "create_api_token", "check_uscc", "import", "export", "assess", "rules_docs", "screen",
          "indicators", "report"}


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_every_kechuang_command_is_tested():
    ours = {name for name, app in get_commands().items() if app.startswith("kechuang.")}
    assert ours == TESTED


@pytest.mark.django_db
def test_load_regions_loads_the_national_list_and_is_idempotent():
    already = ObjectChange.objects.count()  # e.g. the indicator catalogue synced after migrate
    first = run("load_regions")
    assert Region.objects.filter(level="province").count() == 31
    assert Region.objects.get(code="320100000000").parent_id == "320000000000"
    assert "新增 3348" in first
    changes = ObjectChange.objects.count()
    assert changes - already == 3348  # one change-log row per created region, written in bulk
    second = run("load_regions")
    assert "新增 0，更新 0，未变 3348" in second
    assert ObjectChange.objects.count() == changes
    assert DomainEvent.objects.filter(event_type="regions.loaded").count() == 2


@pytest.mark.django_db
def test_load_regions_with_streets_and_a_missing_file():
    run("load_regions", "--streets", "3201")
    assert Region.objects.filter(code__startswith="3201", level="township").count() == 140
    with pytest.raises(CommandError, match="找不到区划数据文件"):
        run("load_regions", "--file", str(Path("/nonexistent.csv")))


@pytest.mark.django_db
def test_load_demo_is_deterministic_and_idempotent():
    out = run("load_demo", "--scale", "small", "--seed", "7")
    assert "city_officer" in out and "Demo-Pass-2026" in out
    users = sorted(User.objects.values_list("username", flat=True))
    assignments = sorted(RoleAssignment.objects.values_list("user__username", "role", "region_id"))
    run("load_demo", "--scale", "small", "--seed", "7")
    assert sorted(User.objects.values_list("username", flat=True)) == users
    assert sorted(RoleAssignment.objects.values_list("user__username", "role", "region_id")) == assignments
    assert Region.objects.get(code="320102400000").kind == "development_zone"
    assert User.objects.get(username="city_officer").check_password("Demo-Pass-2026")
    assert "跳过" in run("load_demo", "--if-empty")


@pytest.mark.django_db
def test_load_demo_is_refused_in_production(settings):
    settings.KECHUANG_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="生产环境"):
        run("load_demo")


@pytest.mark.django_db
def test_create_api_token_prints_the_key_once_and_stores_its_hash():
    User.objects.create_user("officer")
    raw = run("create_api_token", "officer", "数据对接", "--days", "30").strip()
    token = ApiToken.objects.get()
    assert raw.startswith("kc_") and token.key_prefix == raw[:10] and raw not in token.key_hash
    with pytest.raises(CommandError, match="不存在"):
        run("create_api_token", "ghost", "x")
