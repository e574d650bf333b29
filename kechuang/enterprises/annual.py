"""Cross-field checks of annual figures (企业年度数据), shared by the model's clean() and the import schema.

A check returns (field, Chinese message) pairs; nothing is ever fixed silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

# Net assets must equal assets − liabilities within this tolerance (万元): source statements are rounded.
NET_ASSETS_TOLERANCE = Decimal("1.00")


def _present(values: Mapping[str, Any], *names: str) -> bool:
    return all(values.get(n) is not None for n in names)


def annual_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the inconsistencies among one enterprise-year's figures."""
    problems: list[tuple[str, str]] = []

    def not_above(part: str, whole: str, message: str) -> None:
        if _present(values, part, whole) and values[part] > values[whole]:
            problems.append((part, message))

    not_above("tech_staff", "employees", "科技人员数不能大于职工总数。")
    not_above("rd_staff", "employees", "研发人员数不能大于职工总数。")
    not_above("rd_expense_domestic", "rd_expense", "境内研发费用不能大于研发费用总额。")
    not_above("rd_expense_commissioned", "rd_expense", "委托研发费用不能大于研发费用总额。")
    not_above("hightech_income", "total_income", "高新技术产品（服务）收入不能大于总收入。")
    not_above("main_revenue", "sales_revenue", "主营业务收入不能大于销售收入。")
    if _present(values, "total_assets", "liabilities", "net_assets"):
        expected = values["total_assets"] - values["liabilities"]
        if abs(values["net_assets"] - expected) > NET_ASSETS_TOLERANCE:
            problems.append(("net_assets", f"净资产应等于资产总额减负债总额（{expected} 万元）。"))
    return problems
