"""地方培育项目 (local programmes) written as data: definitions, validation, programmes, registry.

A definition composes conditions from the condition library (``engine/conditions.py``) into an ``all``/``any``
tree. It lives either in a file ``kechuang/eligibility/local/<code>.yaml`` (shipped, code-reviewed) or in the
database as ``LocalProgrammeVersion`` rows a bureau adds on the admin page (one row = one dated version)::

    code: gazelle_huangpu                  # file only (the form has a field); file name = code
    label: 瞪羚企业（广州市黄埔区、广州开发区）   # file only
    rung: gazelle                          # optional: the qualification kind an eligible enterprise would hold
    description: …                         # optional
    documents: {hp2022: 《…》}              # optional: key → title; a source "hp2022 第三条" cites it
    facts:                                 # optional: programme-specific facts (not in the shared vocabulary)
      strategic_emerging: {label: 属于战略性新兴产业, kind: bool}
    versions:                              # file only; a database row holds one version's body
      - from: 2022-01-01                   # in force from (a row: effective_from)
        source: hp2022 认定条件             # (a row: source)
        all:                               # or any: — items are conditions or nested all/any groups
          - {type: qualification_held, kind: hnte}
          - id: routes                     # optional id / label / source on any item
            any:
              - all: [{type: value, fact: sales_revenue_series, years_before: 3, ge: 1000},
                      {type: cagr, fact: sales_revenue_series, years: 3, ge: 0.20}]
              - all: [{type: age, le: 5}, {type: value, fact: sales_revenue_series, gt: 50000}]

A database row's ``definition`` is the body of one version: ``all``/``any`` plus optional documents, facts,
rung and description; code, label, effective date and source are the row's fields.

Decisions: a file programme is registered by code at start-up and wins over the database (``get_programme``
looks in the registry first), so a bureau cannot change a shipped or built-in programme for everyone — the
admin form refuses those codes; a bureau adds its own code instead. A code belongs to one region. Database
versions are read on every lookup (one query), compiled once per distinct content, so a version saved is used
by the next assessment on every server. The rules version is ``code@<version start>#<digest>`` where the digest
covers the file's bytes (or every row of the code), like a parameter file's.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core import checks

from kechuang.eligibility.engine import conditions as c
from kechuang.eligibility.engine.facts import (
    BOOL,
    CODES,
    COUNT,
    DATE,
    MONEY,
    NUMBER,
    RATIO,
    TEXT,
    Fact,
    Facts,
)
from kechuang.eligibility.engine.params import (
    OPERATORS,
    Band,
    Parameter,
    ParameterError,
    ParameterSet,
    ParameterView,
    Version,
    _DecimalLoader,
)
from kechuang.eligibility.engine.programme import REGISTRY, Programme, add_resolver, register
from kechuang.eligibility.engine.result import Assessment

LOCAL_DIR = Path(__file__).resolve().parent.parent / "local"
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
ID_PATTERN = re.compile(r"^[a-z0-9_.]{1,64}$")
MAX_NODES = 300
HIGHTECH_FIELDS = ("1", "2", "3", "4", "5", "6", "7", "8")  # 《国家重点支持的高新技术领域》八个一级领域
LISTING_STATUSES = ("unlisted", "neeq", "main", "star", "chinext", "bse", "overseas")
FACT_KINDS = {"bool": BOOL, "money": MONEY, "count": COUNT, "ratio": RATIO, "number": NUMBER, "date": DATE,
              "text": TEXT}
NUMERIC = (MONEY, COUNT, RATIO, NUMBER)
_SERIES = {"length": 6, "min_length": 1}  # up to 6 years, oldest first; a young enterprise has fewer
_SERIES_3Y = {"length": 3, "min_length": 1}

# The shared fact vocabulary (one facts builder serves every programme): latest data year unless a series.
VOCABULARY: dict[str, Fact] = {fact.name: fact for fact in (
    Fact("employees", "职工总数", COUNT, help="上一年度"),
    Fact("tech_staff", "科技人员数", COUNT, help="上一年度"),
    Fact("rd_staff", "研发人员数", COUNT, help="上一年度"),
    Fact("sales_revenue", "销售收入", MONEY, help="上一年度"),
    Fact("main_revenue", "主营业务收入", MONEY, help="上一年度"),
    Fact("total_income", "总收入", MONEY, help="上一年度"),
    Fact("hightech_income", "高新技术产品（服务）收入", MONEY, help="上一年度"),
    Fact("rd_expense", "研发费用总额", MONEY, help="上一年度"),
    Fact("rd_domestic", "境内研发费用", MONEY, help="上一年度"),
    Fact("rd_commissioned", "委托研发费用", MONEY, help="上一年度"),
    Fact("total_cost", "成本费用支出总额", MONEY, help="上一年度"),
    Fact("total_assets", "资产总额", MONEY, help="上一年度末"),
    Fact("liabilities", "负债总额", MONEY, help="上一年度末"),
    Fact("net_assets", "净资产", MONEY, signed=True, help="上一年度末"),
    Fact("profit", "利润总额", MONEY, signed=True, help="上一年度"),
    Fact("class1_ip", "Ⅰ类知识产权数", COUNT),
    Fact("class2_ip", "Ⅱ类知识产权数", COUNT),
    Fact("conversions", "科技成果转化数", COUNT, help="上一年度"),
    Fact("standards_led", "主导制定标准数", COUNT),
    Fact("sales_revenue_3y", "近三年销售收入", MONEY, **_SERIES_3Y),
    Fact("rd_expense_3y", "近三年研发费用", MONEY, **_SERIES_3Y),
    Fact("rd_domestic_3y", "近三年境内研发费用", MONEY, **_SERIES_3Y),
    Fact("rd_overseas_3y", "近三年境外研发费用", MONEY, **_SERIES_3Y),
    Fact("net_assets_3y", "近三年净资产", MONEY, signed=True, **_SERIES_3Y),
    Fact("conversions_3y", "近三年科技成果转化数", COUNT, **_SERIES_3Y),
    Fact("sales_revenue_series", "历年营业收入", MONEY, **_SERIES),
    Fact("employees_series", "历年职工人数", COUNT, **_SERIES),
    Fact("profit_series", "历年利润总额", MONEY, signed=True, **_SERIES),
    Fact("registered_on", "注册（成立）日期", DATE),
    Fact("industry", "行业代码", TEXT, help="GB/T 4754-2017，2–4 位"),
    Fact("hightech_field", "高新技术领域", TEXT, choices=HIGHTECH_FIELDS),
    Fact("listing_status", "上市状态", TEXT, choices=LISTING_STATUSES),
    Fact("qualifications", "有效资质", CODES, help="评估日有效的资质类别代码，如 hnte、tsme"),
    Fact("holds_valid_hnte", "拥有有效期内高新技术企业证书", BOOL),
    Fact("valuation", "企业估值", MONEY, help="人民币万元"),
    Fact("equity_funding", "股权融资额", MONEY),
)}

FILE_KEYS = {"code", "label", "rung", "description", "documents", "facts", "versions"}
BODY_KEYS = {"all", "any", "documents", "facts", "rung", "description"}
FIELD_KEYS = {"code": "项目代码", "label": "项目名称", "from": "施行日期", "source": "依据文件"}
GROUP_KEYS = {"id", "label", "source"}


class DefinitionError(ParameterError):
    """A definition is invalid; ``problems`` lists every fault as "路径：原因" (Chinese)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class Scope:
    """What parsing one version knows: the facts it may use, its documents and source, ids taken, problems."""

    facts: dict[str, Fact]
    documents: dict[str, str]
    default_source: str = ""
    problems: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    groups: int = 0
    nodes: int = 0

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}：{message}" if path else message)

    def cite(self, source: str) -> str:
        """Return the full citation: "hp2022 第二条" → "《…》第二条"; a bare clause takes the version's document."""
        key, _, clause = source.partition(" ")
        if key in self.documents:
            return f"{self.documents[key]}{clause}"
        default_key, _, default_clause = self.default_source.partition(" ")
        if default_key in self.documents:
            return f"{self.documents[default_key]}{source or default_clause}"
        return source or self.default_source

    def claim(self, wanted: Any, path: str, fallback: str) -> str:
        """Return a unique check id: ``wanted`` if given (must be new), else ``fallback`` made unique."""
        if wanted is not None:
            if not isinstance(wanted, str) or not ID_PATTERN.match(wanted):
                self.fail(path, f"编号“{wanted}”无效：只能用小写字母、数字、下划线和点")
            elif wanted in self.ids:
                self.fail(path, f"编号“{wanted}”重复")
            self.ids.add(str(wanted))
            return str(wanted)
        candidate, n = fallback, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{fallback}.{n}"
        self.ids.add(candidate)
        return candidate


