"""The enterprise registry's API: enterprises, annual figures, IP and qualifications (list with the list pages'
filters, detail, create, update), scoped like the pages; contact names and phones masked.

Writes go through the same forms as the pages, fitted to the caller (`fit_form_to_user`), and follow the
same rule that registering enterprises and recording qualifications is officers' work (403 otherwise).
"""

from typing import Any, ClassVar

from ninja import ModelSchema
from ninja.errors import HttpError

from kechuang.core.api import crud_router
from kechuang.core.context import current
from kechuang.core.masking import mask_name, mask_phone
from kechuang.enterprises.filtersets import (
    EnterpriseFilterSet,
    EnterpriseYearFilterSet,
    IntellectualPropertyFilterSet,
    QualificationFilterSet,
)
from kechuang.enterprises.forms import (
    ANNUAL_FIELDS,
    EnterpriseForm,
    EnterpriseYearForm,
    IntellectualPropertyForm,
    QualificationForm,
)
from kechuang.enterprises.models import Enterprise, EnterpriseYear, IntellectualProperty, Qualification
from kechuang.enterprises.views import annual_source, fit_form_to_user, officer_can


class ApiFormMixin:
    """A page form for the API: fitted to the caller (the actor the API's authentication bound), and refusing
    the `officer_only` actions (403) to callers whose only grant comes from an enterprise-scoped role."""

    officer_only: ClassVar[tuple[str, ...]] = ()
    officer_only_message: ClassVar[str] = "该操作仅限主管部门人员。"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor = current().actor
        action = "change" if self.instance.pk else "add"
        if action in self.officer_only and not officer_can(actor, self._meta.model, action):
            raise HttpError(403, self.officer_only_message)
        fit_form_to_user(self, actor)


class EnterpriseApiForm(ApiFormMixin, EnterpriseForm):
    officer_only = ("add",)
    officer_only_message = "企业用户不能登记新企业。"


class EnterpriseYearApiForm(ApiFormMixin, EnterpriseYearForm):
    def save(self, commit: bool = True) -> EnterpriseYear:
        self.instance.source = annual_source(current().actor)
        return super().save(commit)


class IntellectualPropertyApiForm(ApiFormMixin, IntellectualPropertyForm):
    pass


class QualificationApiForm(ApiFormMixin, QualificationForm):
    officer_only = ("add", "change")
    officer_only_message = "资质由主管部门认定，企业用户不能新增或修改。"


# Foreign keys follow the regions API: `<name>_id` in what the API returns, `<name>` in what it accepts.
ANNUAL_FIGURES = tuple(name for name in ANNUAL_FIELDS if name != "enterprise")


class EnterpriseOut(ModelSchema):
    region_id: str
    park_id: str | None

    class Meta:
        model = Enterprise
        fields = ("id", "uscc", "name", "former_names", "registered_on", "registered_capital", "ownership",
                  "industry_code", "industry_section", "hightech_field", "listing_status", "address",
                  "contact_name", "contact_phone", "tags")

    @staticmethod
    def resolve_contact_name(obj: Enterprise) -> str:
        return mask_name(obj.contact_name)

    @staticmethod
    def resolve_contact_phone(obj: Enterprise) -> str:
        return mask_phone(obj.contact_phone)


class EnterpriseIn(ModelSchema):
    region: str
    park: str | None = None

    class Meta:
        model = Enterprise
        fields = tuple(name for name in EnterpriseForm._meta.fields if name not in ("region", "park"))


class EnterpriseYearOut(ModelSchema):
    enterprise_id: int

    class Meta:
        model = EnterpriseYear
        fields = ("id", *ANNUAL_FIGURES, "source")


class EnterpriseYearIn(ModelSchema):
    enterprise: int

    class Meta:
        model = EnterpriseYear
        fields = ANNUAL_FIGURES


class IntellectualPropertyOut(ModelSchema):
    enterprise_id: int

    class Meta:
        model = IntellectualProperty
        fields = ("id", "ip_type", "ip_class", "number", "title", "applied_on", "granted_on", "status")


class IntellectualPropertyIn(ModelSchema):
    enterprise: int

    class Meta:
        model = IntellectualProperty
        fields = ("ip_type", "number", "title", "applied_on", "granted_on", "status")


QUALIFICATION_FIELDS = ("number", "granted_on", "valid_from", "valid_to", "batch", "status", "status_changed_on",
                        "status_reason")


class QualificationOut(ModelSchema):
    enterprise_id: int
    kind_id: int

    class Meta:
        model = Qualification
        fields = ("id", *QUALIFICATION_FIELDS)


class QualificationIn(ModelSchema):
    enterprise: int
    kind: int

    class Meta:
        model = Qualification
        fields = QUALIFICATION_FIELDS


enterprises_router = crud_router(model=Enterprise, schema_out=EnterpriseOut, schema_in=EnterpriseIn,
                                 filterset=EnterpriseFilterSet, form=EnterpriseApiForm, tags=["企业库"])
enterprise_years_router = crud_router(model=EnterpriseYear, schema_out=EnterpriseYearOut,
                                      schema_in=EnterpriseYearIn, filterset=EnterpriseYearFilterSet,
                                      form=EnterpriseYearApiForm, tags=["企业年度数据"])
ip_router = crud_router(model=IntellectualProperty, schema_out=IntellectualPropertyOut,
                        schema_in=IntellectualPropertyIn, filterset=IntellectualPropertyFilterSet,
                        form=IntellectualPropertyApiForm, tags=["知识产权"])
qualifications_router = crud_router(model=Qualification, schema_out=QualificationOut, schema_in=QualificationIn,
                                    filterset=QualificationFilterSet, form=QualificationApiForm, tags=["资质"])
