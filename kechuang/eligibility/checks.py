"""System check: every parameter file parses, and every programme resolves on every date it must serve.

A malformed parameter file fails ``manage.py check`` (and so start-up, tests and deploy) with the file and the
entry at fault, instead of failing one assessment at run time.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core import checks

FIRST_YEAR = 2016  # the platform answers questions about 2016 onward (ARCHITECTURE.md; issue 4)


@checks.register()
def check_parameter_tree(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from kechuang.eligibility.engine.params import ParameterError, all_parameter_files, load_file
    from kechuang.eligibility.engine.programme import REGISTRY

    errors: list[checks.CheckMessage] = []
    for path in all_parameter_files():
        try:
            load_file(path)
        except ParameterError as exc:
            errors.append(checks.Error(f"参数文件无效：{exc}", id="eligibility.E001", obj=path.name))
    if errors:
        return errors
    for programme in REGISTRY.values():
        errors.extend(_resolves_every_year(programme))
    return errors


def dates_to_resolve(first: datetime.date, today: datetime.date) -> list[datetime.date]:
    """Return 1 January and 31 December of every year from the first in force (2016 at the earliest) to today."""
    start = max(first, datetime.date(FIRST_YEAR, 1, 1))
    days = [start]
    for year in range(start.year, today.year + 1):
        days += [datetime.date(year, 1, 1), datetime.date(year, 12, 31)]
    return sorted({d for d in days if start <= d <= today} | {today})


def _resolves_every_year(programme: Any) -> list[checks.CheckMessage]:
    from kechuang.eligibility.engine.params import ParameterError

    errors = []
    today = datetime.date.today()
    try:
        first = programme.first_date
        days = dates_to_resolve(first, today)
        for day in days:
            programme.formula_at(day)
            view = programme.params.at(day)
            for name in programme.params.parameters:
                view.version(name)
    except (ParameterError, ValueError) as exc:
        errors.append(checks.Error(f"“{programme.label}”的参数无法解析：{exc}", id="eligibility.E002",
                                   obj=programme.code))
    return errors
