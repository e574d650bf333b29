"""Cross-field checks of annual figures (企业年度数据), shared by the model's clean() and the import schema.

A check returns (field, Chinese message) pairs; nothing is ever fixed silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

# Net assets must equal assets − liabilities within this tolerance (万元): source statements are rounded.
NET_ASSETS_TOLERANCE = Decimal("1.00")

# (part, whole, message): a part may not exceed its whole, when both are given. In the order they are reported.
PARTS_OF_WHOLES = (
    ("tech_staff", "employees", "科技人员数不能大于职工总数。"),
    ("rd_staff", "employees", "研发人员数不能大于职工总数。"),
    ("rd_expense_domestic", "rd_expense", "境内研发费用不能大于研发费用总额。"),
    ("rd_expense_commissioned", "rd_expense", "委托研发费用不能大于研发费用总额。"),
    ("hightech_income", "total_income", "高新技术产品（服务）收入不能大于总收入。"),
    ("main_revenue", "sales_revenue", "主营业务收入不能大于销售收入。"),
)


def annual_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the inconsistencies among one enterprise-year's figures.

    Plain lookups and comparisons: an import runs this once per row (200,000 times for a province's file).
    """
    problems: list[tuple[str, str]] = []
    get = values.get
    for part, whole, message in PARTS_OF_WHOLES:
        part_value = get(part)
        if part_value is not None:
            whole_value = get(whole)
            if whole_value is not None and part_value > whole_value:
                problems.append((part, message))
    assets, liabilities, net = get("total_assets"), get("liabilities"), get("net_assets")
    if assets is not None and liabilities is not None and net is not None:
        expected = assets - liabilities
        if abs(net - expected) > NET_ASSETS_TOLERANCE:
            problems.append(("net_assets", f"净资产应等于资产总额减负债总额（{expected} 万元）。"))
    return problems


def annual_suspects(columns: Mapping[str, Sequence[Any]]) -> set[int]:
    """Return the indexes of the rows `annual_problems` may report something for, given the figures of many rows
    by column (None where blank; a column left out counts as blank): the same comparisons, a column at a time.

    Every other row has no problem: an import checks only these rows one by one (`ScreenedRowCheck`).
    """
    suspects: set[int] = set()
    for part, whole, _message in PARTS_OF_WHOLES:
        parts, wholes = columns.get(part), columns.get(whole)
        if parts is not None and wholes is not None:
            suspects.update(i for i, (p, w) in enumerate(zip(parts, wholes, strict=True))
                            if p is not None and w is not None and p > w)
    assets, liabilities, net = columns.get("total_assets"), columns.get("liabilities"), columns.get("net_assets")
    if assets is not None and liabilities is not None and net is not None:
        suspects.update(i for i, (a, li, n) in enumerate(zip(assets, liabilities, net, strict=True))
                        if a is not None and li is not None and n is not None and abs(n - (a - li)) > NET_ASSETS_TOLERANCE)
    return suspects