# --- parsing the condition tree ---------------------------------------------------------------------------------


def parse_node(spec: Any, path: str, scope: Scope, *, parent: str = "") -> c.Node | None:
    """Return the condition or group ``spec`` describes, recording every problem in ``scope``."""
    scope.nodes += 1
    if scope.nodes > MAX_NODES:  # YAML aliases can multiply a short text into a huge tree
        if scope.nodes == MAX_NODES + 1:
            scope.fail(path, f"条件过多：一个版本最多 {MAX_NODES} 个条件与分组")
        return None
    if not isinstance(spec, dict):
        scope.fail(path, "每个条件应为映射（键: 值）")
        return None
    modes = [mode for mode in ("all", "any") if mode in spec]
    if modes and "type" in spec:
        scope.fail(path, "一个条目不能既是条件（type）又是分组（all / any）")
        return None
    if len(modes) > 1:
        scope.fail(path, "all 与 any 只能选一个；需要两者时请嵌套")
        return None
    if modes:
        return _parse_group(spec, modes[0], path, scope, parent)
    if "type" not in spec:
        scope.fail(path, "缺少条件类型（type）或分组（all / any）")
        return None
    return _parse_leaf(spec, path, scope)


def _parse_group(spec: dict, mode: str, path: str, scope: Scope, parent: str) -> c.Group | None:
    _unknown_keys(spec, GROUP_KEYS | {mode}, path, scope)
    items = spec[mode]
    if not isinstance(items, list) or not items:
        scope.fail(f"{path}.{mode}", "应为非空列表")
        return None
    scope.groups += 1
    fallback = {"all": "conditions", "any": "routes"}[mode] if parent == "root" else f"{mode}.{scope.groups}"
    group_id = scope.claim(spec.get("id"), path, fallback)
    children = [parse_node(item, f"{path}.{mode}[{i}]", scope, parent=mode) for i, item in enumerate(items)]
    label = spec.get("label") or ("满足以下任一条件" if mode == "any" else "同时满足以下条件")
    source = scope.cite(str(spec.get("source") or ""))
    if any(child is None for child in children):
        return None
    emits = mode == "any" or parent == "any"
    return c.Group(group_id, str(label), source, mode=mode, children=children, emits=emits)  # type: ignore[arg-type]


