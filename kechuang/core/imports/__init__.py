"""Reusable Excel import pipeline: safety gate → read → parse by schema → bulk upsert with change log.

Modules: `safety` (the gate), `reader` (python-calamine), `schema` (columns and parsers), `pipeline`
(`run_import`), `upsert` (the bulk write), `report` (error lines and workbook), `template` (the downloadable
template), `region_schema` (the first schema). Import from the modules: this package stays empty because
`kechuang.core.models` imports `imports.choices` while the apps are still loading.
"""
