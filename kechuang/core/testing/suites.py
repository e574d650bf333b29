"""Generic view tests (NetBox `ViewTestCases` in pytest form): a model's page tests are mostly data.

Subclass `ModelViewSuite` in an app's tests, name the model's URL prefix and personas, and say how to make
an object inside and outside the reader's scope and what to post. Each test checks one rule: 403 without a
right, 404 outside the scope, 200 inside it, exactly one change-log row per write, exports scoped like lists.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import openpyxl
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import NoReverseMatch, reverse

from kechuang.audit.models import ObjectChange
from kechuang.core.testing.personas import Cast


def changes_for(obj: models.Model, action: str) -> int:
    """Return how many change-log rows record `action` on `obj`."""
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), action=action
    ).count()


class ModelViewSuite(ABC):
    """Declare: `url_prefix` ("regions:region"), `reader`, `outsider`, `writer`; implement `in_scope`,
    `out_of_scope` (None when the reader sees everything), `create_data`, `edit_data`, `export_key`."""

    url_prefix: ClassVar[str]
    reader: ClassVar[str]
    outsider: ClassVar[str]
    writer: ClassVar[str | None] = None

    @abstractmethod
    def in_scope(self, cast: Cast) -> models.Model:
        """Implemented by each model's suite."""

    @abstractmethod
    def out_of_scope(self, cast: Cast) -> models.Model | None:
        """Implemented by each model's suite."""

    @abstractmethod
    def create_data(self, cast: Cast) -> dict[str, Any]:
        """Implemented by each model's suite."""

    @abstractmethod
    def edit_data(self, cast: Cast, obj: models.Model) -> dict[str, Any]:
        """Implemented by each model's suite."""

    def export_key(self, obj: models.Model) -> str:
        return str(obj.pk)

    # --- helpers ---------------------------------------------------------------------------------------
    def url(self, suffix: str, *args: Any) -> str:
        return reverse(f"{self.url_prefix}_{suffix}", args=args)

    def has_url(self, suffix: str) -> bool:
        try:
            self.url(suffix, *(["0"] if suffix in {"edit", "delete", "detail"} else []))
        except NoReverseMatch:
            return False
        return True

    # --- reads -----------------------------------------------------------------------------------------
    def test_anonymous_is_sent_to_login(self, cast, client):
        response = client.get(self.url("list"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_list_without_right_is_403(self, cast, client_as):
        assert client_as(self.outsider).get(self.url("list")).status_code == 403

    def test_list_shows_only_rows_in_scope(self, cast, client_as):
        inside, outside = self.in_scope(cast), self.out_of_scope(cast)
        response = client_as(self.reader).get(self.url("list"))
        assert response.status_code == 200
        visible = set(response.context["filter"].qs.values_list("pk", flat=True))
        assert inside.pk in visible
        if outside is not None:
            assert outside.pk not in visible

    def test_detail_in_scope_is_200(self, cast, client_as):
        obj = self.in_scope(cast)
        response = client_as(self.reader).get(self.url("detail", obj.pk))
        assert response.status_code == 200
        assert str(obj) in response.content.decode()

    def test_detail_out_of_scope_is_404(self, cast, client_as):
        outside = self.out_of_scope(cast)
        if outside is None:  # a global reader: the outsider must be refused instead
            assert client_as(self.outsider).get(self.url("detail", self.in_scope(cast).pk)).status_code == 403
            return
        assert client_as(self.reader).get(self.url("detail", outside.pk)).status_code == 404

    def test_export_contains_only_rows_in_scope(self, cast, client_as):
        if not self.has_url("export"):
            return
        inside, outside = self.in_scope(cast), self.out_of_scope(cast)
        response = client_as(self.reader).get(self.url("export"))
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
        keys = {str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert self.export_key(inside) in keys
        if outside is not None:
            assert self.export_key(outside) not in keys

    # --- writes ----------------------------------------------------------------------------------------
    def test_create_writes_one_change(self, cast, client_as):
        if not self.writer or not self.has_url("add"):
            return
        model = self.in_scope(cast).__class__
        before = model.objects.count()
        response = client_as(self.writer).post(self.url("add"), self.create_data(cast))
        assert response.status_code == 302, getattr(response.context, "get", lambda *_: None)("form")
        assert model.objects.count() == before + 1
        created = model.objects.order_by("-created").first()
        assert changes_for(created, "create") == 1

    def test_edit_writes_one_change(self, cast, client_as):
        if not self.writer or not self.has_url("edit"):
            return
        obj = self.in_scope(cast)
        response = client_as(self.writer).post(self.url("edit", obj.pk), self.edit_data(cast, obj))
        assert response.status_code == 302
        assert changes_for(obj, "update") == 1

    def test_edit_without_right_is_403(self, cast, client_as):
        if not self.has_url("edit"):
            return
        obj = self.in_scope(cast)
        response = client_as(self.outsider).post(self.url("edit", obj.pk), self.edit_data(cast, obj))
        assert response.status_code == 403
        assert changes_for(obj, "update") == 0

    def test_delete_writes_one_change(self, cast, client_as):
        if not self.writer or not self.has_url("delete"):
            return
        obj = self.deletable(cast)
        model, pk = obj.__class__, obj.pk
        response = client_as(self.writer).post(self.url("delete", pk))
        assert response.status_code == 302
        assert not model.objects.filter(pk=pk).exists()
        assert ObjectChange.objects.filter(object_id=str(pk), action="delete").count() == 1

    def deletable(self, cast: Cast) -> models.Model:
        """Return an object that can be deleted (no dependants); by default the in-scope one."""
        return self.in_scope(cast)
