"""`python -m bench` (what `make bench` runs): every benchmark, each figure beside its target and
the ratio, then `N of M targets met`.

    python -m bench                 # full scale (national: 500,000 detentions); tens of minutes
    python -m bench --quick         # tiny scale, a smoke run: figures, not verdicts
    python -m bench --only web pack # some of them
    python -m bench --profile       # also write a pyinstrument profile of each timed piece

BENCH_DATABASE_URL names the benchmarks' own database (default: bench_dev on the local
PostgreSQL); it is never the shared `test` database. Results go to bench/results/ as JSON.
"""
import argparse
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bench.core import BENCHMARKS, Outcome, summary
from bench.databases import DEFAULT_URL, Databases

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Context:
    quick: bool
    db: Databases          # the bench database (PostgreSQL unless told otherwise)
    sqlite: Databases      # SQLite files under the results folder, for the SQLite figures
    results: Path
    profile: bool

    def namespace(self, name):
        """Quick runs keep their data apart, so a smoke run never clobbers the national seed."""
        return f"quick_{name}" if self.quick else name

    def log(self, message):
        print(f"  · {message}", file=sys.stderr, flush=True)


def _load_benchmarks():
    # Importing registers them; order here is the order they run and print in.
    from bench import web  # noqa: F401
    for optional in ("bench.sweep", "bench.lateness", "bench.pack"):
        try:
            __import__(optional)
        except ModuleNotFoundError as missing:
            if not missing.name.startswith("bench"):
                raise


def run(names, context):
    outcomes = []
    for name in names:
        bench = BENCHMARKS[name]
        print(f"== {name}: {bench.description}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        outcome = Outcome(bench)
        outcome.load_before = os.getloadavg()[0]
        try:
            outcome.figures = bench.run(context)
        except Exception as error:  # noqa: BLE001 - one broken benchmark must not hide the others
            outcome.error = f"{type(error).__name__}: {error}"
            traceback.print_exc()
        outcome.seconds = time.perf_counter() - started
        outcome.load_after = os.getloadavg()[0]
        outcomes.append(outcome)
        print_outcome(outcome)
    return outcomes


def _number(value):
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 else f"{value:,.1f}"


def print_outcome(outcome):
    name = outcome.benchmark.name
    for figure in outcome.figures:
        verdict = "" if figure.met is None else ("met" if figure.met else "NOT MET")
        target = f"≤ {_number(figure.target)} {figure.unit}" if figure.target is not None else ""
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else ""
        note = f"  ({figure.note})" if figure.note else ""
        print(f"{name:<9} {figure.name:<34} {_number(figure.value):>10} {figure.unit:<6} "
              f"{target:<16} {ratio:>6} {verdict:<7}{note}", flush=True)
    print(f"{name:<9} (took {outcome.seconds:.0f}s; machine load average {outcome.load_before:.1f} before, "
          f"{outcome.load_after:.1f} after, on {os.cpu_count()} cores)", flush=True)
    if outcome.error:
        print(f"{name:<9} FAILED: {outcome.error}", flush=True)
        for target in outcome.benchmark.targets:
            print(f"{name:<9} {target:<34} {'-':>10} {'':<6} {'':<16} {'':>6} NOT MET", flush=True)


def save(outcomes, context, met, total):
    context.results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc)
    document = {
        "at": stamp.isoformat(), "quick": context.quick, "database": context.db.dialect,
        "machine": {"cpus": os.cpu_count()}, "met": met, "targets": total,
        "benchmarks": [{"name": o.benchmark.name, "seconds": round(o.seconds, 1), "error": o.error,
                        "load_average": [o.load_before, o.load_after],
                        "figures": [f.as_json() for f in o.figures]} for o in outcomes],
    }
    path = context.results / f"{'quick' if context.quick else 'full'}-{stamp:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(document, indent=2))
    (context.results / f"latest-{'quick' if context.quick else 'full'}.json").write_text(json.dumps(document, indent=2))
    return path


def main(argv=None):
    _load_benchmarks()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny scale: checks the benchmarks run")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these")
    parser.add_argument("--profile", action="store_true", help="write pyinstrument profiles to the results folder")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where JSON results and logs go")
    args = parser.parse_args(argv)

    args.results.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not database_url.startswith("postgresql"):
        parser.error("BENCH_DATABASE_URL must be a PostgreSQL database: the targets are PostgreSQL's "
                     "(the SQLite figures use files of their own under the results folder)")
    context = Context(quick=args.quick, db=Databases(database_url, args.results / "instance"),
                      sqlite=Databases.sqlite_in(args.results / "sqlite", args.results / "instance"),
                      results=args.results, profile=args.profile)
    names = [name for name in BENCHMARKS if not args.only or name in args.only]
    outcomes = run(names, context)
    met, total = summary(outcomes)
    path = save(outcomes, context, met, total)
    print(f"(results: {path})")
    print(f"{met} of {total} targets met")
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
