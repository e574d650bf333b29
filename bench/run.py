"""Run Kechuang's benchmarks: every `bench/bench_*.py` module, one JSON file per figure in bench/results/.

    .venv/bin/python bench/run.py [--db sqlite|postgres] [--only NAME ...]

Each module runs in its own child process (this same script with `--worker`) against its own throw-away,
freshly migrated database, so that one module's data cannot slow another's queries and each module's peak
memory is its own. A module defines `run(ctx)` and reports figures through `ctx.compare()` or
`ctx.record()`; a figure is a cost (lower is better) measured against a baseline in the same run, and it
passes when value ÷ baseline ≤ its target ratio. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
PG_URL = os.environ.get("KECHUANG_BENCH_PG_URL") or os.environ.get("PG_URL") or "postgres://postgres@127.0.0.1:5432"
PG_DB_NAME = f"kechuang_bench_{os.getpid()}"  # per run: two runs at once must not drop each other's database
UNIT_SCALE = {"s": 1.0, "ms": 1e3, "us": 1e6}  # seconds → unit, for the figures ctx.compare() times itself
FIGURE_KEYS = ("name", "dataset", "value", "baseline", "ratio", "target_ratio", "unit", "peak_rss_mb")


@dataclass
class Figure:
    name: str
    dataset: str
    value: float
    baseline: float
    ratio: float
    target_ratio: float
    unit: str
    peak_rss_mb: float | None  # filled in by the worker when the module is done, unless the module set it

    @property
    def passed(self) -> bool:
        return math.isfinite(self.ratio) and self.ratio <= self.target_ratio


def peak_rss_mb() -> float:
    """Return the peak resident set size, in MB, of this process or of any child it has waited for.

    RUSAGE_SELF is the worker process that ran the module (each module gets its own worker, so the figure is
    that module's peak, including Django's start-up and the migrations); RUSAGE_CHILDREN is the largest of the
    subprocesses the module ran and waited for (e.g. a server under load), if it ran any. ru_maxrss is in KiB
    on Linux and in bytes on macOS.
    """
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return round(peak / scale, 1)


def _signif(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}") if math.isfinite(x) else x


class Context:
    """What a benchmark module's `run(ctx)` gets: the database kind, timing helpers and the figure recorder."""

    def __init__(self, db: str, module: str, only: list[str] | None) -> None:
        self.db = db  # "sqlite" or "postgres"
        self.module = module  # the running module's short name: bench_X.py → "X"
        self.only = only
        self.figures: list[Figure] = []

    def wants(self, name: str) -> bool:
        """Return whether figure `name` was asked for: yes, unless --only named other figures of this module
        (a module can skip the set-up only those figures need)."""
        if not self.only or any(o in (self.module, f"bench_{self.module}") for o in self.only):
            return True
        return name in self.only

    @staticmethod
    def time_once(fn: Callable[[], Any], setup: Callable[[], Any] | None = None) -> float:
        """Return the seconds one call of `fn` takes, after an untimed call of `setup`."""
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    def time_pair(self, fn: Callable[[], Any], baseline: Callable[[], Any], *, repeat: int, warmup: int = 3,
                  setup: Callable[[], Any] | None = None, baseline_setup: Callable[[], Any] | None = None,
                  ) -> tuple[list[float], list[float]]:
        """Time `fn` and `baseline` `repeat` times each, interleaved (the order alternates every round, so
        drift in machine load hits both alike); return both lists of seconds. `setup` and `baseline_setup`
        run untimed before each call (e.g. to empty a table a bulk insert fills)."""
        for _ in range(warmup):
            self.time_once(fn, setup)
            self.time_once(baseline, baseline_setup)
        gc.collect()
        fn_times: list[float] = []
        base_times: list[float] = []
        for i in range(repeat):
            if i % 2 == 0:
                fn_times.append(self.time_once(fn, setup))
                base_times.append(self.time_once(baseline, baseline_setup))
            else:
                base_times.append(self.time_once(baseline, baseline_setup))
                fn_times.append(self.time_once(fn, setup))
        return fn_times, base_times

    def compare(self, name: str, fn: Callable[[], Any], baseline: Callable[[], Any], *, dataset: str,
                target_ratio: float, unit: str = "ms", repeat: int = 200, warmup: int = 3,
                setup: Callable[[], Any] | None = None, baseline_setup: Callable[[], Any] | None = None,
                ) -> Figure | None:
        """Time `fn` against `baseline` (interleaved, medians per call) and record figure `name`."""
        if not self.wants(name):
            return None
        fn_times, base_times = self.time_pair(fn, baseline, repeat=repeat, warmup=warmup, setup=setup,
                                              baseline_setup=baseline_setup)
        scale = UNIT_SCALE[unit]
        return self.record(name, value=statistics.median(fn_times) * scale,
                           baseline=statistics.median(base_times) * scale,
                           dataset=dataset, target_ratio=target_ratio, unit=unit)

    def record(self, name: str, *, value: float, baseline: float, dataset: str, target_ratio: float,
               unit: str, peak_rss_mb: float | None = None) -> Figure | None:
        """Record a figure the module measured itself (value and baseline from the same run, lower is
        better); the dataset is suffixed with the database kind."""
        if not self.wants(name):
            return None
        ratio = value / baseline if baseline > 0 else math.inf
        figure = Figure(name=name, dataset=f"{dataset}; {self.db}", value=_signif(value),
                        baseline=_signif(baseline), ratio=round(ratio, 4), target_ratio=target_ratio,
                        unit=unit, peak_rss_mb=peak_rss_mb)
        self.figures.append(figure)
        return figure


