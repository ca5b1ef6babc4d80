"""The medians and nearest-rank p90s every distribution of the pack is built from, for every
count of values up to a hundred and more, on whichever database the suite runs on (PostgreSQL
uses its percentile aggregates, SQLite ranks with windows: both must give SPEC §6's figures)."""
from math import ceil

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, Table, insert, select

from core.db import db
from reports.sql import ALL, grouped_figures


@pytest.fixture
def minutes(app):
    table = Table("distribution_values", MetaData(), Column("grp", Integer), Column("minutes", Float),
                  prefixes=["TEMPORARY"])
    table.create(db.session.connection())
    yield table
    db.session.rollback()
    table.drop(db.session.connection(), checkfirst=True)
    db.session.commit()


def _distributions(session, table, numbers_by_group):
    session.execute(table.delete())
    session.execute(insert(table), [{"grp": grp, "minutes": value}
                                    for grp, numbers in numbers_by_group.items() for value in numbers])
    found = grouped_figures(session, select(table.c.grp, table.c.minutes), spreads=("minutes",))
    return {grp: spreads["minutes"] for grp, (_, spreads) in found.items() if "minutes" in spreads}


def _expected(numbers):
    ordered = sorted(numbers)
    n = len(ordered)
    return n, (ordered[(n - 1) // 2] + ordered[n // 2]) / 2, ordered[ceil(9 * n / 10) - 1], ordered[-1]


def _figures(distribution):
    return distribution.n, distribution.median, distribution.p90, distribution.max


def test_p90_is_the_nearest_rank_and_the_median_the_middle_for_every_count(minutes):
    for n in [*range(1, 121), 170, 230, 290, 333, 370, 470, 530, 590, 670, 770, 1000]:
        scattered = [(7 * k) % (n + 3) + k * k / 1024 for k in range(n)]  # unsorted, no two alike
        others = [5.0] * (n % 3)
        found = _distributions(db.session, minutes, {1: scattered, 2: others})
        assert _figures(found[1]) == _expected(scattered), n
        assert _figures(found[ALL]) == _expected(scattered + others), n


def test_a_group_without_values_is_absent_and_nulls_are_left_out(minutes):
    found = _distributions(db.session, minutes, {1: [None], 2: [3.0, None]})
    assert set(found) == {2, ALL}
    assert _figures(found[2]) == _figures(found[ALL]) == (1, 3.0, 3.0, 3.0)
