"""Import of regions (行政区划) from Excel: the generic pipeline's first schema, keyed by the 12-digit code."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from kechuang.core.imports.schema import (
    Column,
    FieldParser,
    ImportSchema,
    Lookups,
    ParsedRow,
    RowValueError,
    cell_text,
    choice,
    text,
)
from kechuang.regions.choices import SIGNIFICANT_DIGITS, RegionKind, RegionLevel
from kechuang.regions.models import Region, level_of_code, normalize_region_code


def region_code() -> FieldParser:
    """A region code as written: 12 digits, or its significant 2/4/6/9 digits (zero-padded to 12)."""

    def parse(raw: Any) -> str:
        try:
            return normalize_region_code(cell_text(raw))
        except ValueError as exc:
            raise RowValueError(str(exc)) from None

    return FieldParser(parse, "12 位区划代码，或其前 2、4、6、9 位（自动补零）",
                       {"validate": "length", "criteria": "between", "minimum": 2, "maximum": 12}, text_cell=True)


def _to_db(values: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    record = {"code": values["code"], "name": values["name"], "level": values["level"],
              "parent_id": values["parent"]}
    if values["kind"]:  # no 类型: a new region is administrative, a stored one keeps what the bureau set
        record["kind"] = values["kind"]
    return record


def _not_own_parent(values: dict[str, Any]) -> list[tuple[str, str]]:
    if values["parent"] and values["parent"] == values["code"]:
        return [("parent", "上级代码不能是区划自身的代码。")]
    return []


def _stored_regions() -> dict[str, tuple[str, str]]:
    return {code: (level, kind) for code, level, kind in
            Region._base_manager.values_list("code", "level", "kind").iterator(2000)}


def _tree_is_consistent(rows: Sequence[ParsedRow], lookups: Lookups) -> Iterator[tuple[int, str, str]]:
    """Each parent exists (stored, or in this file), each code extends its parent's prefix, and an administrative
    region's level matches its code (Region.clean, for the whole file at once)."""
    stored = lookups.get("region_levels", _stored_regions)
    in_file = {r.record["code"]: (r.record["level"], r.record.get("kind")) for r in rows}
    for row in rows:
        code, parent = row.record["code"], row.record["parent_id"]
        kind = row.record.get("kind") or stored.get(code, ("", RegionKind.ADMINISTRATIVE))[1]
        if kind == RegionKind.ADMINISTRATIVE and row.record["level"] != level_of_code(code):
            expected = RegionLevel(level_of_code(code)).label
            yield row.row, "level", f"层级与区划代码不符：代码 {code} 对应的层级是“{expected}”。"
        if not parent:
            continue
        parent_level = (in_file.get(parent) or stored.get(parent) or (None,))[0]
        if parent_level is None:
            yield row.row, "parent", f"上级区划 {parent} 不存在（系统和本文件中都没有）。"
        elif not code.startswith(parent[: SIGNIFICANT_DIGITS[RegionLevel(parent_level)]]):
            yield row.row, "parent", f"区划代码 {code} 不在上级区划 {parent} 之下（应以上级代码的有效位开头）。"


RegionImportSchema = ImportSchema(
    kind="regions.region",
    label="行政区划",
    model=Region,
    columns=(
        Column("code", "区划代码", region_code(), aliases=("统计用区划代码", "代码"),
               help="国家统计局统计用区划代码；园区、开发区可使用本地编码。"),
        Column("name", "名称", text(100), aliases=("区划名称",)),
        Column("level", "层级", choice(RegionLevel), help="省级、地级、县级、乡级或村级。"),
        Column("parent", "上级代码", region_code(), required=False, aliases=("上级区划代码",),
               help="省级区划留空；上级可以是系统中已有的区划，也可以在本文件中。"),
        Column("kind", "类型", choice(RegionKind), required=False,
               help="留空时：新区划为“行政区”，已有区划保持原类型。"),
    ),
    natural_key=("code",),
    to_db=_to_db,
    row_checks=(_not_own_parent,),
    file_checks=(_tree_is_consistent,),
)
