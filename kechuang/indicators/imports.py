"""Excel import of reported figures (填报类指标数值导入), through the core pipeline (safety gate, per-row errors,
all-or-nothing upsert, change log in bulk): one row per indicator × region × period, the shape statistics offices
send ("指标代码/名称, 区划代码, 年度, 统计期, 数值").

Rows for computed or derived indicators, and rows overwriting a frozen (officially reported) figure, are row
errors — the whole file is refused, as for every import. Derived figures are refreshed by the import page after a
committed import, and by `kechuang indicators compute`.
"""

from __future__ import annotations

from typing import Any

from kechuang.core.imports.registry import register
from kechuang.core.imports.schema import (
    Column,
    FieldParser,
    ImportSchema,
    Lookups,
    RowValueError,
    decimal_amount,
    integer,
    region,
    text,
)
from kechuang.indicators.choices import IndicatorKind, ValueOrigin
from kechuang.indicators.models import Indicator, IndicatorValue
from kechuang.indicators.periods import period_end, validate_period


def _indicators() -> dict[str, Indicator]:
    by_key: dict[str, Indicator] = {}
    for indicator in Indicator.objects.filter(is_active=True):
        by_key[indicator.code] = indicator
        by_key[indicator.name] = indicator
    return by_key


def _frozen() -> set[tuple[int, str, int, str]]:
    return set(IndicatorValue._base_manager.filter(frozen=True).values_list("indicator_id", "region_id", "year",
                                                                             "period"))


def period() -> FieldParser:
    def parse(raw: Any) -> str:
        try:
            return validate_period("" if raw is None else str(raw))
        except ValueError as error:
            raise RowValueError(str(error)) from None

    return FieldParser(parse, "空为全年；Q1—Q4 为季度累计；M01—M12 为月度累计", text_cell=True)


def _value_to_db(values: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    indicator = lookups.get("indicators", _indicators).get(values["indicator"])
    if indicator is None:
        raise RowValueError(f"指标“{values['indicator']}”不存在，请填写指标目录中的代码或名称。", column="indicator")
    if indicator.kind != IndicatorKind.REPORTED:
        raise RowValueError(f"“{indicator.name}”为{indicator.get_kind_display()}指标，由平台生成，不能导入。",
                            column="indicator")
    figure = values["value"]
    if figure < 0 and not (indicator.unit == "%" and indicator.aggregation == "none"):
        raise RowValueError(f"“{indicator.name}”不能为负数。", column="value")
    period_code = values.get("period") or ""
    key = (indicator.pk, values["region"], values["year"], period_code)
    if key in lookups.get("frozen", _frozen):
        raise RowValueError("该数值已冻结为正式上报数，不能导入覆盖。", column="value")
    return {"indicator_id": indicator.pk, "region_id": values["region"], "year": values["year"],
            "period": period_code, "value": figure, "as_of": period_end(values["year"], period_code),
            "origin": ValueOrigin.IMPORTED, "note": values.get("note") or "", "frozen": False}


IndicatorValueImportSchema = ImportSchema(
    kind="indicator_values", label="指标数值（填报类）", model=IndicatorValue,
    columns=(
        Column("indicator", "指标", text(100), aliases=("指标代码", "指标名称")),
        Column("region", "区划代码", region(), aliases=("区域", "所在区域")),
        Column("year", "年度", integer(min_value=2000, max_value=2100)),
        Column("period", "统计期", period(), required=False),
        Column("value", "数值", decimal_amount(20, 4, min_value=-1_000_000_000_000)),
        Column("note", "说明", text(300), required=False),
    ),
    natural_key=("indicator", "region", "year", "period"), to_db=_value_to_db,
    key_column_keys=("indicator", "region", "year", "period"),
)

register(IndicatorValueImportSchema)
