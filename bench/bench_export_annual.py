"""Export 200,000 annual-data rows with `write_export` versus a bare xlsxwriter `constant_memory` write.

Issue 3, "Speed": an export of 200,000 rows takes at most 1.5 × a bare xlsxwriter `constant_memory` write of
the same rows, measured in the same run.

- Data: the national regions, 40,000 enterprises in Jiangsu's counties and their figures for 5 years
  (200,000 EnterpriseYear rows, every one of the 21 figures filled), inserted with bulk SQL.
- Value: `kechuang.enterprises.exports.write_export("annual", EnterpriseYear.objects.all(), out)`: the
  `annual` import template (credit code, year, 21 figures), rows fetched with `values_list` in chunks of 5,000.
- Baseline: the same `values_list` query (same paths, same `order_by("pk")`, same chunked iterator), written
  with xlsxwriter in `constant_memory` mode with the same workbook options and header row, one
  `write_row()` per row with the database values as they come (Decimal, int, str; None → blank). So the
  difference is the export's own per-cell handling.
- After the timed runs both files are read back with python-calamine and must hold the same cells.
- `REPEAT` runs of each, interleaved (the order alternates); the figure is the best run of each (one export
  takes 20–50 s on this shared 2-core machine, so more runs would not fit the ~5 minute budget).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchdata import (
    YEARS,
    Stopwatch,
    annual_rows,
    enterprise_ids,
    insert_annual,
    insert_enterprises,
    leaf_regions,
    load_national_regions,
)

ENTERPRISES = 40_000
ROWS = ENTERPRISES * len(YEARS)  # 200,000
REPEAT = 2


def run(ctx: Any) -> None:
    if not ctx.wants("export_annual"):
        return
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from kechuang.enterprises.exports import SPECS, write_export
    from kechuang.enterprises.imports import SCHEMAS
    from kechuang.enterprises.models import EnterpriseYear

    watch = Stopwatch("export_annual")
    load_national_regions()
    counties = leaf_regions("32")
    usccs = insert_enterprises([counties[i % len(counties)] for i in range(ENTERPRISES)])
    assert insert_annual(annual_rows(usccs), enterprise_ids()) == ROWS
    watch.lap(f"{ENTERPRISES:,} enterprises, {ROWS:,} enterprise-years")

    tmp = Path(tempfile.mkdtemp(prefix="kechuang-bench-export-"))
    try:
        ours, bare = tmp / "export.xlsx", tmp / "bare.xlsx"
        paths = SPECS["annual"].paths
        headers = [column.header for column in SCHEMAS["annual"].columns]
        label = SCHEMAS["annual"].label[:31]

        def value() -> None:
            assert write_export("annual", EnterpriseYear.objects.all(), ours) == ROWS

        def baseline() -> None:
            workbook = xlsxwriter.Workbook(str(bare), {"constant_memory": True, "strings_to_formulas": False,
                                                       "strings_to_urls": False, "strings_to_numbers": False})
            sheet = workbook.add_worksheet(label)
            sheet.write_row(0, 0, headers)
            rows = EnterpriseYear.objects.all().order_by("pk").values_list(*paths).iterator(chunk_size=5000)
            for n, row in enumerate(rows, start=1):
                sheet.write_row(n, 0, row)
            workbook.close()

        fn_times, base_times = ctx.time_pair(value, baseline, repeat=REPEAT, warmup=0)
        watch.lap(f"{REPEAT} runs each")
        print(f"   export runs (s): {[round(t, 2) for t in fn_times]}; baseline runs (s): "
              f"{[round(t, 2) for t in base_times]}", flush=True)

        def cells(path: Path) -> list[list[Any]]:
            with CalamineWorkbook.from_path(str(path)) as workbook:
                return workbook.get_sheet_by_index(0).to_python()

        ours_cells, bare_cells = cells(ours), cells(bare)
        assert len(ours_cells) == ROWS + 1 and ours_cells == bare_cells, "the two exports differ"
        del ours_cells, bare_cells
        watch.lap(f"files of the last runs checked equal ({ours.stat().st_size / 2**20:.1f} MB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ctx.record("export_annual", value=min(fn_times), baseline=min(base_times),
               target_ratio=1.5, unit="s",
               dataset=f"annual template, {ROWS:,} rows × {len(paths)} columns ({ENTERPRISES:,} enterprises × "
                       f"{len(YEARS)} years); baseline bare xlsxwriter constant_memory write_row of the same "
                       f"values_list; best of {REPEAT} interleaved runs")
