"""SQL pieces the pack is built from, written once so they mean the same on SQLite and PostgreSQL.

Durations are differences of `epoch_minutes(...)`: PostgreSQL's epoch of a timestamptz, and
SQLite's Julian day of the stored UTC text. Both count real elapsed time, so a night on which
the clocks change is as long as it was.

Medians and nearest-rank p90 are computed by the database, so no value list ever travels to
Python: on PostgreSQL by its percentile aggregates over GROUPING SETS, elsewhere by ROW_NUMBER()
and COUNT(*) windows, the database handing back only the rows at the ranks asked for (at most
four per group). tests/reports/test_distributions.py holds both to the same figures.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Float, case, func, literal, or_, select, tuple_, union_all
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


class minutes_to_one_decimal(FunctionElement):  # noqa: N801 - reads as the SQL function it renders
    """minutes_to_one_decimal(start, end[, less_seconds]): (end − start − less_seconds) in minutes,
    rounded as `one_decimal` rounds (to 6 places, then half-up to one), in exact decimals from
    whole microseconds, so that the database can round and order half a million rows.

    It agrees with `one_decimal` on the float Python would compute for every duration except one
    in six million: those a whole number of microseconds exactly half-way between two 6-place
    values that themselves straddle a tenth (x.x499995 minutes), where the float's last bit
    decides `one_decimal` and this rounds away from zero."""
    type = Float()
    inherit_cache = True


@compiles(minutes_to_one_decimal, "postgresql")
def _minutes_to_one_decimal_postgresql(element, compiler, **kw):
    start, end, *less = [compiler.process(c, **kw) for c in element.clauses]
    seconds = f"(EXTRACT(EPOCH FROM {end}) - EXTRACT(EPOCH FROM {start}){f' - {less[0]}' if less else ''})"
    return f"CAST(round(round({seconds} / 60, 6), 1) AS DOUBLE PRECISION)"  # numeric: half away from zero


def _sqlite_microseconds(instant):
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy always writes the six digits): whole
    # seconds from the first 19 characters (strftime of the whole text would round to the
    # millisecond, 14.9996 to 15), microseconds from the last six.
    return (f"(CAST(strftime('%s', substr({instant}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({instant}, 21, 6) AS INTEGER))")


@compiles(minutes_to_one_decimal, "sqlite")
def _minutes_to_one_decimal_sqlite(element, compiler, **kw):
    start, end, *less = [compiler.process(c, **kw) for c in element.clauses]
    micro = f"({_sqlite_microseconds(end)} - {_sqlite_microseconds(start)}{f' - {less[0]} * 1000000' if less else ''})"
    # Integer arithmetic, half away from zero: millionths of a minute (60 µs), then tenths; one
    # division by 10.0 at the end gives the same double as Python's float('90.1').
    millionths = f"((abs({micro}) + 30) / 60)"
    return f"(sign({micro}) * (({millionths} + 50000) / 100000) / 10.0)"
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
    return _ranked_distributions(session, source, [source.c.value])[0]


def _ranked(source, column, index):
    ranked = select(
        literal(index).label("col"), source.c.grp, column.label("value"),
        func.row_number().over(partition_by=source.c.grp, order_by=column).label("group_rank"),
        func.count().over(partition_by=source.c.grp).label("group_n"),
        func.row_number().over(order_by=column).label("all_rank"),
        func.count().over().label("all_n"),
    ).where(column.isnot(None)).subquery()
    return select(ranked).where(or_(
        _wanted_ranks(ranked.c.group_rank, ranked.c.group_n), _wanted_ranks(ranked.c.all_rank, ranked.c.all_n)))


def _ranked_distributions(session, source, columns):
    """[{grp: Distribution, ALL: Distribution}] for each column of `source`, in one statement
    (a common table expression is computed once for all of them)."""
    parts = [_ranked(source, column, index) for index, column in enumerate(columns)]
    by_rank = [{} for _ in columns]
    for col, grp, value, group_rank, group_n, all_rank, all_n in session.execute(
            parts[0] if len(parts) == 1 else union_all(*parts)):
        by_rank[col].setdefault(grp, (group_n, {}))[1][group_rank] = value
        by_rank[col].setdefault(ALL, (all_n, {}))[1][all_rank] = value
    return [{grp: _distribution(n, ranks) for grp, (n, ranks) in found.items()} for found in by_rank]


def grouped_figures(session, values, sums=(), spreads=()):
    """Per group and over all groups: the sum of each `sums` column and the Distribution of each
    `spreads` column, from one select with a `grp` column and those columns (NULL values are
    left out of a distribution). Returns {grp: ({sum name: int}, {spread name: Distribution})};
    a spread without values is absent from its dict.

    PostgreSQL computes everything in one pass with GROUPING SETS: percentile_cont(0.5) is the
    median (the mean of the middle two for an even count) and percentile_disc(0.9) the value at
    rank ceil(0.9·n), which in doubles is exactly ⌈0.9·n⌉: 0.9 is stored 2·10⁻¹⁷ too large,
    less than half a unit in the last place of 0.9·n. Elsewhere the sums are one GROUP BY and
    the distributions are ranked as `distributions` ranks, all in one statement.
    """
    source = values.subquery()
    if session.get_bind().dialect.name == "postgresql":
        return _grouped_figures_postgresql(session, source, sums, spreads)
    found = {}

    def group(grp):
        return found.setdefault(grp, ({name: 0 for name in sums}, {}))
    if sums:
        for grp, *totals in session.execute(select(source.c.grp, *[func.coalesce(func.sum(source.c[name]), 0)
                                                                  for name in sums]).group_by(source.c.grp)):
            for target in (group(grp), group(ALL)):
                for name, total in zip(sums, totals, strict=True):
                    target[0][name] += int(total)
    if spreads:
        shared = values.cte("grouped_values")
        for name, found_for_name in zip(spreads, _ranked_distributions(session, shared, [shared.c[n] for n in spreads]),
                                        strict=True):
            for grp, distribution in found_for_name.items():
                group(grp)[1][name] = distribution
    return found


def _grouped_figures_postgresql(session, source, sums, spreads):
    columns = [func.grouping(source.c.grp), source.c.grp,
               *[func.coalesce(func.sum(source.c[name]), 0) for name in sums]]
    for name in spreads:
        value = source.c[name]
        columns += [func.count(value), func.percentile_cont(0.5).within_group(value),
                    func.percentile_disc(0.9).within_group(value), func.max(value)]
    found = {}
    for whole, grp, *figures in session.execute(
            select(*columns).group_by(func.grouping_sets(tuple_(source.c.grp), tuple_()))):
        totals, spread_figures = figures[:len(sums)], figures[len(sums):]
        distributions_found = {}
        for index, name in enumerate(spreads):
            n, median, p90, longest = spread_figures[4 * index:4 * index + 4]
            if n:
                distributions_found[name] = Distribution(n=n, median=median, p90=p90, max=longest)
        found[ALL if whole else grp] = ({name: int(total) for name, total in zip(sums, totals, strict=True)},
                                        distributions_found)
    return found


def _distribution(n, ranks):
    middle = (ranks[(n + 1) // 2] + ranks[n // 2 + 1]) / 2
    return Distribution(n=n, median=middle, p90=ranks[(9 * n + 9) // 10], max=ranks[n])