def _parse_leaf(spec: dict, path: str, scope: Scope) -> c.Condition | None:
    cls = c.TYPES.get(str(spec["type"]))
    if cls is None:
        scope.fail(f"{path}.type", f"未知的条件类型“{spec['type']}”（可用：{'、'.join(c.TYPES)}）")
        return None
    _unknown_keys(spec, {"type"} | GROUP_KEYS | cls.keys | set(cls.operators), path, scope)
    before = len(scope.problems)
    kwargs = PARSERS[cls.type_name](cls, spec, path, scope)
    if kwargs is None or len(scope.problems) > before:
        return None
    primary = next((str(spec[k]) for k in ("fact", "numerator") if isinstance(spec.get(k), str)), "")
    check_id = scope.claim(spec.get("id"), path, f"{cls.type_name}.{primary}" if primary else cls.type_name)
    condition = cls(check_id, "", scope.cite(str(spec.get("source") or "")), vocabulary=scope.facts, **kwargs)
    condition.label = str(spec.get("label") or condition.default_label())
    return condition


def _unknown_keys(spec: dict, allowed: set[str], path: str, scope: Scope) -> None:
    for key in sorted(set(map(str, spec)) - allowed):
        scope.fail(path, f"未知的键“{key}”（此处可用：{'、'.join(sorted(allowed))}）")


def _fact(name: Any, path: str, scope: Scope, kinds: Iterable[str], series: bool | None = None) -> Fact | None:
    """Return the declared fact ``name`` if it suits the condition (kind, series or not), else record why not."""
    if not isinstance(name, str) or not name:
        scope.fail(path, "缺少事实名称")
        return None
    fact = scope.facts.get(name)
    if fact is None:
        scope.fail(path, f"未知的事实“{name}”：请使用共享事实词表中的名称，或在 facts 中声明")
    elif fact.kind not in kinds:
        scope.fail(path, f"事实“{name}”（{fact.label}）的类型不适用于此条件")
    elif series is True and not fact.is_series:
        scope.fail(path, f"事实“{name}”应为多年序列（如 sales_revenue_series）")
    elif series is False and fact.is_series:
        scope.fail(path, f"事实“{name}”是多年序列，此处需要单一年度的数值")
    else:
        return fact
    return None


def _threshold(spec: dict, path: str, scope: Scope, operators: Iterable[str],
               bound_ok: tuple[type, str] = (Decimal, "数值")) -> c.Threshold | None:
    """Return the one threshold (ge/gt/le/lt) ``spec`` gives, or record what is wrong."""
    operators = tuple(operators)
    given = [op for op in OPERATORS if op in spec]
    if not given:
        scope.fail(path, f"缺少阈值：需要 {'、'.join(operators)} 之一")
        return None
    if len(given) > 1:
        scope.fail(path, f"只能给出一个阈值，却给出了 {'、'.join(given)}")
        return None
    operator, bound = given[0], spec[given[0]]
    if operator not in operators:
        scope.fail(path, f"此处不接受“{operator}”（可用：{'、'.join(operators)}）")
        return None
    if not isinstance(bound, bound_ok[0]) or isinstance(bound, bool | datetime.datetime):
        scope.fail(f"{path}.{operator}", f"阈值应为{bound_ok[1]}，实际为“{bound}”")
        return None
    return c.Threshold(operator, bound)


