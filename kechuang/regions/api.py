from ninja import Schema

from kechuang.core.api import crud_router
from kechuang.regions.filtersets import RegionFilterSet
from kechuang.regions.forms import RegionForm
from kechuang.regions.models import Region


class RegionOut(Schema):
    code: str
    name: str
    short_name: str
    level: str
    kind: str
    parent_id: str | None


class RegionIn(Schema):
    code: str
    name: str
    short_name: str = ""
    level: str
    kind: str = "administrative"
    parent: str | None = None


router = crud_router(model=Region, schema_out=RegionOut, schema_in=RegionIn, filterset=RegionFilterSet,
                     form=RegionForm, tags=["行政区划"], pk_type=str)
