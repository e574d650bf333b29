"""Test helpers of the enterprise registry: valid credit codes and small enterprises in the persona regions."""

from __future__ import annotations

from datetime import date
from typing import Any

from kechuang.core.uscc import org_check_char, uscc_check_char
from kechuang.enterprises.models import Enterprise, Qualification, QualificationKind
from kechuang.enterprises.services import ensure_builtin_kinds


def make_uscc(serial: int, division: str = "320102") -> str:
    """Return a valid unified social credit code for an enterprise (9-1) with organisation body `serial`."""
    body = f"{serial:08d}"
    first17 = "91" + division + body + org_check_char(body)
    return first17 + uscc_check_char(first17)


def make_enterprise(name: str, region: str, serial: int, **extra: Any) -> Enterprise:
    return Enterprise.objects.create(uscc=make_uscc(serial, region[:6]), name=name, region_id=region, **extra)


def grant(enterprise: Enterprise, kind_code: str, granted_on: date, **extra: Any) -> Qualification:
    if not QualificationKind.objects.exists():
        ensure_builtin_kinds(actor=None)
    kind = QualificationKind.objects.get(code=kind_code)
    return Qualification.objects.create(enterprise=enterprise, kind=kind, granted_on=granted_on,
                                        valid_from=extra.pop("valid_from", granted_on), **extra)