def _requirement(spec: dict, path: str, scope: Scope, operators: Iterable[str],
                 lowest: Decimal | None = None) -> c.Requirement | None:
    """Return a fixed threshold, or a band table (``band_by`` + ``bands``) ending with ``else``."""
    if "bands" not in spec and "band_by" not in spec:
        threshold = _threshold(spec, path, scope, operators)
        return None if threshold is None else c.Requirement(fixed=_floor(threshold, path, scope, lowest))
    if any(op in spec for op in OPERATORS):
        scope.fail(path, "固定阈值（ge/gt/le/lt）与分档（band_by + bands）只能二选一")
        return None
    band_fact = _fact(spec.get("band_by"), f"{path}.band_by", scope, NUMERIC)
    rows = spec.get("bands")
    if not isinstance(rows, list) or not rows:
        scope.fail(f"{path}.bands", "分档应为非空列表，最后一档为 else")
        return None
    bands = [_band(row, f"{path}.bands[{i}]", scope, operators, lowest, last=i == len(rows) - 1)
             for i, row in enumerate(rows)]
    if band_fact is None or any(band is None for band in bands):
        return None
    return c.Requirement(band_by=band_fact.name, bands=tuple(bands))  # type: ignore[arg-type]


def _band(row: Any, path: str, scope: Scope, operators: Iterable[str], lowest: Decimal | None,
          last: bool) -> Band | None:
    """One band: ``{lt: 3000, require: {ge: 0.05}}``; the last is ``{else: {ge: 0.04}}`` or ``{else: fail}``."""
    if not isinstance(row, dict):
        scope.fail(path, "每一档应为映射")
        return None
    if last != ("else" in row):
        scope.fail(path, "分档的最后一档必须是 else，且只有最后一档可以是 else")
        return None
    key = "else" if last else "require"
    if not last:
        _unknown_keys(row, {"require", *OPERATORS}, path, scope)
    requirement = row.get(key)
    if requirement is None:
        scope.fail(path, f"缺少 {key}：应为阈值（如 {{ge: 0.05}}）或 fail（该档不符合）")
        return None
    threshold = None
    if requirement != "fail":
        if not isinstance(requirement, dict):
            scope.fail(f"{path}.{key}", "应为阈值（如 {ge: 0.05}）或 fail")
            return None
        threshold = _threshold(requirement, f"{path}.{key}", scope, operators)
        if threshold is None:
            return None
        threshold = _floor(threshold, path, scope, lowest)
    if last:
        return Band("else", None, threshold)
    edge = _threshold({k: v for k, v in row.items() if k != "require"}, path, scope, OPERATORS)
    return None if edge is None else Band(edge.operator, edge.bound, threshold)


def _floor(threshold: c.Threshold, path: str, scope: Scope, lowest: Decimal | None) -> c.Threshold:
    if lowest is not None and threshold.bound <= lowest:
        scope.fail(path, f"阈值 {threshold.bound} 不合理：应大于 {lowest}")
    return threshold


def _whole(value: Any, path: str, scope: Scope, low: int, high: int) -> int | None:
    if not isinstance(value, Decimal) or value != value.to_integral_value() or not low <= value <= high:
        scope.fail(path, f"应为 {low}–{high} 之间的整数，实际为“{value}”")
        return None
    return int(value)


def _value_kwargs(cls: type, spec: dict, path: str, scope: Scope) -> dict | None:
    if ("fact" in spec) == ("sum_of" in spec):
        scope.fail(path, "需要 fact（一个事实）或 sum_of（若干事实求和）之一")
        return None
    kinds = (COUNT,) if cls is c.CountCondition else NUMERIC
    names = spec["sum_of"] if "sum_of" in spec else [spec["fact"]]
    if not isinstance(names, list) or not names:
        scope.fail(f"{path}.sum_of", "应为事实名称列表")
        return None
    facts = [_fact(n, f"{path}.{'sum_of' if 'sum_of' in spec else 'fact'}", scope, kinds,
                   series=False if len(names) > 1 else None) for n in names]
    if any(f is None for f in facts):
        return None
    years_before = 0
    if "years_before" in spec:
        if not facts[0].is_series:  # type: ignore[union-attr]
            scope.fail(f"{path}.years_before", "只有多年序列事实才能指定 years_before")
            return None
        years_before = _whole(spec["years_before"], f"{path}.years_before", scope, 0,
                              facts[0].length - 1) or 0  # type: ignore[union-attr, operator]
    requirement = _requirement(spec, path, scope, cls.operators)
    return None if requirement is None else {"names": tuple(names), "years_before": years_before,
                                             "requirement": requirement}


