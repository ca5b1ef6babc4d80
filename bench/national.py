"""The national dataset: `flask demo seed` run for real, once, and kept while it still fits.

Ten years of England and Wales is about 500,000 detentions. Seeding that many takes minutes,
so the schema (or SQLite file) keeps a note of what was seeded with which code and schema; a
later run reuses it when the note matches and seeds again when anything changed.
"""
import hashlib
import subprocess

from bench.processes import ROOT, flask_command

FULL_DETENTIONS = 500_000
QUICK_DETENTIONS = 2_000
SEED = 1


def _code_fingerprint():
    """What the seeded rows depend on: the seed's code and the migrations."""
    digest = hashlib.sha1()
    for path in sorted([ROOT / "demo" / "seed.py", *(ROOT / "migrations" / "versions").glob("*.py")]):
        if not path.exists():
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def note_for(detentions):
    return f"flask demo seed --detentions {detentions} --seed {SEED}; code {_code_fingerprint()}"


def ensure_seeded(databases, namespace, detentions, context):
    """`namespace` holding `flask demo seed --detentions N --seed 1`; seeds it when needed."""
    note = note_for(detentions)
    if databases.note(namespace) == note:
        context.log(f"{namespace}: reusing {detentions:,} seeded detentions ({databases.dialect})")
        return False
    context.log(f"{namespace}: seeding {detentions:,} detentions with flask demo seed ({databases.dialect}); "
                "minutes at full scale, once")
    databases.recreate(namespace)
    log_path = context.results / f"seed-{namespace}-{databases.dialect}.log"
    command = flask_command("demo", "seed", "--detentions", str(detentions), "--seed", str(SEED))
    with open(log_path, "wb") as log:
        seeded = subprocess.run(command, cwd=ROOT, env=_env(databases, namespace), stdout=log,
                                stderr=subprocess.STDOUT, timeout=3600)
    if seeded.returncode != 0:
        raise RuntimeError(f"`flask demo seed` failed (exit {seeded.returncode}): "
                           f"{log_path.read_text()[-400:].strip()} [log: {log_path}]")
    _analyse(databases, namespace)
    databases.set_note(namespace, note)
    return True


def _env(databases, namespace):
    import os
    return {**os.environ, **databases.environment(namespace)}


def _analyse(databases, namespace):
    """Fresh planner statistics, as autovacuum would give a table that big soon after loading."""
    from sqlalchemy import create_engine, text
    engine = create_engine(databases.url(namespace))
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