# --- Worker: one module, one throw-away database ------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database(db: str) -> Iterator[None]:
    """Point Django (through the environment) at a new empty database; drop it afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="kechuang-bench-"))
    os.environ["KECHUANG_VAR_DIR"] = str(tmp)  # media, static and the SQLite file stay out of var/
    admin_url = f"{PG_URL.rstrip('/')}/postgres"
    try:
        if db == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        else:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DB_NAME} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {PG_DB_NAME}")
            os.environ["DATABASE_URL"] = f"{PG_URL.rstrip('/')}/{PG_DB_NAME}"
        yield
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if db == "postgres":
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DB_NAME} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


def worker(module_name: str, db: str, only: list[str] | None, out: Path) -> int:
    """Set Django up on a throw-away database, run one module, write its figures to `out` as JSON."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "kechuang.settings"
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in connection.queries: slower, and it grows
    with throwaway_database(db):
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        sys.path.insert(0, str(BENCH_DIR))
        module = importlib.import_module(module_name)
        ctx = Context(db, module_name.removeprefix("bench_"), only)
        module.run(ctx)
    rss = peak_rss_mb()
    for figure in ctx.figures:
        if figure.peak_rss_mb is None:
            figure.peak_rss_mb = rss
    out.write_text(json.dumps([asdict(f) for f in ctx.figures], ensure_ascii=False))
    return 0


# --- Runner -------------------------------------------------------------------------------------------------


def discover() -> list[str]:
    """Return the module names of bench/bench_*.py, sorted."""
    return sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))


def select(modules: list[str], only: list[str] | None) -> list[str]:
    """Return the modules `--only` names: by short name (bench_X.py → X) or by a figure name X or X_…"""
    if not only:
        return modules
    short = {m: m.removeprefix("bench_") for m in modules}
    return [m for m in modules if any(o == short[m] or o == m or o.startswith(f"{short[m]}_") for o in only)]


def run_module(module: str, db: str, only: list[str] | None) -> list[Figure] | None:
    """Run one module in a child process; return its figures, or None if it failed."""
    with tempfile.TemporaryDirectory(prefix="kechuang-bench-out-") as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", module, "--db", db, "--out", str(out)]
        for o in only or []:
            cmd += ["--only", o]
        code = subprocess.run(cmd, cwd=REPO_DIR, check=False).returncode
        if code != 0 or not out.exists():
            print(f"!! {module}: worker exited with status {code}", file=sys.stderr)
            return None
        return [Figure(**row) for row in json.loads(out.read_text())]


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.4g}" if abs(x) < 1e5 else f"{x:,.0f}"


def print_table(figures: list[Figure]) -> None:
    rows = [("name", "value", "baseline", "unit", "ratio", "target", "peak MB", "result")]
    for f in figures:
        rows.append((f.name, _fmt(f.value), _fmt(f.baseline), f.unit, f"{f.ratio:.2f}", f"≤ {f.target_ratio:g}",
                     _fmt(f.peak_rss_mb or 0), "PASS" if f.passed else "FAIL"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = {1, 2, 4, 5, 6}
    for n, row in enumerate(rows):
        print("  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths,
                                                                                                   strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="a module (bench_X.py → X) or figure name; may be repeated")
    parser.add_argument("--worker", metavar="MODULE", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        return worker(args.worker, args.db, args.only, args.out)

    modules = select(discover(), args.only)
    if not modules:
        print(f"no benchmark matches {args.only}; available: {[m.removeprefix('bench_') for m in discover()]}",
              file=sys.stderr)
        return 2
    RESULTS_DIR.mkdir(exist_ok=True)
    if not args.only:  # a full run replaces every result, so a module that failed leaves no stale file
        for stale in RESULTS_DIR.glob("*.json"):
            stale.unlink()

    figures: list[Figure] = []
    failed_modules: list[str] = []
    for module in modules:
        print(f"== {module} · {args.db} ==", flush=True)
        started = time.perf_counter()
        result = run_module(module, args.db, args.only)
        if result is None:
            failed_modules.append(module)
            continue
        print(f"   {len(result)} figure(s) in {time.perf_counter() - started:.1f} s", flush=True)
        for figure in result:
            row = asdict(figure)
            assert tuple(row) == FIGURE_KEYS
            (RESULTS_DIR / f"{figure.name}.json").write_text(json.dumps(row, ensure_ascii=False, indent=2) + "\n",
                                                              encoding="utf-8")
        figures.extend(result)

    print()
    print_table(figures)
    missed = [f.name for f in figures if not f.passed]
    if args.only and not figures:
        print(f"\nno figure matches {args.only}", file=sys.stderr)
        return 2
    if missed or failed_modules:
        print(f"\nFAIL: targets missed: {missed or '-'}; modules failed: {failed_modules or '-'}")
        return 1
    print(f"\nall {len(figures)} figure(s) within target ({args.db}); results in {RESULTS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
