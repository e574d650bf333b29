"""Dated policy parameters (政策参数), read from YAML files keyed by effective date.

Every number a rule uses — a threshold, a band table, a rate, a cap — lives in
``kechuang/eligibility/parameters/<programme>.yaml`` with the document and clause it comes from (STYLE.md 5).
A file looks like this::

    programme: tech_sme
    label: 科技型中小企业评价
    documents:
      m2017: 《科技型中小企业评价办法》（国科发政〔2017〕115号）
    parameters:
      max_employees:
        label: 职工总数上限
        unit: 人
        history:
          - from: 2017-05-03
            value: 500
            source: m2017 第二章第六条（二）
      staff_points:
        label: 科技人员指标得分
        history:
          - from: 2017-05-03
            source: m2017 第七条
            scale:                    # first matching band wins; edges are explicit
              - {ge: 0.30, value: 20} # ge ≥, gt >, le ≤, lt <
              - {ge: 0.25, value: 16}
              - {else: 0}

A value is a number (read exactly as written, as a Decimal), a ``[low, high]`` range of points, a string, a
boolean or a list. Versions are never edited in place: a new rule adds a dated entry.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import operator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

PARAMETER_DIR = Path(__file__).resolve().parent.parent / "parameters"
OPERATORS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
_COMPARISONS = {"ge": operator.ge, "gt": operator.gt, "le": operator.le, "lt": operator.lt}


class ParameterError(ValueError):
    """A parameter file is malformed, or a parameter has no value on the date asked for."""


@dataclass(frozen=True)
class Points:
    """A score that is a single number or, where an expert picks within a grade, a range (e.g. A 7–8)."""

    low: Decimal
    high: Decimal

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def __str__(self) -> str:
        return f"{_plain(self.low)}" if self.exact else f"{_plain(self.low)}–{_plain(self.high)}"


@dataclass(frozen=True)
class Band:
    """One row of a scale: ``operator`` (ge/gt/le/lt, or "else" for the catch-all) ``bound`` → ``value``."""

    operator: str
    bound: Decimal | None
    value: Any
    grade: str = ""

    def matches(self, x: Decimal) -> bool:
        operator, bound = self.operator, self.bound
        if operator == "ge":
            return x >= bound  # type: ignore[operator]
        if operator == "gt":
            return x > bound  # type: ignore[operator]
        if operator == "le":
            return x <= bound  # type: ignore[operator]
        return operator == "else" or x < bound  # type: ignore[operator]

    def describe(self, unit: str = "") -> str:
        """Return the band's condition in Chinese notation, e.g. "≥ 30%"."""
        if self.operator == "else":
            return "其他"
        return f"{OPERATORS[self.operator]} {format_number(self.bound, unit)}"


@dataclass(frozen=True)
class Scale:
    """A band table (e.g. 科技人员占比 → 得分): the first band whose condition holds gives the value."""

    bands: tuple[Band, ...]
    unit: str = ""

    def __post_init__(self) -> None:
        # (comparison, bound, band) per row, the comparison None for "else": bulk screening looks scales up
        # millions of times, and a plain loop over these is several times faster than Band.matches.
        object.__setattr__(self, "_rows", tuple((_COMPARISONS.get(b.operator), b.bound, b) for b in self.bands))
        object.__setattr__(self, "_better", {})  # better_bands() by the current value

    def band_for(self, x: Decimal) -> Band:
        for test, bound, band in self._rows:  # type: ignore[attr-defined]
            if test is None or test(x, bound):
                return band
        raise ParameterError(f"no band matches {x}")  # unreachable: validation requires an "else" band

    def lookup(self, x: Decimal) -> Any:
        for test, bound, band in self._rows:  # type: ignore[attr-defined]
            if test is None or test(x, bound):
                return band.value
        raise ParameterError(f"no band matches {x}")

    def better_bands(self, x: Decimal) -> list[Band]:
        """Return the bands whose value beats the value at ``x`` (best last), for "what would it take"."""
        current = _low(self.lookup(x))
        better = self._better.get(current)  # type: ignore[attr-defined]
        if better is None:  # a scale has a handful of values: remember the answer for each
            better = tuple(sorted((b for b in self.bands if b.operator != "else" and _low(b.value) > current),
                                  key=lambda b: _low(b.value)))
            self._better[current] = better  # type: ignore[attr-defined]
        return list(better)


