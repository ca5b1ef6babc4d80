"""flask demo seed [--detentions N] [--seed S] [--days D]; flask demo contacts."""
import time

import click
from flask import current_app
from sqlalchemy import text

from alerts.demo import seed_demo_contacts
from core.db import db
from custody import suites as suite_service
from demo import seed as demo_seed


@click.group()
def demo():
    """Synthetic data for demonstrations and measurements."""


@demo.command("seed")
@click.option("--detentions", default=3000, show_default=True, type=click.IntRange(1, 5_000_000),
              help="How many detentions to write.")
@click.option("--seed", "rng_seed", default=1, show_default=True, type=int, help="Random seed: same seed, same data.")
@click.option("--days", default=None, type=click.IntRange(1, 36_500),
              help="Spread arrivals over this many days before now [default: 365, or more above 150 a day].")
def seed_command(detentions, rng_seed, days):
    """Add a realistic synthetic custody history (three suites, every kind of event, texts)."""
    suite_service.seed(db.session, suite_service.read_suites_file(current_app.config["SUITES_FILE"]))
    started = time.perf_counter()

    def progress(done, total):
        click.echo(f"  {done:>9,} / {total:,} detentions  ({time.perf_counter() - started:6.1f} s)")

    written = demo_seed.seed(db.session, detentions, rng_seed, current_app.config["CLOCK"](), days, progress)
    db.session.commit()
    click.echo(f"{written:,} detentions seeded in {time.perf_counter() - started:.1f} s.")
    # Fresh statistics, so the planner sees the new rows before autovacuum (or nobody) gathers them.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    click.echo(f"Statistics updated ({time.perf_counter() - started:.1f} s).")


@demo.command("contacts")
def contacts_command():
    """Give each suite with no contacts a demonstration chain (Ofcom drama numbers)."""
    added = seed_demo_contacts(db.session, current_app.config["CLOCK"]())
    db.session.commit()
    click.echo(f"{added} demonstration contact(s) added.")
