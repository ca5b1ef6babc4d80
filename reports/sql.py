"""SQL pieces the pack is built from, written once so they mean the same on SQLite and PostgreSQL.

Durations are differences of `epoch_minutes(...)`: PostgreSQL's epoch of a timestamptz, and
SQLite's Julian day of the stored UTC text. Both count real elapsed time, so a night on which
the clocks change is as long as it was.

Medians and nearest-rank p90 come from ROW_NUMBER() and COUNT(*) windows: the database ranks
the values and hands back only the rows at the ranks asked for (at most four per group), so
no value list ever travels to Python.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Float, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

ALL = "all"  # the group key for the figure over every group together


class epoch_minutes(FunctionElement):  # noqa: N801 - reads as the SQL function it renders
    """Minutes since a fixed origin, as a double: subtract two to get a duration in minutes."""
    type = Float()
    inherit_cache = True


@compiles(epoch_minutes, "postgresql")
def _epoch_minutes_postgresql(element, compiler, **kw):
    return "(CAST(EXTRACT(EPOCH FROM %s) AS DOUBLE PRECISION) / 60.0)" % compiler.process(element.clauses, **kw)


@compiles(epoch_minutes, "sqlite")
def _epoch_minutes_sqlite(element, compiler, **kw):
    return "(julianday(%s) * 1440.0)" % compiler.process(element.clauses, **kw)


def minutes_between(start, end):
    return epoch_minutes(end) - epoch_minutes(start)


def one_decimal(value):
    """Half-up to one decimal. Values are first cut to 6 places so that the last bits of a
    float (SQLite's Julian days, PostgreSQL's epoch) cannot tip 90.25 one way or the other."""
    if value is None:
        return None
    return float(Decimal(repr(round(float(value), 6))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percent(part, whole):
    return None if not whole else one_decimal(100.0 * part / whole)


def counted(condition):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): how many rows meet the condition."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class Distribution:
    n: int
    median: float | None
    p90: float | None
    max: float | None

    @classmethod
    def empty(cls):
        return cls(0, None, None, None)

    def scaled(self, divisor):
        """The same distribution in another unit (minutes to hours)."""
        def scale(value):
            return None if value is None else value / divisor
        return Distribution(self.n, scale(self.median), scale(self.p90), scale(self.max))

    def as_dict(self, *keys):
        return {key: one_decimal(getattr(self, key)) for key in keys}


def _wanted_ranks(rank, n):
    """The two middle ranks (one when n is odd), the nearest rank ⌈0.9·n⌉, and the last."""
    return or_(rank == (n + 1) // 2, rank == n // 2 + 1, rank == (9 * n + 9) // 10, rank == n)


def distributions(session, values):
    """Median, p90 and max of `values` per group and over all groups, in one query.

    `values` is a select of two columns, `grp` and `value` (NULL values are left out).
    Returns {grp: Distribution, ALL: Distribution}; a group with no values is absent.
    """
    source = values.subquery()
    usable = source.c.value.isnot(None)
    ranked = select(
        source.c.grp, source.c.value,
        func.row_number().over(partition_by=source.c.grp, order_by=source.c.value).label("group_rank"),
        func.count().over(partition_by=source.c.grp).label("group_n"),
        func.row_number().over(order_by=source.c.value).label("all_rank"),
        func.count().over().label("all_n"),
    ).where(usable).subquery()
    rows = session.execute(select(ranked).where(or_(
        _wanted_ranks(ranked.c.group_rank, ranked.c.group_n), _wanted_ranks(ranked.c.all_rank, ranked.c.all_n))))
    by_rank = {}
    for grp, value, group_rank, group_n, all_rank, all_n in rows:
        by_rank.setdefault(grp, (group_n, {}))[1][group_rank] = value
        by_rank.setdefault(ALL, (all_n, {}))[1][all_rank] = value
    return {grp: _distribution(n, ranks) for grp, (n, ranks) in by_rank.items()}


def _distribution(n, ranks):
    middle = (ranks[(n + 1) // 2] + ranks[n // 2 + 1]) / 2
    return Distribution(n=n, median=middle, p90=ranks[(9 * n + 9) // 10], max=ranks[n])
