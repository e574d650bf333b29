"""Count a province's regions through `restrict()` versus the same range query in raw SQL.

The cost of the permission layer and the ORM on the smallest scoped read: a bureau officer of Jiangsu (32)
counts the regions he may view. The user's assignments are cached on the user object after the first call,
as they are in a request (the top bar reads `primary_assignment` on every page before any view queries).

Target: 12× the raw query. This is the format-fixing benchmark of the foundation issue, and the target is
ours: the SQLite query itself takes ~0.05 ms, so the fixed ~0.4 ms of building an ORM query dominates
(measured 8–10× on SQLite, 2.5× on PostgreSQL, where the round trip hides it). A regression in `restrict()`
(e.g. a query per assignment) would show as a jump far past 12×.
"""

from __future__ import annotations

from typing import Any

PROVINCE = "320000000000"  # 江苏省
LOW, HIGH = "320000000000", "329999999999"


def run(ctx: Any) -> None:
    from django.db import connection

    from kechuang.accounts.models import RoleAssignment, User
    from kechuang.regions.models import Region
    from kechuang.regions.services import NATIONAL_FILE, load_regions, read_region_file

    load_regions(read_region_file(NATIONAL_FILE), actor=None, source="bench")
    total = Region.objects.count()
    user = User.objects.create_user(username="bench_officer", password=None)
    RoleAssignment.objects.create(user=user, role="bureau_officer", region_id=PROVINCE)

    def restricted() -> int:
        return Region.objects.restrict(user, "view").count()

    def raw() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM regions_region WHERE code >= %s AND code <= %s", [LOW, HIGH])
            return cursor.fetchone()[0]

    expected = raw()
    assert expected > 0, "the national region file has no Jiangsu rows"
    assert restricted() == expected, f"restrict() counts {restricted()}, the range query {expected}"

    ctx.compare(
        "region_subtree", restricted, raw, repeat=200, target_ratio=12.0, unit="ms",
        dataset=f"national regions ({total} rows), Jiangsu subtree ({expected} rows), bureau_officer",
    )