def _ratio_kwargs(cls: type, spec: dict, path: str, scope: Scope) -> dict | None:
    numerator = _fact(spec.get("numerator"), f"{path}.numerator", scope, NUMERIC, series=False)
    denominator = _fact(spec.get("denominator"), f"{path}.denominator", scope, NUMERIC, series=False)
    nested = spec.get("numerator_in_denominator", False)
    if not isinstance(nested, bool):
        scope.fail(f"{path}.numerator_in_denominator", "应为 true 或 false")
    requirement = _requirement(spec, path, scope, cls.operators)
    if numerator is None or denominator is None or requirement is None:
        return None
    return {"numerator": numerator.name, "denominator": denominator.name, "nested": bool(nested),
            "requirement": requirement}


def _series_kwargs(cls: type, spec: dict, path: str, scope: Scope) -> dict | None:
    series = _fact(spec.get("fact"), f"{path}.fact", scope, NUMERIC, series=True)
    if series is None:
        return None
    years = 1
    if cls is c.CagrCondition:
        if "years" not in spec:
            scope.fail(path, "缺少 years（复合增长的年数）")
            return None
        years = _whole(spec["years"], f"{path}.years", scope, 1, (series.length or 2) - 1) or 1
    requirement = _requirement(spec, path, scope, cls.operators, lowest=Decimal(-1))
    return None if requirement is None else {"series": series.name, "years": years, "requirement": requirement}


def _bounds(spec: dict, path: str, scope: Scope, bound_ok: tuple[type, str]) -> tuple[c.Threshold, ...] | None:
    """One lower (ge/gt) and/or one upper (le/lt) bound, as for 成立 5–9 年 or a registration window."""
    lower = {op: spec[op] for op in ("ge", "gt") if op in spec}
    upper = {op: spec[op] for op in ("le", "lt") if op in spec}
    if not lower and not upper:
        scope.fail(path, "缺少界限：需要 ge、gt（下限）或 le、lt（上限）")
        return None
    if len(lower) > 1 or len(upper) > 1:
        scope.fail(path, "下限（ge/gt）与上限（le/lt）各最多一个")
        return None
    found = [_threshold(part, path, scope, OPERATORS, bound_ok) for part in (lower, upper) if part]
    return None if any(t is None for t in found) else tuple(found)  # type: ignore[arg-type]


def _age_kwargs(cls: type, spec: dict, path: str, scope: Scope) -> dict | None:
    bounds = _bounds(spec, path, scope, (Decimal, "整数年数"))
    if bounds is None:
        return None
    for bound in bounds:
        _whole(bound.bound, f"{path}.{bound.operator}", scope, 0, 100)
    return {"thresholds": bounds}


def _date_kwargs(cls: type, spec: dict, path: str, scope: Scope) -> dict | None:
    fact = _fact(spec.get("fact"), f"{path}.fact", scope, (DATE,))
    bounds = _bounds(spec, path, scope, (datetime.date, "日期（YYYY-MM-DD）"))
    if fact is None or bounds is None:
        return None
    return {"name": fact.name, "thresholds": bounds}


def _qualification_kwargs(cls: type, spec: dict, path: str, scope: Scope) -> dict | None:
    kinds = spec.get("kind")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) and CODE_PATTERN.match(k)
                                                           for k in kinds):
        scope.fail(f"{path}.kind", "应为资质类别代码（如 hnte）或代码列表")
        return None
    return {"kinds": tuple(kinds)}


def _membership_kwargs(cls: type, spec: dict, path: str, scope: Scope) -> dict | None:
    if ("in" in spec) == ("not_in" in spec):
        scope.fail(path, "需要 in（属于）或 not_in（不属于）之一")
        return None
    key = "in" if "in" in spec else "not_in"
    codes = spec[key]
    if not isinstance(codes, list) or not codes:
        scope.fail(f"{path}.{key}", "应为非空的代码列表")
        return None
    codes = [str(code) for code in codes]
    known = _known_codes(cls)
    for code in codes:
        if code not in known:
            scope.fail(f"{path}.{key}", f"未知的代码“{code}”")
    _fact(cls.fact_name, path, scope, (TEXT,))
    return {"codes": tuple(codes), "negate": key == "not_in"}


def _known_codes(cls: type) -> set[str]:
    if cls is c.FieldCondition:
        return set(HIGHTECH_FIELDS)
    if cls is c.ListingCondition:
        return set(LISTING_STATUSES)
    from kechuang.enterprises.industry import divisions, sections

    return set(divisions()) | set(sections())


def _declared_kwargs(cls: type, spec: dict, path: str, scope: Scope) -> dict | None:
    fact = _fact(spec.get("fact"), f"{path}.fact", scope, (BOOL,))
    return None if fact is None else {"name": fact.name}


PARSERS = {"value": _value_kwargs, "count": _value_kwargs, "size_limit": _value_kwargs, "ratio": _ratio_kwargs,
           "growth": _series_kwargs, "cagr": _series_kwargs, "age": _age_kwargs, "date": _date_kwargs,
           "qualification_held": _qualification_kwargs, "field": _membership_kwargs,
           "industry": _membership_kwargs, "listing": _membership_kwargs, "declared": _declared_kwargs}


