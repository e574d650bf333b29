"""Excel imports of the enterprise registry, declared on the core pipeline (kechuang/core/imports).

Kinds: `enterprises` (key: credit code), `annual` (key: credit code + year), `ip` (key: type + number),
`qualifications` (key: credit code + kind + valid-from), and `hnte_list`, the shape of a published 高企
recognition list (企业名称, 统一社会信用代码, 证书编号, 发证日期).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from kechuang.core.imports.schema import (
    Column,
    FieldParser,
    ImportSchema,
    Lookups,
    RowValueError,
    ScreenedRowCheck,
    cell_text,
    choice,
    date_value,
    decimal_amount,
    integer,
    region,
    text,
    uscc,
)
from kechuang.enterprises.annual import annual_problems, annual_suspects
from kechuang.enterprises.choices import (
    HighTechField,
    IPStatus,
    IPType,
    ListingStatus,
    Ownership,
    QualificationStatus,
    ip_class_of,
)
from kechuang.enterprises.industry import industry_by_name, section_of
from kechuang.enterprises.models import Enterprise, EnterpriseYear, IntellectualProperty, Qualification

MONEY = decimal_amount(16, 2, min_value=0)
SIGNED_MONEY = decimal_amount(16, 2)
COUNT = integer(min_value=0)


def industry_code() -> FieldParser:
    """A GB/T 4754-2017 code (2–4 digits) or the exact name of a division (大类)."""

    def parse(raw: Any) -> str:
        value = cell_text(raw)
        if value.isdigit():
            if section_of(value) is None:
                raise RowValueError(f"行业代码“{value}”不在 GB/T 4754-2017 的大类范围内。")
            return value
        code = industry_by_name(value)
        if code is None or not code.isdigit():
            raise RowValueError(f"未找到名为“{value}”的行业大类，请填写 GB/T 4754-2017 行业代码。")
        return code

    return FieldParser(parse, "GB/T 4754-2017 行业代码（2–4 位数字）或大类名称", text_cell=True)


def _enterprise_ids() -> dict[str, int]:
    return dict(Enterprise._base_manager.values_list("uscc", "id").iterator(5000))


def enterprise_id(values: dict[str, Any], lookups: Lookups) -> int:
    """Return the id of the enterprise named by the row's credit code, or raise a row error."""
    found = lookups.get("enterprise_ids", _enterprise_ids).get(values["uscc"])
    if found is None:
        raise RowValueError("【新企业】系统中没有该统一社会信用代码的企业，请先导入企业信息。", column="uscc")
    return found


# --- enterprises ----------------------------------------------------------------------------------------

ENTERPRISE_COLUMNS = (
    Column("uscc", "统一社会信用代码", uscc(), aliases=("信用代码", "社会信用代码")),
    Column("name", "企业名称", text(200), aliases=("名称", "单位名称")),
    Column("region", "所在区域", region(), aliases=("区划代码", "所在区划"),
           help="12 位统计用区划代码（街道/乡镇级最好），或准确的区划名称。"),
    Column("registered_on", "成立日期", date_value(), required=False),
    Column("registered_capital", "注册资本（万元）", MONEY, required=False),
    Column("ownership", "登记注册类型", choice(Ownership), required=False),
    Column("industry_code", "行业代码", industry_code(), required=False),
    Column("hightech_field", "高新技术领域", choice(HighTechField), required=False),
    Column("listing_status", "上市情况", choice(ListingStatus), required=False),
    Column("address", "地址", text(200), required=False),
)


