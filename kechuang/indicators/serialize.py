"""JSON shapes shared by the API and the `kechuang indicators … --json` commands (one shape, one code path)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kechuang.indicators.figures import RegionFigure
    from kechuang.indicators.redblack import Line


def number(value: Decimal | None) -> str | None:
    """Decimals travel as strings ("2.7300" → "2.73"): no binary float rounding in figures officials quote."""
    return None if value is None else f"{value.normalize():f}"


def indicator_json(indicator: Any) -> dict[str, Any]:
    return {"code": indicator.code, "name": indicator.name, "unit": indicator.unit, "group": indicator.group,
            "kind": indicator.kind, "aggregation": indicator.aggregation, "direction": indicator.direction,
            "frequency": indicator.frequency, "cumulative": indicator.cumulative, "formula": indicator.formula,
            "definition": indicator.definition, "source": indicator.source}


def figure_json(figure: RegionFigure) -> dict[str, Any]:
    progress = figure.progress
    return {
        "indicator": figure.indicator.code, "region": figure.region.code, "region_name": figure.region.name,
        "year": figure.year, "period": figure.stored.period if figure.stored else None,
        "value": number(figure.value), "as_of": figure.stored.as_of.isoformat() if figure.stored else None,
        "origin": figure.stored.origin if figure.stored else None,
        "frozen": figure.stored.frozen if figure.stored else False,
        "previous": number(figure.previous),
        "change": {"kind": figure.change.kind, "value": number(figure.change.value), "reason": figure.change.reason},
        "rank": ({"position": figure.rank.position, "tied": figure.rank.tied, "of": figure.rank.of}
                 if figure.rank else None),
        "target": number(progress.target), "completion": number(progress.completion),
        "schedule": number(progress.schedule), "status": progress.status,
    }


def line_json(line: Line) -> dict[str, Any]:
    return {"region": line.region.code, "region_name": line.region.name,
            "rank": line.position, "tied": line.tied, "score": number(line.score),
            "completion": number(line.completion), "schedule": number(line.schedule), "status": line.status,
            "band": line.band or None, "detail": line.detail}