# --- definitions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalVersion:
    """One dated version of a local programme: its condition tree, in force from ``start``."""

    start: datetime.date
    source: str
    label: str
    root: c.Group

    def outline(self) -> list[tuple[int, c.Node, str]]:
        """Return (depth, node, requirement text) of every node, for the admin page."""
        rows: list[tuple[int, c.Node, str]] = []

        def visit(node: c.Node, depth: int) -> None:
            required = (node.judge(Facts({}), self.start).required if isinstance(node, c.Condition)
                        else ("任一项满足" if getattr(node, "mode", "") == "any" else "全部满足"))
            rows.append((depth, node, required))
            for child in getattr(node, "children", []):
                visit(child, depth + 1)

        for child in self.root.children:
            visit(child, 0)
        return rows

    def __str__(self) -> str:
        """The conditions as a nested Markdown list (the generated rule pages print a version this way)."""
        head = "全部满足：" if self.root.mode == "all" else "任一满足："
        return head + "".join(f"\n{'  ' * (depth + 1)}- {node.label}（`{node.id}`）：{required}"
                              for depth, node, required in self.outline())


@dataclass(frozen=True)
class LocalDefinition:
    """A whole local programme as defined: code, label, rung, documents, custom facts and dated versions."""

    code: str
    label: str
    versions: tuple[LocalVersion, ...]
    digest: str
    rung: str = ""
    description: str = ""
    documents: dict[str, str] = field(default_factory=dict)
    custom_facts: dict[str, Fact] = field(default_factory=dict)

    def facts(self) -> tuple[Fact, ...]:
        """Return the facts the conditions use: the union over versions, in vocabulary order."""
        names = set().union(*(version.root.fact_names() for version in self.versions))
        known = {**VOCABULARY, **self.custom_facts}
        return tuple(fact for name, fact in known.items() if name in names)

    def programme(self) -> Programme:
        """Return the Programme: one formula per version (so the rules version names it) reading it as data."""
        versions = tuple(Version(v.start, v, v.source) for v in self.versions)
        parameters = ParameterSet(self.code, self.label, self.documents,
                                  {"definition": Parameter("definition", "规则定义", "", versions)}, self.digest)
        return Programme(self.code, self.label, self.facts(), rung=self.rung, description=self.description,
                         parameter_source=parameters, formulas=[(v.start, assess_definition) for v in self.versions])


def assess_definition(facts: Facts, p: ParameterView, result: Assessment) -> None:
    """The formula of every local programme: the version in force (a parameter, like any number) judges."""
    version: LocalVersion = p.definition
    result.eligible = version.root.run(facts, p.as_of, result, "condition")
    result.pass_mark = "满足全部条件（“任一”分组满足其中一项即可）"
    result.summary = f"{result.verdict_text}。依据：{p.source('definition')}"


def load_yaml(text: str, where: str) -> Any:
    """Parse YAML with exact Decimals; raise DefinitionError naming the line of a syntax error."""
    try:
        return yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise DefinitionError([f"{where}：不是有效的 YAML {line}（{getattr(exc, 'problem', '') or exc}）"]) from exc


def parse_file(text: str, where: str) -> LocalDefinition:
    """Parse and validate a definition file's text; raise DefinitionError listing every problem."""
    raw = load_yaml(text, where)
    if not isinstance(raw, dict):
        raise DefinitionError([f"{where}：定义应为映射（code、label、versions …）"])
    problems: list[str] = []
    for key in sorted(set(map(str, raw)) - FILE_KEYS):
        problems.append(f"{where}：未知的键“{key}”（可用：{'、'.join(sorted(FILE_KEYS))}）")
    for key in ("code", "label", "versions"):
        if not raw.get(key):
            problems.append(f"{where}：缺少 {key}")
    code = str(raw.get("code") or "")
    if code and not CODE_PATTERN.match(code):
        problems.append(f"{where}.code：项目代码“{code}”无效：以小写字母开头，只含小写字母、数字和下划线")
    documents, custom = _documents(raw, where, problems), _custom_facts(raw.get("facts"), f"{where}.facts", problems)
    entries = raw.get("versions") or []
    if not isinstance(entries, list):
        problems.append(f"{where}.versions：应为列表")
        entries = []
    versions = [_file_version(entry, f"{where}.versions[{i}]", str(raw.get("label") or ""), documents, custom,
                              problems) for i, entry in enumerate(entries)]
    _check_order([v.start for v in versions if v is not None], f"{where}.versions", problems)
    _check_rung(raw.get("rung"), f"{where}.rung", problems)
    if problems:
        raise DefinitionError(problems)
    return LocalDefinition(code, str(raw["label"]), tuple(versions), _digest(text), str(raw.get("rung") or ""),
                           str(raw.get("description") or ""), documents, custom)  # type: ignore[arg-type]