def _enterprise_to_db(values: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    record = {"uscc": values["uscc"], "name": values["name"], "region_id": values["region"]}
    for key in ("registered_on", "registered_capital", "ownership", "industry_code", "hightech_field",
                "listing_status", "address"):
        if values.get(key) not in (None, ""):
            record[key] = values[key]
    if values.get("industry_code"):
        record["industry_section"] = section_of(values["industry_code"])
    return record


EnterpriseImportSchema = ImportSchema(
    kind="enterprises", label="企业信息", model=Enterprise, columns=ENTERPRISE_COLUMNS, natural_key=("uscc",),
    to_db=_enterprise_to_db,
)

# --- annual data ---------------------------------------------------------------------------------------

ANNUAL_FIGURES = (
    ("employees", "职工总数", COUNT), ("tech_staff", "科技人员数", COUNT), ("rd_staff", "研发人员数", COUNT),
    ("sales_revenue", "销售收入（万元）", MONEY), ("main_revenue", "主营业务收入（万元）", MONEY),
    ("total_income", "总收入（万元）", MONEY), ("hightech_income", "高新技术产品（服务）收入（万元）", MONEY),
    ("rd_expense", "研发费用总额（万元）", MONEY), ("rd_expense_domestic", "境内研发费用（万元）", MONEY),
    ("rd_expense_commissioned", "委托研发费用（万元）", MONEY), ("total_cost", "成本费用支出总额（万元）", MONEY),
    ("total_assets", "资产总额（万元）", MONEY), ("liabilities", "负债总额（万元）", MONEY),
    ("net_assets", "净资产（万元）", SIGNED_MONEY), ("profit", "利润总额（万元）", SIGNED_MONEY),
    ("tax_paid", "上缴税费（万元）", MONEY), ("exports", "出口额（万元）", MONEY),
    ("ip_class1", "Ⅰ类知识产权数", COUNT), ("ip_class2", "Ⅱ类知识产权数", COUNT),
    ("results_converted", "科技成果转化数", COUNT), ("standards_led", "主持制定标准数", COUNT),
)


_FIGURE_KEYS = tuple(key for key, _h, _p in ANNUAL_FIGURES)
_figures_of = itemgetter(*_FIGURE_KEYS)


_ANNUAL_KEYS = frozenset(("uscc", "year", *_FIGURE_KEYS))


def _annual_to_db(values: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    if values.keys() == _ANNUAL_KEYS:  # every column of the schema, as the pipeline gives them: one copy
        record = values.copy()
        del record["uscc"]
        record["enterprise_id"] = enterprise_id(values, lookups)
        record["source"] = "import"
        return record
    record = {"enterprise_id": enterprise_id(values, lookups), "year": values["year"], "source": "import"}
    try:  # the pipeline gives every column of the schema (None when blank or absent): one C-level lookup
        record.update(zip(_FIGURE_KEYS, _figures_of(values), strict=True))
    except KeyError:
        record.update({key: values.get(key) for key in _FIGURE_KEYS})
    return record


AnnualImportSchema = ImportSchema(
    kind="annual", label="企业年度数据", model=EnterpriseYear,
    columns=(
        Column("uscc", "统一社会信用代码", uscc(), aliases=("信用代码",)),
        Column("year", "年度", integer(min_value=2000, max_value=2100)),
        *(Column(key, header, parser, required=False) for key, header, parser in ANNUAL_FIGURES),
    ),
    natural_key=("enterprise", "year"), to_db=_annual_to_db,
    row_checks=(ScreenedRowCheck(annual_problems, annual_suspects),),
)

# --- intellectual property -------------------------------------------------------------------------------


def _ip_to_db(values: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    return {"enterprise_id": enterprise_id(values, lookups), "ip_type": values["ip_type"],
            "ip_class": ip_class_of(values["ip_type"]), "number": values["number"], "title": values["title"],
            "applied_on": values.get("applied_on"), "granted_on": values.get("granted_on"),
            "status": values.get("status") or IPStatus.VALID}


IPImportSchema = ImportSchema(
    kind="ip", label="知识产权", model=IntellectualProperty,
    columns=(
        Column("uscc", "统一社会信用代码", uscc(), aliases=("信用代码",)),
        Column("ip_type", "类型", choice(IPType), aliases=("知识产权类型",)),
        Column("number", "登记号/专利号", text(64), aliases=("专利号", "登记号")),
        Column("title", "名称", text(200)),
        Column("applied_on", "申请日", date_value(), required=False),
        Column("granted_on", "授权日", date_value(), required=False),
        Column("status", "状态", choice(IPStatus), required=False),
    ),
    natural_key=("ip_type", "number"), to_db=_ip_to_db,
)

# --- qualifications ---------------------------------------------------------------------------------------


def _kinds() -> dict[str, Any]:
    from kechuang.enterprises.models import QualificationKind

    kinds = {}
    for kind in QualificationKind._base_manager.filter(is_active=True):
        kinds[kind.code] = kinds[kind.name] = kind
    return kinds


def qualification_kind() -> FieldParser:
    """A qualification kind by its code (hnte, tsme …) or its exact name (高新技术企业 …)."""

    def bind(lookups: Lookups):
        def parse(raw: Any) -> Any:
            value = cell_text(raw)
            kind = lookups.get("qualification_kinds", _kinds).get(value)
            if kind is None:
                raise RowValueError(f"未找到资质类型“{value}”，请填写资质类型的代码或名称。")
            return kind

        return parse

    return FieldParser(None, "资质类型代码（如 hnte、tsme）或名称（如 高新技术企业）", text_cell=True, binder=bind)


def _qualification_record(enterprise: int, kind: Any, values: dict[str, Any]) -> dict[str, Any]:
    valid_from = values.get("valid_from") or values["granted_on"]
    valid_to = values.get("valid_to") or kind.valid_until(valid_from)
    if valid_to is not None and valid_to < valid_from:
        raise RowValueError("有效期止不能早于有效期起。", column="valid_to")
    return {"enterprise_id": enterprise, "kind_id": kind.pk, "number": values.get("number") or "",
            "granted_on": values["granted_on"], "valid_from": valid_from, "valid_to": valid_to,
            "batch": values.get("batch") or "", "status": values.get("status") or QualificationStatus.VALID}


def _qualification_to_db(values: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    return _qualification_record(enterprise_id(values, lookups), values["kind"], values)


QualificationImportSchema = ImportSchema(
    kind="qualifications", label="企业资质", model=Qualification,
    columns=(
        Column("uscc", "统一社会信用代码", uscc(), aliases=("信用代码",)),
        Column("kind", "资质类型", qualification_kind()),
        Column("number", "证书/入库编号", text(64), required=False, aliases=("证书编号", "入库编号")),
        Column("granted_on", "认定日期", date_value(), aliases=("发证日期",)),
        Column("valid_from", "有效期起", date_value(), required=False),
        Column("valid_to", "有效期止", date_value(), required=False),
        Column("batch", "批次", text(64), required=False),
        Column("status", "状态", choice(QualificationStatus), required=False),
    ),
    natural_key=("enterprise", "kind", "valid_from"), to_db=_qualification_to_db,
)


def _register_names(lookups: Lookups) -> tuple[dict[str, str], dict[str, str]]:
    names = lookups.get("enterprise_names", lambda: dict(Enterprise._base_manager.values_list("uscc", "name")))
    codes = lookups.get("enterprise_codes_by_name", lambda: {n: c for c, n in names.items()})
    return names, codes


def _reconcile_with_register(values: dict[str, Any], lookups: Lookups) -> None:
    """A published list is checked against the register: a code we do not have (新企业), a known code under
    another name (更名) or a known name under another code (冲突) is reported for the officer to confirm."""
    names, codes = _register_names(lookups)
    code, name = values["uscc"], values["name"]
    other = codes.get(name)
    if other is not None and other != code:
        raise RowValueError(f"【冲突】企业库中“{name}”的统一社会信用代码为 {other}，与名单不一致。", column="uscc")
    stored = names.get(code)
    if stored is not None and stored != name:
        raise RowValueError(f"【更名】名单中的企业名称与企业库不一致（企业库为“{stored}”），请核实是否更名后再导入。",
                            column="name")


def _hnte_list_to_db(values: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    _reconcile_with_register(values, lookups)
    kind = lookups.get("qualification_kinds", _kinds).get("hnte")
    if kind is None:
        raise RowValueError("系统中没有“高新技术企业”资质类型（hnte），请先运行 kechuang load_demo 或创建资质类型。")
    return _qualification_record(enterprise_id(values, lookups), kind, values)


HnteListImportSchema = ImportSchema(
    kind="hnte_list", label="高新技术企业认定名单", model=Qualification,
    columns=(
        Column("name", "企业名称", text(200)),
        Column("uscc", "统一社会信用代码", uscc(), aliases=("信用代码",)),
        Column("number", "证书编号", text(64)),
        Column("granted_on", "发证日期", date_value(), aliases=("认定日期",)),
    ),
    natural_key=("enterprise", "kind", "valid_from"), to_db=_hnte_list_to_db,
)

SCHEMAS: dict[str, ImportSchema] = {s.kind: s for s in (
    EnterpriseImportSchema, AnnualImportSchema, IPImportSchema, QualificationImportSchema, HnteListImportSchema)}
