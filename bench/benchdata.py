"""Data-set builders shared by the enterprise benchmarks (not a benchmark itself: no `bench_` prefix).

Everything here is set-up, never the code under test: rows go in with bulk SQL (COPY on PostgreSQL, one
`executemany` in a transaction on SQLite), bypassing the ORM, the change log and the import pipeline, so that
building 500,000 enterprises takes seconds. Values are handed to the database ready to store (money as
``"12345.67"`` strings, dates as ISO strings), which both backends accept for their column types.

Import Django and the project's models inside the functions: a bench module is imported after django.setup().
"""

from __future__ import annotations

import json
import math
import random
import resource
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# The annual figures in template order (kechuang.enterprises.imports.ANNUAL_FIGURES), and which are counts.
COUNT_FIGURES = ("employees", "tech_staff", "rd_staff", "ip_class1", "ip_class2", "results_converted",
                 "standards_led")
YEARS = (2020, 2021, 2022, 2023, 2024)
NANJING = "3201"

_WORDS = ("华", "宁", "苏", "金", "紫", "瑞", "博", "创", "智", "芯", "恒", "信", "新", "源", "达", "通", "科",
          "汇", "远", "航", "星", "东", "海", "光", "德", "和", "泰", "晶", "云", "数")
_TRADES = ("科技", "电子", "软件", "生物", "材料", "智能", "医药", "机械", "环保", "能源", "信息", "光电")


# --- bulk SQL -----------------------------------------------------------------------------------------------


def bulk_insert(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (values for the attnames `columns`, ready to store) into `model`'s table; every other
    column gets the field's default (timestamps: now). Return the number of rows."""
    from django.db import connections, router, transaction
    from django.db.models import JSONField
    from django.db.models.fields import AutoFieldMixin
    from django.utils import timezone

    using = router.db_for_write(model)
    connection = connections[using]
    meta = model._meta
    given = set(columns)
    now = timezone.now()
    extra_fields, extra_values = [], []
    for field in meta.concrete_fields:
        if field.attname in given or (field.primary_key and isinstance(field, AutoFieldMixin)):
            continue
        if field.name in ("created", "last_updated"):
            value = field.get_db_prep_save(now, connection)
        elif isinstance(field, JSONField):
            value = json.dumps(field.get_default())
        elif field.has_default():
            value = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            value = None
        else:
            value = ""
        extra_fields.append(field.column)
        extra_values.append(value)
    quote = connection.ops.quote_name
    names = [next(f.column for f in meta.concrete_fields if f.attname == a) for a in columns] + extra_fields
    column_list = ", ".join(quote(c) for c in names)
    table = quote(meta.db_table)
    tail = tuple(extra_values)
    count = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *tail))
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(names))

            def stream() -> Iterator[tuple[Any, ...]]:
                nonlocal count
                for row in rows:
                    count += 1
                    yield (*row, *tail)

            cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", stream())
    return count


def analyze() -> None:
    """Refresh the planner statistics after a bulk load (autovacuum would, a while later)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def truncate(model: Any) -> None:
    """Empty `model`'s table with plain SQL (no change log: the ORM's delete() would write one per row)."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")


# --- regions and enterprises ----------------------------------------------------------------------------


def load_national_regions(*, nanjing_streets: bool = False) -> None:
    """Load the shipped national province/city/county list (and Nanjing's streets) the way production does."""
    from kechuang.regions.services import NATIONAL_FILE, load_regions, read_region_file, street_file

    load_regions(read_region_file(NATIONAL_FILE), actor=None, source="bench")
    if nanjing_streets:
        load_regions(read_region_file(street_file(NANJING)), actor=None, source="bench")


def leaf_regions(prefix: str) -> list[str]:
    """Return the codes of the regions under `prefix` that have no children (counties, or streets where the
    streets are loaded), sorted."""
    from kechuang.regions.models import Region

    rows = list(Region.objects.filter(code__startswith=prefix).values_list("code", "parent_id"))
    parents = {parent for _code, parent in rows if parent}
    return sorted(code for code, _parent in rows if code not in parents)


def enterprise_name(rng: random.Random, serial: int) -> str:
    return f"{rng.choice(_WORDS)}{rng.choice(_WORDS)}{rng.choice(_TRADES)}有限公司{serial:07d}"


