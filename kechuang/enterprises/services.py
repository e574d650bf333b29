"""State changes of the enterprise registry."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from kechuang.audit.changelog import record_event
from kechuang.core.context import acting_as
from kechuang.enterprises.choices import QualificationLevel as L
from kechuang.enterprises.choices import QualificationStatus
from kechuang.enterprises.choices import ValidityRule as V
from kechuang.enterprises.models import Qualification, QualificationKind

# The built-in rungs of the innovation ladder (RULES.md §1, §2, §8). Bureaus add local programmes as data.
# (code, name, level, validity rule, years, rung, basis)
BUILTIN_KINDS = (
    ("tsme", "科技型中小企业（入库）", L.NATIONAL, V.CALENDAR_YEAR, None, 10,
     "国科发政〔2017〕115号；国科火字〔2022〕67号：入库登记编号当年有效"),
    ("hnte", "高新技术企业", L.NATIONAL, V.YEARS_FROM_GRANT, 3, 20, "国科发火〔2016〕32号：自证书颁发之日起有效期三年"),
    ("innovative_sme", "创新型中小企业", L.PROVINCIAL, V.YEARS_FROM_GRANT, 3, 30,
     "《优质中小企业梯度培育管理暂行办法》（工信部企业〔2022〕63号）"),
    ("srdi_sme", "专精特新中小企业", L.PROVINCIAL, V.YEARS_FROM_GRANT, 3, 40,
     "《优质中小企业梯度培育管理暂行办法》（工信部企业〔2022〕63号）"),
    ("little_giant", "专精特新“小巨人”企业", L.NATIONAL, V.YEARS_FROM_GRANT, 3, 50,
     "《优质中小企业梯度培育管理暂行办法》；有效期三年（单一来源）"),
    ("gazelle", "瞪羚企业", L.CITY, V.YEARS_FROM_GRANT, 3, 60, "各地瞪羚企业认定办法（RULES.md §8.3）"),
    ("quasi_unicorn", "准独角兽企业", L.CITY, V.YEARS_FROM_GRANT, 1, 70, "各地独角兽培育办法（RULES.md §8.2）"),
    ("unicorn", "独角兽企业", L.NATIONAL, V.YEARS_FROM_GRANT, 1, 80, "科技部火炬中心、长城战略咨询独角兽榜单（年度）"),
)


@transaction.atomic
def ensure_builtin_kinds(*, actor: Any) -> int:
    """Create the built-in qualification kinds that are missing; return how many were created."""
    existing = set(QualificationKind.objects.values_list("code", flat=True))
    created = 0
    with acting_as(actor):
        for code, name, level, rule, years, rung, basis in BUILTIN_KINDS:
            if code not in existing:
                QualificationKind.objects.create(code=code, name=name, level=level, validity_rule=rule,
                                                 validity_years=years, rung=rung, basis=basis)
                created += 1
    return created


@transaction.atomic
def revoke_qualification(qualification: Qualification, *, actor: Any, on: date, reason: str,
                         status: str = QualificationStatus.REVOKED) -> Qualification:
    """Revoke (撤销) or cancel (取消) a qualification from `on`, with a reason; record the decision."""
    if not reason.strip():
        raise ValueError("撤销或取消资质必须填写原因。")
    with acting_as(actor):
        qualification.status = status
        qualification.status_changed_on = on
        qualification.status_reason = reason.strip()
        qualification.save()
        record_event("qualification.revoked", obj=qualification, message=reason.strip()[:500],
                     data={"status": status, "on": on.isoformat(), "kind": qualification.kind.code})
    return qualification
