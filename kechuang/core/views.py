"""Generic views of the framework tier: list, detail, create/edit, delete and export for any model.

A domain app's view is a declaration (STYLE.md §1):

    class RegionListView(ObjectListView):
        model = Region
        filterset_class = RegionFilterSet
        table_class = RegionTable

Each view declares its policy from `model` and `action` (403 when no role grants it) and reads only through
`model.objects.restrict(user, action)` (404 for an object outside the user's scope).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView
from django.views.generic.edit import CreateView, DeleteView, UpdateView
from django_filters.views import FilterView
from django_tables2.views import SingleTableMixin

from kechuang.core.export import XLSX_CONTENT_TYPE, table_rows, write_xlsx
from kechuang.core.permissions import can
from kechuang.core.policy import ModelPolicy


class ObjectViewMixin:
    """Policy from `model` + `action`; queryset from `restrict()`; 404 (audited) outside the scope."""

    model: ClassVar[type[models.Model]]
    action: ClassVar[str] = "view"
    request: HttpRequest

    @classmethod
    def get_url_policy(cls) -> ModelPolicy:
        return ModelPolicy(cls.model, cls.action)

    def get_queryset(self) -> models.QuerySet:
        return self.model.objects.restrict(self.request.user, self.action)

    def get_object(self, queryset: models.QuerySet | None = None) -> models.Model:
        try:
            return super().get_object(queryset)  # type: ignore[misc]
        except Http404:
            self._audit_denied()
            raise Http404(_("未找到该记录，或它不在您的管辖范围内。")) from None

    def _audit_denied(self) -> None:
        from kechuang.audit.changelog import record_event

        pk = self.kwargs.get(self.pk_url_kwarg, "")  # type: ignore[attr-defined]
        if self.model._base_manager.filter(pk=pk).exists():
            record_event("access.out_of_scope", result="failure", message="访问管辖范围外的记录",
                         data={"model": self.model._meta.label_lower, "pk": str(pk), "action": self.action})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        opts = self.model._meta
        context.update({
            "opts": opts,
            "model_name": opts.verbose_name,
            "model_name_plural": opts.verbose_name_plural,
            "can_add": can(self.request.user, self.model, "add") and self._has_url("add"),
            "can_change": can(self.request.user, self.model, "change") and self._has_url("edit"),
            "can_delete": can(self.request.user, self.model, "delete") and self._has_url("delete"),
            "can_export": can(self.request.user, self.model, "export") and self._has_url("export"),
            "can_import": can(self.request.user, self.model, "import") and self._has_url("import"),
            "import_url": self._url("import"),
            "list_url": self._url("list"),
            "add_url": self._url("add"),
            "export_url": self._url("export"),
        })
        return context

    def _url_name(self, suffix: str) -> str:
        opts = self.model._meta
        return f"{opts.app_label}:{opts.model_name}_{suffix}"

    def _has_url(self, suffix: str) -> bool:
        from django.urls import NoReverseMatch

        try:
            reverse(self._url_name(suffix), args=["0"] if suffix in {"edit", "delete"} else [])
        except NoReverseMatch:
            return False
        return True

    def _url(self, suffix: str) -> str:
        return reverse(self._url_name(suffix)) if self._has_url(suffix) else ""


class ListPaginator(Paginator):
    """The list's paginator: a page holds 1 to `max_per_page` rows, whatever `?per_page=` asks for."""

    max_per_page = 200

    def __init__(self, object_list: Any, per_page: int | str, *args: Any, **kwargs: Any) -> None:
        kwargs["orphans"] = 0  # a page is exactly the slice asked for (see page())
        super().__init__(object_list, min(max(int(per_page), 1), self.max_per_page), *args, **kwargs)

    def page(self, number: Any) -> Page:
        """Return page `number`. Table data that can count while it fetches a page (`count_with_page`, e.g.
        kechuang.enterprises.tables.PageByKeyData) is asked for both at once: one pass over the rows, not two."""
        count_with_page = getattr(getattr(self.object_list, "data", None), "count_with_page", None)
        if count_with_page is not None and "count" not in self.__dict__:
            try:
                start = (int(number) - 1) * self.per_page
            except (TypeError, ValueError):
                start = -1
            total = count_with_page(start, start + self.per_page) if start >= 0 else None
            if total is not None:
                self.__dict__["count"] = total  # Paginator.count is a cached_property
        return super().page(number)