def insert_enterprises(regions: Sequence[str], *, seed: int = 1, first_serial: int = 1) -> list[str]:
    """Insert one enterprise per entry of `regions` (its region code); return their credit codes in order."""
    from kechuang.enterprises.models import Enterprise
    from kechuang.enterprises.testing import make_uscc

    rng = random.Random(seed)
    codes = [make_uscc(first_serial + i, region[:6]) for i, region in enumerate(regions)]

    def rows() -> Iterator[tuple[Any, ...]]:
        for i, (code, region) in enumerate(zip(codes, regions, strict=True)):
            industry = rng.choice(("39", "65", "27", "34", "38", "73"))
            yield (code, enterprise_name(rng, first_serial + i), region, industry, "C" if industry < "50" else "I")

    bulk_insert(Enterprise, ("uscc", "name", "region_id", "industry_code", "industry_section"), rows())
    return codes


def enterprise_ids() -> dict[str, int]:
    from kechuang.enterprises.models import Enterprise

    return dict(Enterprise._base_manager.values_list("uscc", "id"))


# --- annual figures ---------------------------------------------------------------------------------------


def annual_figures(rng: random.Random) -> list[int]:
    """Return one enterprise-year's 21 figures in template order: counts as int, money as int cents (万元 × 100).

    Every row passes `annual_problems`: parts never exceed their whole, net assets = assets − liabilities.
    """
    r = rng.random

    def spread(low: int, high: int) -> int:  # log-uniform: most enterprises are small, a few are large
        return int(math.exp(math.log(low) + r() * (math.log(high) - math.log(low))))

    employees = 5 + int(r() * 3000)
    tech_staff = int(r() * employees)
    rd_staff = int(r() * tech_staff)
    sales = spread(10_000, 500_000_000)  # 100.00 … 5,000,000.00 万元
    main = int(sales * r())
    total_income = sales + int(r() * sales * 0.2)
    hightech = int(total_income * r())
    rd = int(sales * r() * 0.1)
    rd_domestic = int(rd * r())
    rd_commissioned = int(rd * r() * 0.5)
    total_cost = int(sales * (0.5 + r() * 0.6))
    assets = spread(10_000, 1_000_000_000)
    liabilities = int(assets * r())
    net = assets - liabilities
    profit = sales - total_cost
    tax = int(sales * r() * 0.08)
    exports = int(sales * r() * 0.3)
    return [employees, tech_staff, rd_staff, sales, main, total_income, hightech, rd, rd_domestic,
            rd_commissioned, total_cost, assets, liabilities, net, profit, tax, exports,
            int(r() * 20), int(r() * 60), int(r() * 10), int(r() * 3)]


def annual_rows(usccs: Sequence[str], years: Sequence[int] = YEARS, *, seed: int = 7
                ) -> Iterator[tuple[str, int, list[int]]]:
    """Yield (credit code, year, figures) for every enterprise and year, year by year."""
    rng = random.Random(seed)
    for year in years:
        for code in usccs:
            yield code, year, annual_figures(rng)


def money_flags() -> list[bool]:
    """Return, for each of the 21 figures in template order, whether it is money (else a count)."""
    from kechuang.enterprises.imports import ANNUAL_FIGURES

    keys = [key for key, _header, _parser in ANNUAL_FIGURES]
    assert len(keys) == 21 and set(COUNT_FIGURES) <= set(keys), keys
    return [key not in COUNT_FIGURES for key in keys]


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="企业年度数据" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '</styleSheet>')
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def write_annual_workbook(path: Path, usccs: Sequence[str], years: Sequence[int] = YEARS, *, seed: int = 7
                          ) -> int:
    """Write the annual import template filled with `annual_rows(usccs, years)`; return the data row count.

    The .xlsx is written directly (zipfile + XML, ≈ 5× faster than xlsxwriter for 4.6 million cells) and is
    shaped like one Excel saves: text in the shared-string table (each credit code once), canonical
    ``<c r="B7">`` cells, numbers as number cells with up to two decimals, no formulas.
    """
    import zipfile
    from xml.sax.saxutils import escape

    from kechuang.enterprises.imports import SCHEMAS

    headers = [column.header for column in SCHEMAS["annual"].columns]
    money = money_flags()
    strings = [*headers, *usccs]
    index = {code: len(headers) + i for i, code in enumerate(usccs)}
    letters = [chr(65 + i) if i < 26 else "A" + chr(65 + i - 26) for i in range(len(headers))]
    last = f"{letters[-1]}{len(usccs) * len(years) + 1}"
    count = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
        archive.writestr("xl/sharedStrings.xml",
                         f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN_NS}" '
                         f'count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            head = "".join(f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate(letters))
            sheet.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                         f'xmlns="{_MAIN_NS}"><dimension ref="A1:{last}"/><sheetData>'
                         f'<row r="1">{head}</row>').encode())
            figure_cols = list(zip(letters[2:], money, strict=True))
            chunk: list[str] = []
            for count, (code, year, figures) in enumerate(annual_rows(usccs, years, seed=seed), start=1):
                n = count + 1
                cells = "".join(f'<c r="{col}{n}"><v>{value / 100 if is_money else value}</v></c>'
                                for (col, is_money), value in zip(figure_cols, figures, strict=True))
                chunk.append(f'<row r="{n}"><c r="A{n}" t="s"><v>{index[code]}</v></c>'
                             f'<c r="B{n}"><v>{year}</v></c>{cells}</row>')
                if len(chunk) == 5000:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return count


