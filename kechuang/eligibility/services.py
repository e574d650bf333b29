"""State changes of the rules engine: saving an assessment, running a batch screening (both domain events).

``run_screening`` reads first and writes after: the registry facts of the scope are read and assessed (on
PostgreSQL, for a large scope, by one forked process per CPU core, each taking slices of enterprise ids as it is
free — the read needs no transaction, and a connection cannot be shared across a fork), then one transaction writes
the run, its entries (COPY / executemany) and the "screening" event with the rules version. Called inside a transaction
(a test, another service) it stays in one process and in that transaction.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from kechuang.audit.changelog import record_event
from kechuang.core.context import acting_as
from kechuang.eligibility.checks import FIRST_YEAR
from kechuang.eligibility.engine.programme import Programme, get_programme
from kechuang.eligibility.engine.result import Assessment
from kechuang.eligibility.models import SavedAssessment, ScreeningEntry, ScreeningRun
from kechuang.eligibility.registry_facts import Plan, RegistryFactsError, check_year, iter_registry_facts
from kechuang.eligibility.screening import ENTRY_VALUES, Screener, ScreeningError, Tally, screen_all

PARALLEL_MIN_ENTERPRISES = 20_000  # below this, forking costs more than it saves
SLICES_PER_WORKER = 4


@transaction.atomic
def save_assessment(result: Assessment, *, actor: Any, enterprise: Any = None, region: Any = None
                    ) -> SavedAssessment:
    """Keep an assessment (保存评估) with its facts and rules version, so it can be replayed; event "assessment"."""
    if enterprise is None and region is None:
        raise ValueError("保存评估须指明企业或所属区域。")
    with acting_as(actor):
        saved = SavedAssessment.objects.create(
            programme=result.programme, rules_version=result.rules_version, as_of=result.as_of,
            enterprise=enterprise, region_id=region.pk if region is not None else enterprise.region_id,
            eligible=result.eligible, facts=result.facts.as_json(), result=result.as_json(),
            actor=actor if getattr(actor, "pk", None) else None)
        record_event("assessment", obj=saved, actor=actor,
                     message=f"{result.label}：{result.verdict_text}",
                     data={"programme": result.programme, "rules_version": result.rules_version,
                           "as_of": result.as_of.isoformat(), "eligible": result.eligible,
                           "enterprise": enterprise.pk if enterprise is not None else None})
    return saved


def run_screening(programme: str | Programme, *, region: Any, year: int, as_of: datetime.date, actor: Any,
                  workers: int | None = None) -> ScreeningRun:
    """Screen every enterprise of ``region`` the actor may see for ``programme`` (批量筛选); return the run.

    ``region`` is a Region or a region code; ``actor`` None (a management command) screens the whole region.
    Raises ScreeningError, UnknownProgramme or RulesNotInForce — all bad input, nothing saved.
    """
    return run_screenings([programme], region=region, year=year, as_of=as_of, actor=actor, workers=workers)[0]


def run_screenings(programmes: Sequence[str | Programme], *, region: Any, year: int, as_of: datetime.date,
                   actor: Any, workers: int | None = None, worded: bool = False) -> list[ScreeningRun]:
    """Screen several programmes over one read of the registry facts; one run (and one event) each.

    Entries store numbers and facts; their texts are worded when shown (``screening.RunWording``).
    ``worded=True`` stores them at once, assessing every entry in full (the former way: tests compare with it).
    """
    screeners = [Screener(_programme(p), as_of, worded=worded) for p in programmes]
    year = _year(year, as_of)
    place = _region(region)
    enterprises = _scope(actor, place)
    started = timezone.now()
    tallies = _tallies(screeners, enterprises, year, as_of, workers)
    with transaction.atomic(), acting_as(actor):
        return [_save_run(tally, place, year, as_of, actor, started) for tally in tallies]


# --- input --------------------------------------------------------------------------------------------------------


def _programme(programme: str | Programme) -> Programme:
    return programme if isinstance(programme, Programme) else get_programme(programme)


def _year(year: int, as_of: datetime.date) -> int:
    try:
        year = check_year(year, as_of)
    except RegistryFactsError as exc:
        raise ScreeningError(exc.field, exc.message) from None
    if year < FIRST_YEAR:
        raise ScreeningError("year", f"数据年度 {year} 早于 {FIRST_YEAR} 年：平台只按 {FIRST_YEAR} 年起施行的规则筛选。")
    return year


def _region(region: Any) -> Any:
    from kechuang.regions.models import Region, normalize_region_code

    if isinstance(region, Region):
        return region
    try:
        code = normalize_region_code(str(region))
    except ValueError as exc:
        raise ScreeningError("region", str(exc)) from None
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise ScreeningError("region", f"区划代码 {region} 不存在。")
    return found


def _scope(actor: Any, region: Any) -> Any:
    """The enterprises of the region subtree, narrowed to what ``actor`` may view (all of them for None)."""
    from kechuang.enterprises.models import Enterprise

    enterprises = Enterprise.objects.restrict(actor, "view") if actor is not None else Enterprise.objects.all()
    return enterprises.in_region(region.prefix)


# --- reading and assessing ---------------------------------------------------------------------------------------


def _tallies(screeners: list[Screener], enterprises: Any, year: int, as_of: datetime.date,
             workers: int | None) -> list[Tally]:
    plan = Plan.for_names(frozenset().union(*(s.wanted for s in screeners)))
    workers = _worker_count(enterprises, workers)
    if workers <= 1:
        with _no_cycle_collection():
            return screen_all(screeners, iter_registry_facts(enterprises, year, as_of, plan=plan))
    return _parallel_tallies(screeners, enterprises, year, as_of, plan, workers)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while screening: a province allocates millions of short-lived,
    acyclic objects (freed by reference counting) while the list of kept outcomes grows, and the collector's
    repeated passes over that list cost about a tenth of the screening's CPU and free nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _worker_count(enterprises: Any, asked: int | None) -> int:
    """How many processes to use: one unless on PostgreSQL, outside a transaction and with a large scope."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1  # forked processes need their own connections: they cannot see an open transaction's rows
    if asked is not None:
        return max(1, asked)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores <= 1 or enterprises.count() < PARALLEL_MIN_ENTERPRISES:
        return 1
    return min(cores, 4)