@dataclass(frozen=True)
class Version:
    """One dated entry of a parameter: in force from ``start`` until the next entry's start."""

    start: datetime.date
    value: Any
    source: str


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    unit: str
    versions: tuple[Version, ...]  # sorted by start

    def at(self, as_of: datetime.date) -> Version:
        """Return the version in force on ``as_of``; raise ParameterError before the first one."""
        current = None
        for version in self.versions:
            if version.start <= as_of:
                current = version
        if current is None:
            raise ParameterError(f"参数“{self.label}”（{self.name}）在 {as_of.isoformat()} 尚未生效："
                                 f"最早的版本自 {self.versions[0].start.isoformat()} 起施行。")
        return current


@dataclass(frozen=True, eq=False)
class ParameterSet:
    """The parameters of one programme, as loaded from its file."""

    programme: str
    label: str
    documents: dict[str, str]
    parameters: dict[str, Parameter]
    digest: str  # of the file's bytes, so a rules version names exactly the numbers used

    @functools.cached_property
    def first_date(self) -> datetime.date:
        """The date the earliest parameter takes effect (cached: every assessment asks for it)."""
        return min(p.versions[0].start for p in self.parameters.values())

    @property
    def change_dates(self) -> list[datetime.date]:
        return sorted({v.start for p in self.parameters.values() for v in p.versions})

    def at(self, as_of: datetime.date) -> ParameterView:
        return _view(self, as_of)

    def cite(self, source: str) -> str:
        """Expand a source like "m2017 第七条；t2015 第四条" to the documents' full titles plus the clauses."""
        parts = []
        for part in source.split("；"):
            key, _, clause = part.strip().partition(" ")
            document = self.documents.get(key)
            parts.append(f"{document}{clause}" if document else part.strip())
        return "；".join(parts)


@functools.lru_cache(maxsize=256)
def _view(parameters: ParameterSet, as_of: datetime.date) -> ParameterView:
    return ParameterView(parameters, as_of)


class ParameterView:
    """The parameters of a programme as in force on one date: ``view.max_employees`` → the value.

    Values are resolved once per (programme, date) — screening assesses many enterprises on one date.
    """

    def __init__(self, parameters: ParameterSet, as_of: datetime.date) -> None:
        self._set = parameters
        self.as_of = as_of
        self._values: dict[str, Any] = {}
        self._sources: dict[str, str] = {}  # citations, formatted once per (programme, date)
        for name, parameter in parameters.parameters.items():
            # A parameter not in force yet on this date is left out: asking for it raises (see __getattr__).
            with contextlib.suppress(ParameterError):
                self._values[name] = parameter.at(as_of).value
        # Values as plain attributes (``view.pass_score`` without a __getattr__ call), except names that would
        # hide a method or attribute of the view; those still come through __getattr__.
        own = set(dir(type(self))) | set(self.__dict__)
        self.__dict__.update({k: v for k, v in self._values.items() if k not in own})

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            return self.version(name).value

    def version(self, name: str) -> Version:
        try:
            parameter = self._set.parameters[name]
        except KeyError:
            raise ParameterError(f"{self._set.programme}: no parameter named {name!r}") from None
        return parameter.at(self.as_of)

    def source(self, name: str) -> str:
        """Return the full citation of the version of ``name`` in force: document title and clause."""
        try:
            return self._sources[name]
        except KeyError:
            citation = self._sources[name] = self._set.cite(self.version(name).source)
            return citation

    def label(self, name: str) -> str:
        return self._set.parameters[name].label


# --- loading ---------------------------------------------------------------------------------------------------


def load_file(path: Path) -> ParameterSet:
    """Parse and validate one parameter file; raise ParameterError naming the file and the entry at fault."""
    raw_bytes = path.read_bytes()
    try:
        raw = yaml.load(raw_bytes, Loader=_DecimalLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path.name}: not valid YAML: {exc}") from exc
    where = path.name
    _require(isinstance(raw, dict), where, "the file must be a mapping")
    for key in ("programme", "label", "parameters"):
        _require(key in raw, where, f"missing top-level key {key!r}")
    documents = {str(k): str(v) for k, v in (raw.get("documents") or {}).items()}
    parameters = {name: _parameter(f"{where}: {name}", name, spec, documents)
                  for name, spec in raw["parameters"].items()}
    _require(bool(parameters), where, "no parameters")
    return ParameterSet(str(raw["programme"]), str(raw["label"]), documents, parameters,
                        hashlib.sha256(raw_bytes).hexdigest()[:12])


@functools.cache
def parameter_set(programme: str) -> ParameterSet:
    """Return the (cached) parameters of ``programme`` from ``parameters/<programme>.yaml``."""
    path = PARAMETER_DIR / f"{programme}.yaml"
    if not path.exists():
        raise ParameterError(f"no parameter file for programme {programme!r}")
    return load_file(path)


def all_parameter_files() -> list[Path]:
    return sorted(PARAMETER_DIR.glob("*.yaml"))