def insert_annual(rows: Iterable[tuple[str, int, list[int]]], ids: dict[str, int], *, source: str = "import"
                  ) -> int:
    """Insert annual figures straight into EnterpriseYear (set-up for the export benchmark)."""
    from kechuang.enterprises.imports import ANNUAL_FIGURES
    from kechuang.enterprises.models import EnterpriseYear

    money = money_flags()
    keys = [key for key, _header, _parser in ANNUAL_FIGURES]

    def stream() -> Iterator[tuple[Any, ...]]:
        for code, year, figures in rows:
            values = [f"{v / 100:.2f}" if m else v for v, m in zip(figures, money, strict=True)]
            yield (ids[code], year, *values, source)

    return bulk_insert(EnterpriseYear, ("enterprise_id", "year", *keys, "source"), stream())


# --- qualifications ----------------------------------------------------------------------------------------


def insert_qualifications(enterprise_ids: Sequence[int], kind: Any, *, today: date, max_age_days: int,
                          prefix: str, seed: int) -> int:
    """Give each of `enterprise_ids` one qualification of `kind` granted within `max_age_days` before `today`
    (some are expired by today, as in a real register); numbers are unique per kind."""
    from kechuang.enterprises.models import Qualification

    rng = random.Random(seed)

    def rows() -> Iterator[tuple[Any, ...]]:
        for n, pk in enumerate(enterprise_ids):
            granted = today - timedelta(days=int(rng.random() * max_age_days))
            valid_to = kind.valid_until(granted)
            yield (pk, kind.pk, f"{prefix}{n:08d}", granted.isoformat(), granted.isoformat(),
                   valid_to.isoformat() if valid_to else None, "valid")

    return bulk_insert(Qualification, ("enterprise_id", "kind_id", "number", "granted_on", "valid_from",
                                       "valid_to", "status"), rows())


# --- measuring ---------------------------------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / (1024 * 1024)


class RssSampler:
    """Sample this process's resident set every `interval` seconds while a call runs; `peak_mb` is the largest.

    Linux only (/proc/self/statm). It sees the whole process, so it includes whatever was resident before.
    """

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self.peak_mb = _rss_mb()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        self.peak_mb = max(self.peak_mb, _rss_mb())


def sampled(fn: Callable[[], Any], peaks: list[float]) -> Callable[[], Any]:
    """Wrap `fn` so that each call appends its sampled peak RSS (MB) to `peaks`."""

    def call() -> Any:
        with RssSampler() as sampler:
            result = fn()
        peaks.append(sampler.peak_mb)
        return result

    return call


class Stopwatch:
    """Print how long each set-up step took (so a slow set-up is visible in the bench output)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        print(f"   [{self.label}] {what}: {now - self.start:.1f} s", flush=True)
        self.start = now


def interleaved(value: Callable[[], Any], baseline: Callable[[], Any], runs: int, *,
                before: Callable[[], Any] | None = None, lap: Callable[[int, float, float], None] | None = None
                ) -> tuple[list[float], list[float]]:
    """Time `value` and `baseline` `runs` times each, alternating which goes first (the machine's drift falls on
    both); `before` runs untimed before each pair, `lap(run, value s, baseline s)` after it. Return both times."""
    value_times: list[float] = []
    base_times: list[float] = []
    for i in range(runs):
        if before is not None:
            before()
        pair = [(value, value_times), (baseline, base_times)]
        for fn, times in (pair if i % 2 == 0 else pair[::-1]):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        if lap is not None:
            lap(i + 1, value_times[-1], base_times[-1])
    return value_times, base_times


def nanjing_heavy_regions(rng: random.Random, total: int, nanjing_share: float) -> tuple[list[str], int, int]:
    """Load the national regions (with Nanjing's streets) and draw `total` Jiangsu leaf regions, a share of them
    Nanjing streets; return (the regions drawn, how many Nanjing streets, how many other counties there are)."""
    load_national_regions(nanjing_streets=True)
    leaves = leaf_regions("32")
    nanjing = [code for code in leaves if code.startswith(NANJING)]
    others = [code for code in leaves if not code.startswith(NANJING)]
    regions = [rng.choice(nanjing) if rng.random() < nanjing_share else rng.choice(others) for _ in range(total)]
    return regions, len(nanjing), len(others)