_JOB: dict[str, Any] = {}  # what forked workers inherit: set just before the fork, cleared after


def _parallel_tallies(screeners: list[Screener], enterprises: Any, year: int, as_of: datetime.date, plan: Plan,
                      workers: int) -> list[Tally]:
    """Screen id slices of the scope in forked processes; merge their counts and kept outcomes.

    A few slices per process, taken as each process is free: a process slowed by the machine takes fewer, so
    the run does not wait on the slowest, and the slices done are merged while the others are screened."""
    slices = _id_slices(enterprises, workers * SLICES_PER_WORKER)
    _JOB.update(screeners=screeners, enterprises=enterprises, year=year, as_of=as_of, plan=plan)
    connections.close_all()  # each process opens its own connection
    tallies = [Tally.empty(s) for s in screeners]
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(slices))) as pool:
            for part in pool.imap_unordered(_screen_slice, slices):
                for tally, (count, counts, kept, assessed) in zip(tallies, part, strict=True):
                    tally.merge(Tally(tally.screener, counts, kept, count, assessed))
    finally:
        _JOB.clear()
    return tallies


def _id_slices(enterprises: Any, workers: int) -> list[tuple[int, int]]:
    from django.db.models import Max, Min

    bounds = enterprises.order_by().aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return [(0, -1)]
    step = (high - low) // workers + 1
    return [(start, min(start + step - 1, high)) for start in range(low, high + 1, step)]


