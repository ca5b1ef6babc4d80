"""`python -m bench --quick`: every benchmark runs at a tiny scale and reports its figures.

Not a timing test: CI machines are shared, so nothing here asserts how fast anything was.
It checks that each benchmark still runs against the code as it is (the registry, the seeds,
gunicorn, the worker and the fake provider, the pack) and that the summary line counts every
target. The benchmarks get a throwaway PostgreSQL database of their own, never the suite's:
CI has the local PostgreSQL server running on both of its passes.
"""
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bench.core import BENCHMARKS
from bench.databases import DEFAULT_URL, Databases

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench_database_url(database_url, tmp_path):
    """A PostgreSQL database made for this run (the benchmarks measure PostgreSQL, and SQLite
    files of their own): on the suite's server, or the local one when the suite runs on SQLite."""
    url = make_url(database_url)
    server = url if url.get_backend_name() == "postgresql" else make_url(DEFAULT_URL)
    own = server.set(database=f"bench_smoke_{uuid.uuid4().hex[:8]}").render_as_string(hide_password=False)
    yield own
    Databases(own, tmp_path / "instance").drop_database()


@pytest.mark.slow
def test_every_benchmark_runs_at_quick_scale_and_reports_its_figures(bench_database_url, tmp_path):
    results = tmp_path / "results"
    env = {**os.environ, "BENCH_DATABASE_URL": bench_database_url}
    run = subprocess.run([sys.executable, "-m", "bench", "--quick", "--results", str(results)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr[-5000:]

    from bench.__main__ import _load_benchmarks
    _load_benchmarks()
    declared = sum(len(b.targets) for b in BENCHMARKS.values())
    last = run.stdout.strip().splitlines()[-1]
    assert re.fullmatch(rf"\d+ of {declared} targets met", last), run.stdout

    document = json.loads((results / "latest-quick.json").read_text())
    assert [b["name"] for b in document["benchmarks"]] == list(BENCHMARKS)
    for ran in document["benchmarks"]:
        assert ran["error"] is None, ran
        figures = {f["name"]: f for f in ran["figures"]}
        for target in BENCHMARKS[ran["name"]].targets:
            assert isinstance(figures[target]["value"], float | int), figures[target]
            assert figures[target]["ratio"] == pytest.approx(figures[target]["value"] / figures[target]["target"])
            assert f"{ran['name']:<9} {target}" in run.stdout
