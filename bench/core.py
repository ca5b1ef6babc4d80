"""The harness: each benchmark is a function that returns figures, each figure may carry a target.

A figure with a target is met when its value is at most the target (every target in the issue
is an upper bound: seconds, milliseconds, megabytes, a ratio). Its ratio is value / target, so
1.0 is exactly on target and anything above it is a miss. A benchmark declares the names of its
targeted figures up front: if it crashes, its targets still count, as not met, so `N of M` never
quietly shrinks.
"""
import statistics
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: float | None = None
    note: str = ""

    @property
    def ratio(self):
        if self.target is None or self.value is None:
            return None
        return self.value / self.target

    @property
    def met(self):
        if self.target is None:
            return None
        return self.value is not None and self.value <= self.target

    def as_json(self):
        return {"name": self.name, "value": self.value, "unit": self.unit, "target": self.target,
                "ratio": self.ratio, "met": self.met, "note": self.note}


@dataclass(frozen=True)
class Benchmark:
    name: str
    run: Callable
    targets: tuple
    description: str


BENCHMARKS = {}


def benchmark(name, targets=(), description=""):
    """Register `run(context) -> [Figure]` under `name`; `targets` names its targeted figures."""
    def register(run):
        BENCHMARKS[name] = Benchmark(name, run, tuple(targets), description or (run.__doc__ or "").strip())
        return run
    return register


@dataclass
class Outcome:
    benchmark: Benchmark
    figures: list = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    load_before: float = 0.0   # the machine's 1-minute load average: others share these cores
    load_after: float = 0.0

    def targeted(self):
        """{target name: met?} for every target the benchmark declared."""
        by_name = {f.name: f for f in self.figures}
        return {name: bool(by_name[name].met) if name in by_name else False for name in self.benchmark.targets}


def summary(outcomes):
    met = sum(sum(o.targeted().values()) for o in outcomes)
    total = sum(len(o.benchmark.targets) for o in outcomes)
    return met, total


def percentile(values, percent):
    """Nearest-rank percentile, the value at rank ceil(percent/100 * n) (as the pack defines p90).
    Integer arithmetic: 0.99 * 1000 in floating point is 990.0000000000001, one rank too far."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, (len(ordered) * percent + 99) // 100)
    return ordered[rank - 1]


def median(values):
    return statistics.median(values) if values else None
