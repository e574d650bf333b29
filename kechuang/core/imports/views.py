"""Generic import pages: download the template, upload a workbook, see the result or the per-row errors.

A module declares its page in two lines (`schema`, `model`); the policy is the model's "import" right. Small
files are imported while the user waits; larger ones run as a background task whose status the page polls.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from kechuang.core.export import XLSX_CONTENT_TYPE
from kechuang.core.files import work_dir
from kechuang.core.imports.pipeline import run_import
from kechuang.core.imports.report import error_workbook, format_errors
from kechuang.core.imports.safety import MB, ImportRejected, import_max_bytes
from kechuang.core.imports.schema import ImportSchema
from kechuang.core.imports.template import template_workbook
from kechuang.core.policy import AUTHENTICATED, ModelPolicy, policy

SYNC_LIMIT_BYTES = 2 * 1024 * 1024  # larger uploads go to the task queue
SESSION_REPORTS = "kc_import_reports"
SESSION_TASKS = "kc_import_tasks"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    dry_run = forms.BooleanField(label=_("只校验，不写入"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("只接受 .xlsx 格式的文件。"))
        cap = import_max_bytes()  # settings.KECHUANG_IMPORT_MAX_MB (SECURITY.md F2), the gate's cap too
        if upload.size > cap:
            raise forms.ValidationError(_("文件超过 %(mb)d MB，请拆分后再导入。") % {"mb": cap // MB})
        return upload


class ImportView(View):
    """Upload page of one import schema."""

    schema: ClassVar[ImportSchema]
    model: ClassVar[Any]
    template_name = "core/import.html"

    @classmethod
    def get_url_policy(cls) -> ModelPolicy:
        return ModelPolicy(cls.model, "import")

    def context(self, **extra: Any) -> dict[str, Any]:
        columns = [(c.header, c.required, c.help or getattr(c.parser, "format_help", "")) for c in self.schema.columns]
        return {"schema": self.schema, "columns": columns, "model_name": self.model._meta.verbose_name, **extra}

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.GET.get("template"):
            response = HttpResponse(template_workbook(self.schema), content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{self.schema.kind}-template.xlsx"
            return response
        return render(request, self.template_name, self.context(form=UploadForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form=form), status=400)
        upload, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
        if upload.size > SYNC_LIMIT_BYTES and not dry_run:
            return self.enqueue(request, form, upload)
        try:
            result = import_within_scope(self.schema, upload, request, dry_run=dry_run)
        except ImportRejected as exc:
            return render(request, self.template_name, self.context(form=form, rejected=exc.message), status=400)
        report = self.store_report(request, result) if result.errors else ""
        return render(request, self.template_name, self.context(
            form=UploadForm(), result=result, error_lines=format_errors(result.errors[:200]), report=report),
            status=200 if result.ok else 400)

    def enqueue(self, request: HttpRequest, form: UploadForm, upload: Any) -> HttpResponse:
        from kechuang.core.imports.tasks import import_workbook

        path = work_dir("uploads") / f"{uuid.uuid4().hex}.xlsx"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        task_result = import_workbook.enqueue(self.schema.kind, str(path), request.user.pk, upload.name)
        request.session[SESSION_TASKS] = [*request.session.get(SESSION_TASKS, []), task_result.id][-20:]
        return render(request, self.template_name, self.context(form=UploadForm(), task=task_result))

    @staticmethod
    def store_report(request: HttpRequest, result: Any) -> str:
        """Keep the error workbook for this session's user to download; return its token."""
        if result.sheet is None:
            return ""
        token = uuid.uuid4().hex
        (work_dir("import_reports") / f"{token}.xlsx").write_bytes(
            error_workbook(result.sheet.rows, result.sheet.header, result.errors))
        request.session[SESSION_REPORTS] = [*request.session.get(SESSION_REPORTS, []), token][-20:]
        return token


class OutOfScope(ImportRejected):
    """The file would write rows the user may not import (another district's enterprises, say)."""


def import_within_scope(schema: ImportSchema, upload: Any, request: HttpRequest, *, dry_run: bool) -> Any:
    """Run the import in a transaction and roll it back whole if any row it wrote lies outside the user's
    import scope (the same re-check inside the transaction as every other write; ARCHITECTURE.md)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from kechuang.audit.models import ObjectChange
    from kechuang.core.context import current

    with transaction.atomic():
        result = run_import(schema, upload, actor=request.user, dry_run=dry_run, filename=upload.name)
        if result.committed:
            written = set(ObjectChange.objects.filter(
                request_id=current().request_id, content_type=ContentType.objects.get_for_model(schema.model),
            ).values_list("object_id", flat=True))
            allowed = {str(pk) for pk in schema.model.objects.restrict(request.user, "import")
                       .filter(pk__in=written).values_list("pk", flat=True)}
            if written - allowed:
                transaction.set_rollback(True)
                raise OutOfScope(f"文件中有 {len(written - allowed)} 行数据不在您的管辖范围内，未写入任何数据。")
    return result


@policy(AUTHENTICATED)
def import_report(request: HttpRequest, token: str) -> HttpResponse:
    """Download an error workbook this session produced (404 for anyone else's)."""
    if token not in request.session.get(SESSION_REPORTS, []) or not token.isalnum():
        raise Http404(_("未找到该错误报告。"))
    path = work_dir("import_reports") / f"{token}.xlsx"
    if not path.exists():
        raise Http404(_("错误报告已过期。"))
    return FileResponse(path.open("rb"), as_attachment=True, filename="导入错误报告.xlsx", content_type=XLSX_CONTENT_TYPE)


@policy(AUTHENTICATED)
def import_status(request: HttpRequest, task_id: str) -> HttpResponse:
    """The status of a background import this session started (polled by the page through htmx)."""
    from kechuang.core.imports.tasks import import_workbook

    if task_id not in request.session.get(SESSION_TASKS, []):
        raise PermissionDenied(_("无权查看该导入任务。"))
    task_result = import_workbook.get_result(task_id)
    return render(request, "core/import_status.html", {"task": task_result})