def _file_version(entry: Any, path: str, label: str, documents: dict[str, str], custom: dict[str, Fact],
                  problems: list[str]) -> LocalVersion | None:
    if not isinstance(entry, dict):
        problems.append(f"{path}：每个版本应为映射（from、source、all/any）")
        return None
    for key in sorted(set(map(str, entry)) - {"from", "source", "all", "any"}):
        problems.append(f"{path}：未知的键“{key}”（版本可用：from、source、all、any）")
    start = entry.get("from")
    if not isinstance(start, datetime.date) or isinstance(start, datetime.datetime):
        problems.append(f"{path}.from：施行日期应为日期（YYYY-MM-DD）")
        return None
    return _version(entry, path, start, str(entry.get("source") or ""), label, documents, custom, problems)


def _version(body: dict, path: str, start: datetime.date, source: str, label: str, documents: dict[str, str],
             custom: dict[str, Fact], problems: list[str]) -> LocalVersion | None:
    """Parse one version's condition tree (shared by files and database rows)."""
    if not source.strip():
        problems.append(f"{path}.source：缺少依据文件（文件代号与条款）")
    key = source.partition(" ")[0]
    if documents and " " in source and key not in documents:
        problems.append(f"{path}.source：引用了未知的文件代号“{key}”（已定义：{'、'.join(documents)}）")
    modes = [mode for mode in ("all", "any") if mode in body]
    if len(modes) != 1:
        problems.append(f"{path}：需要且只能有一个 all（全部满足）或 any（任一满足）")
        return None
    scope = Scope({**VOCABULARY, **custom}, documents, source)
    root = parse_node({modes[0]: body[modes[0]]}, path, scope, parent="root")
    problems.extend(scope.problems)
    if root is None or scope.problems:
        return None
    return LocalVersion(start, source, label, root)  # type: ignore[arg-type]


def parse_body(text: str, *, start: datetime.date, source: str, label: str,
               where: str = "规则定义") -> tuple[LocalVersion, dict[str, Any]]:
    """Parse a database row's definition (one version's body); return the version and its extras.

    Extras are documents, facts (custom declarations), rung and description. Raise DefinitionError.
    """
    raw = load_yaml(text, where)
    if not isinstance(raw, dict):
        raise DefinitionError([f"{where}：定义应为映射，以 all:（全部满足）或 any:（任一满足）开头"])
    problems: list[str] = []
    for key in sorted(set(map(str, raw)) - BODY_KEYS):
        if key in FIELD_KEYS:
            problems.append(f"{where}：“{key}”由表单字段“{FIELD_KEYS[key]}”填写，请从规则定义中删除")
        elif key == "versions":
            problems.append(f"{where}：每条记录就是一个版本：请只写一个版本的条件（all 或 any），施行日期在表单中填写")
        else:
            problems.append(f"{where}：未知的键“{key}”（可用：{'、'.join(sorted(BODY_KEYS))}）")
    documents = _documents(raw, where, problems)
    custom = _custom_facts(raw.get("facts"), f"{where}.facts", problems)
    _check_rung(raw.get("rung"), f"{where}.rung", problems)
    version = _version(raw, where, start, source, label, documents, custom, problems)
    if problems or version is None:
        raise DefinitionError(problems)
    return version, {"documents": documents, "facts": custom, "rung": str(raw.get("rung") or ""),
                     "description": str(raw.get("description") or "")}


def definition_from_rows(code: str, rows: Iterable[tuple[datetime.date, str, str, str]]) -> LocalDefinition:
    """Compose the database versions of ``code`` (effective_from, label, source, definition), oldest first."""
    rows = sorted(rows, key=lambda row: row[0])
    versions, problems = [], []
    documents: dict[str, str] = {}
    custom: dict[str, Fact] = {}
    extras: dict[str, Any] = {}
    for start, label, source, text in rows:
        where = f"“{code}”自 {start.isoformat()} 起的版本"
        try:
            version, extras = parse_body(text, start=start, source=source, label=label, where=where)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        for name, fact in extras["facts"].items():
            if custom.get(name, fact) != fact:
                problems.append(f"{where}.facts.{name}：与较早版本中的声明不一致")
        documents.update(extras["documents"])
        custom.update(extras["facts"])
        versions.append(version)
    if problems or not versions:
        raise DefinitionError(problems or [f"“{code}”没有任何版本"])
    digest = _digest("\n\0".join(f"{s.isoformat()}\0{lb}\0{src}\0{t}" for s, lb, src, t in rows))
    return LocalDefinition(code, versions[-1].label, tuple(versions), digest, extras.get("rung", ""),
                           extras.get("description", ""), documents, custom)