def _parameter(where: str, name: str, spec: Any, documents: dict[str, str]) -> Parameter:
    _require(isinstance(spec, dict) and "label" in spec and "history" in spec, where,
             "a parameter needs 'label' and 'history'")
    history = spec["history"]
    _require(isinstance(history, list) and history, where, "'history' must be a non-empty list")
    unit = str(spec.get("unit", ""))
    versions = [_version(f"{where}[{i}]", entry, unit, documents) for i, entry in enumerate(history)]
    starts = [v.start for v in versions]
    _require(starts == sorted(starts) and len(set(starts)) == len(starts), where,
             "history entries must be in increasing 'from' order with no repeated date")
    return Parameter(name, str(spec["label"]), unit, tuple(versions))


def _version(where: str, entry: Any, unit: str, documents: dict[str, str]) -> Version:
    _require(isinstance(entry, dict), where, "each history entry must be a mapping")
    start = entry.get("from")
    _require(isinstance(start, datetime.date), where, "'from' must be a date (YYYY-MM-DD)")
    source = entry.get("source")
    _require(isinstance(source, str) and source.strip(), where, "'source' (document and clause) is required")
    key = source.split(" ", 1)[0]
    _require(not documents or key in documents or " " not in source, where,
             f"source {source!r} cites an unknown document key {key!r}")
    has_value, has_scale = "value" in entry, "scale" in entry
    _require(has_value != has_scale, where, "give exactly one of 'value' or 'scale'")
    value = _scale(where, entry["scale"], unit) if has_scale else _value(where, entry["value"])
    return Version(start, value, source)


def _scale(where: str, rows: Any, unit: str) -> Scale:
    _require(isinstance(rows, list) and rows, where, "'scale' must be a non-empty list of bands")
    bands = []
    for i, row in enumerate(rows):
        here = f"{where}.scale[{i}]"
        _require(isinstance(row, dict), here, "a band must be a mapping")
        grade = str(row.get("grade", ""))
        if "else" in row:
            _require(i == len(rows) - 1, here, "the 'else' band must come last")
            _require(set(row) <= {"else", "grade"}, here, "the 'else' band takes only a value (and a grade)")
            bands.append(Band("else", None, _value(here, row["else"]), grade))
            continue
        operators = [op for op in OPERATORS if op in row]
        _require(len(operators) == 1, here, "a band needs exactly one of ge/gt/le/lt")
        _require("value" in row, here, "a band needs a 'value'")
        _require(set(row) <= {operators[0], "value", "grade"}, here, f"unknown keys {sorted(row)}")
        bound = row[operators[0]]
        _require(isinstance(bound, Decimal), here, "a band edge must be a number")
        bands.append(Band(operators[0], bound, _value(here, row["value"]), grade))
    _require(bands[-1].operator == "else", where, "a scale must end with an 'else' band (edges are explicit)")
    return Scale(tuple(bands), unit)


def _value(where: str, value: Any) -> Any:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, Decimal) for v in value):
        _require(value[0] <= value[1], where, "a points range must be [low, high] with low ≤ high")
        return Points(value[0], value[1])
    _require(isinstance(value, Decimal | str | bool | list | dict), where, f"unsupported value {value!r}")
    return value


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ParameterError(f"{where}: {message}")


class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader that reads every number as an exact Decimal (0.3 stays 0.3, never 0.29999…)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:int", _decimal)


# --- formatting --------------------------------------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    return text.rstrip(".")


def _low(value: Any) -> Decimal:
    return value.low if isinstance(value, Points) else Decimal(value)


def format_number(value: Any, unit: str = "") -> str:
    """Return a number as the rules write it: ratios as percentages, money with its unit."""
    try:
        return _format_cached(value, unit)
    except TypeError:  # an unhashable value (a list): format it directly
        return _format_number(value, unit)


def _format_number(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, Points):
        return f"{value} 分"
    if isinstance(value, bool):
        return "是" if value else "否"
    if not isinstance(value, Decimal | int | float):
        return str(value)
    number = value if value.__class__ is Decimal else Decimal(str(value))
    if number.is_zero():
        number = abs(number)  # −0 prints as 0 (and equal values must print alike: the cache below)
    if unit == "ratio":
        return f"{_plain((number * _HUNDRED).quantize(_CENT))}%"
    if unit == "万元":
        return f"{_plain(number.quantize(_CENT))} 万元"
    return f"{_plain(number)}{(' ' + unit) if unit else ''}"


_CENT, _HUNDRED = Decimal("0.01"), Decimal(100)


# The same figures are formatted over and over (band edges, counts, the facts of one assessment in several
# texts); equal values of one type format alike, so the text is cached by (value, type, unit).
_format_cached = functools.lru_cache(maxsize=16384, typed=True)(_format_number)
