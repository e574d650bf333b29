"""State changes of the reports module: save a version (built or edited), generate the .docx / .xlsx with its
record, and a bureau's sentence templates. Each writes its change log and a domain event in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max

from kechuang.audit.changelog import record_event
from kechuang.regions.models import Region
from kechuang.reports.content import Paragraph, Report
from kechuang.reports.models import DocumentKind, GeneratedDocument, ReportVersion, SentenceTemplate

EDITED_WARNING = "第 {n} 段（{key}）已人工修改：其中的数字不再由平台保证，请人工核对。"


def apply_edits(report: Report, edits: Mapping[str, str], additions: Mapping[str, str] | None = None) -> Report:
    """Return a copy of `report` with paragraph texts replaced by `edits` (key → text; an unchanged text stays
    the platform's) and free paragraphs appended to sections (`additions`: section key → text)."""
    copy = Report.from_json(report.to_json())
    for section in copy.sections:
        for index, block in enumerate(section.blocks):
            if isinstance(block, Paragraph) and block.key in edits:
                text = edits[block.key].strip()
                if text and text != block.text:
                    section.blocks[index] = replace(block, text=text, edited=True)
        extra = ((additions or {}).get(section.key) or "").strip()
        if extra:
            count = sum(1 for b in section.blocks if isinstance(b, Paragraph) and b.key.startswith("free."))
            section.blocks.append(Paragraph(f"free.{section.key}.{count + 1}", extra, edited=True))
    copy.warnings = [w for w in copy.warnings if "已人工修改" not in w] + [
        EDITED_WARNING.format(n=n, key=p.key) for n, p in enumerate(copy.paragraphs(), start=1)
        if p.edited and not p.key.startswith("free.")]
    return copy


def save_version(report: Report, *, actor: Any, note: str = "") -> ReportVersion:
    """Store `report` as the next version of its region's summary for its year."""
    with transaction.atomic():
        region = Region.objects.select_for_update().get(code=report.region)  # serialises version numbers
        number = (ReportVersion.objects.filter(region=region, year=report.year).aggregate(n=Max("number"))["n"]
                  or 0) + 1
        version = ReportVersion(region=region, year=report.year, as_of=date.fromisoformat(report.as_of),
                                number=number, content=report.to_json(), content_hash=report.content_hash(),
                                note=note[:200], created_by=actor if getattr(actor, "pk", None) else None)
        version.full_clean()
        version.save()
        record_event("reports.version.saved", obj=version, actor=actor, message=f"保存报告版本：{version}",
                     data={"hash": version.content_hash, "as_of": report.as_of})
    return version


def record_document(*, kind: str, region: Region, year: int, as_of: date, content_hash: str, size: int,
                    actor: Any, channel: str, version: ReportVersion | None = None) -> GeneratedDocument:
    """生成记录: who generated what, from which data date, with which content hash."""
    with transaction.atomic():
        document = GeneratedDocument(kind=kind, region=region, year=year, as_of=as_of, version=version,
                                     content_hash=content_hash, size=size, channel=channel,
                                     generated_by=actor if getattr(actor, "pk", None) else None)
        document.save()
        record_event("reports.generated", obj=document, actor=actor,
                     message=f"生成{document.get_kind_display()}：{region.name}{year}年",
                     data={"hash": content_hash, "as_of": as_of.isoformat(), "channel": channel,
                           "version": version.number if version else None})
    return document


def annual_docx(report: Report, *, actor: Any, channel: str = "web",
                version: ReportVersion | None = None) -> tuple[bytes, GeneratedDocument]:
    """Render the report to .docx and record the generation."""
    from kechuang.reports.render_docx import render_docx

    content = render_docx(report)
    region = Region.objects.get(code=report.region)
    document = record_document(kind=DocumentKind.ANNUAL_DOCX, region=region, year=report.year,
                               as_of=date.fromisoformat(report.as_of), content_hash=report.content_hash(),
                               size=len(content), actor=actor, channel=channel, version=version)
    return content, document


def workbook_xlsx(region: Region, year: int, *, as_of: date, actor: Any, user: Any,
                  channel: str = "web") -> tuple[bytes, GeneratedDocument]:
    """Build the statistical workbook and record the generation."""
    from kechuang.reports.workbook import statistical_workbook

    content, content_hash = statistical_workbook(region, year, as_of=as_of, user=user)
    document = record_document(kind=DocumentKind.WORKBOOK_XLSX, region=region, year=year, as_of=as_of,
                               content_hash=content_hash, size=len(content), actor=actor, channel=channel)
    return content, document


def set_template(*, region: Region, key: str, text: str, actor: Any) -> SentenceTemplate | None:
    """Set a region's wording of one sentence; an empty text removes it (back to the inherited wording)."""
    with transaction.atomic():
        template = SentenceTemplate.objects.filter(region=region, key=key).first()
        if not text.strip():
            if template is not None:
                template.delete()
            return None
        template = template or SentenceTemplate(region=region, key=key)
        template.text = text.strip()
        template.full_clean()
        template.save()
    return template
