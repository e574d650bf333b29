"""The content of a generated document (报告内容): sections of paragraphs, tables and charts, every number in a
paragraph carried as a `Figure` with its source. Plain dataclasses that round-trip through JSON, so a draft can be
saved as a version, edited, hashed, and rendered to .docx or HTML by code that never reads the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

MISSING = "（数据暂缺）"


@dataclass
class Figure:
    """A number quoted in the text: which indicator, region and period it is, its value and how it was written."""

    indicator: str
    region: str
    year: int
    value: str | None  # Decimal as text ("2.7300"), None when missing
    text: str  # as written in the paragraph ("2.73%", "98.45亿元", "（数据暂缺）")
    source: str  # "R&D经费投入强度 · 南京市 · 2024年 · 平台计算，数据截至 2024-12-31"
    period: str = ""
    kind: str = "value"  # value | change | target | completion | rank | count


@dataclass
class Paragraph:
    key: str  # stable within the report ("s1.rd_intensity"), so edits survive a rebuild
    text: str
    figures: list[Figure] = field(default_factory=list)
    edited: bool = False  # the officer rewrote it: the numbers are no longer guaranteed by the platform
    style: str = "body"  # body | subheading


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "trend" (line over years) | "regions" (bars over regions)
    labels: list[str]
    series: list[dict[str, Any]]  # [{"name": "R&D经费投入强度", "values": [2.4, None, …]}]
    unit: str = ""


Block = Paragraph | Table | Chart


@dataclass
class Section:
    key: str
    title: str  # without its number ("主要指标完成情况")
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    title: str
    region: str
    region_name: str
    year: int
    as_of: str  # ISO date
    sections: list[Section] = field(default_factory=list)
    appendix: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(title=data["title"], region=data["region"], region_name=data["region_name"], year=data["year"],
                   as_of=data["as_of"], sections=[_section(s) for s in data["sections"]],
                   appendix=[Table(**t) for t in data.get("appendix", [])], warnings=list(data.get("warnings", [])))

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: the same figures and text give the same hash."""
        text = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def paragraphs(self) -> list[Paragraph]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Paragraph)]

    def figures(self) -> list[Figure]:
        return [f for p in self.paragraphs() for f in p.figures]


def _section(data: dict[str, Any]) -> Section:
    return Section(key=data["key"], title=data["title"], blocks=[_block(b) for b in data["blocks"]])


def _block(data: dict[str, Any]) -> Block:
    if "series" in data:
        return Chart(**data)
    if "headers" in data:
        return Table(**data)
    return Paragraph(key=data["key"], text=data["text"], figures=[Figure(**f) for f in data.get("figures", [])],
                     edited=data.get("edited", False), style=data.get("style", "body"))


CHINESE_NUMERALS = "一二三四五六七八九十"


def section_number(index: int) -> str:
    """一、 二、 … for the 1-based `index` (GB/T 9704 first-level numbering)."""
    if index <= 10:
        return f"{CHINESE_NUMERALS[index - 1]}、"
    tens, ones = divmod(index, 10)
    return f"{'' if tens == 1 else CHINESE_NUMERALS[tens - 1]}十{CHINESE_NUMERALS[ones - 1] if ones else ''}、"
