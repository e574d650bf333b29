"""国民经济行业分类 (GB/T 4754-2017): the 20 sections and 97 divisions, shipped as a data file.

Enterprises store their industry code without the letter (a 2-digit division, or a 3/4-digit group/class,
e.g. "6513"); the section letter is derived through the division (RULES.md §7).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "industry_gbt4754_2017.csv"


@dataclass(frozen=True)
class Industry:
    code: str
    name: str
    level: str  # "section" or "division"
    section: str


@cache
def industries() -> dict[str, Industry]:
    """Return every section and division by code."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {r["code"]: Industry(r["code"], r["name"], r["level"], r["section"]) for r in rows}


@cache
def divisions() -> dict[str, Industry]:
    """Return the 97 divisions (大类) by two-digit code."""
    return {c: i for c, i in industries().items() if i.level == "division"}


@cache
def sections() -> dict[str, Industry]:
    """Return the 20 sections (门类) by letter."""
    return {c: i for c, i in industries().items() if i.level == "section"}


def section_of(code: str) -> str | None:
    """Return the section letter of an industry code (2–4 digits), or None when its division is unknown."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) not in (2, 3, 4):
        return None
    division = divisions().get(code[:2])
    return division.section if division else None


def industry_by_name(name: str) -> str | None:
    """Return the code of the division (or section) with exactly this Chinese name, or None."""
    name = name.strip()
    for code, industry in industries().items():
        if industry.name == name:
            return code
    return None