def _screen_slice(bounds: tuple[int, int]) -> list[tuple[int, dict[str, int], dict[str, list[Any]], int]]:
    """In a worker process: screen the enterprises with ids in ``bounds``; return (count, counts, kept, assessed
    in full) for each screener."""
    job = _JOB
    try:
        rows = iter_registry_facts(job["enterprises"], job["year"], job["as_of"], plan=job["plan"], id_range=bounds)
        with _no_cycle_collection():
            tallies = screen_all(job["screeners"], rows)
        # The entries as COPY text already (forked workers run on PostgreSQL only): text crosses the process
        # boundary faster than Decimals, and the parent then only adds each entry's run and rank.
        for tally in tallies:
            tally.kept = {category: [(key, copy_text(values)) for key, values in kept]
                          for category, kept in tally.kept.items()}
        return [(t.enterprise_count, t.counts, t.kept, t.assessed) for t in tallies]
    finally:
        connections.close_all()


# --- writing -------------------------------------------------------------------------------------------------------

ENTRY_COLUMNS = ("run_id", "rank", *ENTRY_VALUES)


def _save_run(tally: Tally, region: Any, year: int, as_of: datetime.date, actor: Any,
              started: datetime.datetime) -> ScreeningRun:
    screener = tally.screener
    run = ScreeningRun.objects.create(
        programme=screener.programme.code, rules_version=screener.rules_version, year=year, as_of=as_of,
        region=region, actor=actor if getattr(actor, "pk", None) else None, started=started,
        finished=timezone.now(), enterprise_count=tally.enterprise_count, counts=tally.counts)
    written = _write_entries(run.pk, tally)
    record_event("screening", obj=run, actor=actor,
                 message=f"{screener.programme.label} {year} 年度批量筛选：{tally.enterprise_count} 家企业",
                 data={"programme": run.programme, "rules_version": run.rules_version, "year": year,
                       "as_of": as_of.isoformat(), "region": region.code, "counts": tally.counts,
                       "enterprise_count": tally.enterprise_count, "entries": written,
                       "assessed_in_full": tally.assessed})
    return run


def _write_entries(run_id: int, tally: Tally) -> int:
    """Insert the kept outcomes as ScreeningEntry rows with COPY (PostgreSQL) or executemany; return the count.

    The entry table has no database foreign keys (decision 0011, part 4): their deferred check of two triggers
    per row cost more than the COPY itself. The run is the row created just before, in this transaction, and the
    enterprises are those the run has just read."""
    quote = connection.ops.quote_name
    table = quote(ScreeningEntry._meta.db_table)
    columns = ", ".join(quote(c) for c in ENTRY_COLUMNS)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                lines = []
                for rank, values in tally.ranked():
                    text = values if values.__class__ is str else copy_text(values)
                    lines.append(f"{run_id}\t{rank}\t{text}\n")
                    if len(lines) == COPY_BATCH:
                        copy.write("".join(lines))
                        written += len(lines)
                        lines = []
                copy.write("".join(lines))
                written += len(lines)
        else:
            batch = [(run_id, rank, *values) for rank, values in tally.ranked()]
            placeholders = ", ".join(["%s"] * len(ENTRY_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)  # noqa: S608
            written = len(batch)
    return written


COPY_BATCH = 5000  # lines sent to COPY at a time
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(values: tuple[Any, ...]) -> str:
    """Return entry values (``ENTRY_VALUES``) as one line of PostgreSQL's COPY text format, without the newline:
    tab-separated, ``\\N`` for NULL, ``t``/``f``, numbers as ``str`` writes them, text with backslash, tab,
    newline and carriage return escaped."""
    fields = []
    for value in values:
        if value is None:
            fields.append("\\N")
        elif value is True or value is False:
            fields.append("t" if value else "f")
        elif value.__class__ is str:
            if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
                value = value.translate(_COPY_ESCAPES)
            fields.append(value)
        else:
            fields.append(str(value))  # int, Decimal (numeric input takes the exponent form str may choose)
    return "\t".join(fields)