def _documents(raw: dict, where: str, problems: list[str]) -> dict[str, str]:
    documents = raw.get("documents") or {}
    if not isinstance(documents, dict):
        problems.append(f"{where}.documents：应为映射（文件代号: 文件名称）")
        return {}
    return {str(k): str(v) for k, v in documents.items()}


def _custom_facts(raw: Any, path: str, problems: list[str]) -> dict[str, Fact]:
    """Declare programme-specific facts: ``name: {label: …, kind: bool|money|count|ratio|number|date|text}``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{path}：应为映射（事实名称: {{label, kind}}）")
        return {}
    declared = {}
    for name, spec in raw.items():
        here = f"{path}.{name}"
        if not isinstance(name, str) or not CODE_PATTERN.match(name) or name in VOCABULARY:
            problems.append(f"{here}：事实名称无效或与共享事实重名（只用小写字母、数字、下划线）")
        elif not isinstance(spec, dict) or not spec.get("label") or spec.get("kind") not in FACT_KINDS:
            problems.append(f"{here}：需要 label（中文名称）和 kind（{'、'.join(FACT_KINDS)}）")
        elif set(spec) - {"label", "kind", "help"}:
            problems.append(f"{here}：未知的键 {sorted(set(spec) - {'label', 'kind', 'help'})}")
        else:
            kind = FACT_KINDS[spec["kind"]]
            declared[name] = Fact(name, str(spec["label"]), kind, declaration=kind == BOOL,
                                  help=str(spec.get("help") or ""))
    return declared


def _check_order(starts: list[datetime.date], path: str, problems: list[str]) -> None:
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        problems.append(f"{path}：施行日期（from）须按先后顺序排列且不重复")


def _check_rung(rung: Any, path: str, problems: list[str]) -> None:
    if rung is not None and (not isinstance(rung, str) or not CODE_PATTERN.match(rung)):
        problems.append(f"{path}：资质类别代码“{rung}”无效")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# --- registry: files at start-up, database versions by the resolver -------------------------------------------

FILE_PROGRAMMES: dict[str, Programme] = {}
_installed: list[bool] = []


def load_files(directory: Path | None = None) -> tuple[dict[str, LocalDefinition], list[str]]:
    """Parse every ``local/*.yaml``; return the valid definitions by code and the problems of the others."""
    definitions, problems = {}, []
    for path in sorted((directory or LOCAL_DIR).glob("*.yaml")):
        try:
            definition = parse_file(path.read_text(encoding="utf-8"), path.name)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if definition.code != path.stem:
            problems.append(f"{path.name}：文件名应与项目代码一致（{definition.code}.yaml）")
            continue
        definitions[definition.code] = definition
    return definitions, problems


def install() -> None:
    """Register the file programmes by code and the database resolver (idempotent; at start-up)."""
    definitions, _ = load_files()
    for code, definition in definitions.items():
        if code not in REGISTRY or REGISTRY[code] is FILE_PROGRAMMES.get(code):
            FILE_PROGRAMMES[code] = register(definition.programme())
    if not _installed:
        add_resolver(resolve)
        _installed.append(True)


def resolve(code: str) -> Programme | None:
    """Return the programme a bureau defined on the admin page under ``code``, or None (one query)."""
    from kechuang.eligibility.models import LocalProgrammeVersion

    if not CODE_PATTERN.match(code):
        return None
    rows = tuple(LocalProgrammeVersion.objects.filter(code=code).order_by("effective_from")
                 .values_list("effective_from", "label", "source", "definition"))
    return programme_from_rows(code, rows) if rows else None


def database_codes() -> list[str]:
    """Return the codes of the programmes bureaus defined on the admin page (for lists and screening)."""
    from kechuang.eligibility.models import LocalProgrammeVersion

    return sorted(set(LocalProgrammeVersion.objects.values_list("code", flat=True)))


@functools.lru_cache(maxsize=256)
def programme_from_rows(code: str, rows: tuple[tuple[datetime.date, str, str, str], ...]) -> Programme:
    """Compile database versions into a Programme, once per distinct content (so any edit is seen at once)."""
    return definition_from_rows(code, rows).programme()


def reserved_codes() -> set[str]:
    """Return the codes a bureau cannot use: built-in programmes and the shipped local files."""
    return set(REGISTRY) | set(load_files()[0])


@checks.register()
def check_local_programmes(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check: every shipped ``local/*.yaml`` is valid and its code is not taken by another programme."""
    definitions, problems = load_files()
    errors: list[checks.CheckMessage] = [
        checks.Error(f"地方培育项目定义无效：{problem}", id="eligibility.E101", obj=problem.partition("：")[0])
        for problem in problems]
    for code in definitions:
        if code in REGISTRY and REGISTRY[code] is not FILE_PROGRAMMES.get(code):
            errors.append(checks.Error(f"地方培育项目“{code}”与已注册的项目代码重复", id="eligibility.E102", obj=code))
    return errors