class ObjectListView(ObjectViewMixin, SingleTableMixin, FilterView):
    """A filtered, sorted, paginated table of the rows the user may see.

    Only the table paginates: ListView's own paginator would count the rows a second time (on a province's
    register the COUNT is the most expensive query of the page).
    """

    template_name = "core/object_list.html"
    paginate_by = 50
    filterset_class: ClassVar[Any]
    table_class: ClassVar[Any]

    def get_paginate_by(self, queryset: Any) -> None:
        """Return None: MultipleObjectMixin must not paginate (and COUNT); the table does, once."""
        return None

    def get_table_pagination(self, table: Any) -> dict[str, Any]:
        return {"per_page": self.paginate_by, "paginator_class": ListPaginator}

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["core/object_list_table.html"]
        return [self.template_name]


class ObjectExportView(ObjectViewMixin, View):
    """The list's own filter and table, written to .xlsx; audited with its row count (SECURITY.md F9)."""

    action = "export"
    filterset_class: ClassVar[Any]
    table_class: ClassVar[Any]

    def get(self, request: HttpRequest) -> HttpResponse:
        from kechuang.audit.changelog import record_event

        filterset = self.filterset_class(request.GET, queryset=self.get_queryset(), request=request)
        rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        table = self.table_class(rows)
        headers, values = table_rows(table)
        content, count = write_xlsx(headers, values, sheet=str(self.model._meta.verbose_name_plural))
        record_event("export", message=f"导出{self.model._meta.verbose_name_plural}",
                     data={"model": self.model._meta.label_lower, "rows": count, "filters": request.GET.dict()})
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(
            content, content_type=XLSX_CONTENT_TYPE
        )
        filename = f"{self.model._meta.model_name}-{stamp}.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ObjectDetailView(ObjectViewMixin, DetailView):
    """One object's fields and its change history."""

    template_name = "core/object_detail.html"
    detail_fields: ClassVar[tuple[str, ...]] = ()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.contrib.contenttypes.models import ContentType

        from kechuang.audit.models import ObjectChange

        context = super().get_context_data(**kwargs)
        obj = self.object
        names = self.detail_fields or tuple(
            f.name for f in obj._meta.concrete_fields if f.name not in {"password", "created", "last_updated"}
        )
        context["fields"] = [(obj._meta.get_field(n).verbose_name, self._display(obj, n)) for n in names]
        context["changes"] = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )[:20]
        context["edit_url"] = reverse(self._url_name("edit"), args=[obj.pk]) if self._has_url("edit") else ""
        context["delete_url"] = reverse(self._url_name("delete"), args=[obj.pk]) if self._has_url("delete") else ""
        return context

    @staticmethod
    def _display(obj: models.Model, name: str) -> Any:
        getter = getattr(obj, f"get_{name}_display", None)
        return getter() if callable(getter) else getattr(obj, name)


class ScopedWriteMixin(ObjectViewMixin):
    """Save inside a transaction and re-check the saved object against the user's scope before commit."""

    template_name = "core/object_edit.html"

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            with transaction.atomic():
                self.object = form.save()
                if not self.model.objects.restrict(self.request.user, self.action).filter(pk=self.object.pk).exists():
                    raise PermissionDenied
        except PermissionDenied:
            form.add_error(None, _("不能在您的管辖范围之外新增或修改数据。"))
            return self.form_invalid(form)
        messages.success(self.request, _("已保存：%(obj)s") % {"obj": self.object})
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self) -> str:
        url = getattr(self.object, "get_absolute_url", None)
        return url() if callable(url) else self._url("list")


class ObjectCreateView(ScopedWriteMixin, CreateView):
    action = "add"

    def get_object(self, queryset: models.QuerySet | None = None) -> None:
        return None


class ObjectEditView(ScopedWriteMixin, UpdateView):
    action = "change"


class ObjectDeleteView(ObjectViewMixin, DeleteView):
    action = "delete"
    template_name = "core/object_delete.html"

    def form_valid(self, form: Any) -> HttpResponse:
        name = str(self.object)
        try:
            self.object.delete()
        except (ProtectedError, RestrictedError) as exc:
            blockers = "、".join(sorted({str(o) for o in list(exc.args[1])[:5]}))
            messages.error(self.request, _("“%(obj)s”仍被其他数据引用（%(by)s），不能删除。") % {"obj": name, "by": blockers})
            return HttpResponseRedirect(self.request.path)
        messages.success(self.request, _("已删除：%(obj)s") % {"obj": name})
        return HttpResponseRedirect(self._url("list") or "/")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Refuse a forged or expired form (403) with a Chinese explanation, and audit the attempt."""
    from kechuang.audit.changelog import record_event

    record_event("security.csrf_failure", result="failure", message="跨站请求伪造校验失败",
                 data={"path": request.path[:200], "reason": reason[:200]})
    return render(request, "403_csrf.html", status=403)
