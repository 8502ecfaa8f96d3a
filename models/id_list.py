"""`column IN <id list>`: on PostgreSQL the whole list bound as one array parameter.

An expanding IN binds one parameter per id: for the ~250 candidate threads a search checks, SQLAlchemy
rewrites the statement per call, psycopg re-parses a text it has never seen, and PostgreSQL plans 250
parameters. At 100k threads that was 6.5 ms per visibility check against 2.4 ms for `id = ANY(:ids)`
(docs/search-research.md, seventeenth session). One array parameter keeps the statement text fixed, so
psycopg can also prepare it.

SQLite keeps the expanding IN: it has no arrays, and given `IN (SELECT value FROM json_each(:ids))` its
planner (no statistics) scans the whole table and probes the list: 25 ms for 250 threads, 150 ms for 250
posts at a million, where the expanding IN looks each id up by primary key.
"""
from sqlalchemy import BigInteger, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import NullType, TypeDecorator


def fetch_id_set(session, stmt) -> set[int]:
    """The ids a one-column SELECT returns, fetched as one aggregated value rather than a row per id.

    A topic's 5,000 thread ids as ORM rows cost 7.5 ms on PostgreSQL, of which the server's part is 1.7;
    as one `array_agg` array 2.8-4.1 ms (docs/search-research.md, nineteenth session).
    """
    column = list(stmt.subquery().c)[0]
    if session.bind.dialect.name == "postgresql":
        return set(session.scalar(select(func.array_agg(column))) or ())
    joined = session.scalar(select(func.group_concat(column)))
    return set(map(int, joined.split(","))) if joined else set()


def pg_array_literal(ids) -> str:
    """PostgreSQL's text form of an integer array: '{1,2,3}' (int(): numpy integers too)."""
    return "{" + ",".join(str(int(v)) for v in ids) + "}"


class IdArray(TypeDecorator):
    """A list of integer ids bound as PostgreSQL's BIGINT[] (the statement casts the parameter)."""

    impl = ARRAY(BigInteger)
    cache_ok = True

    def bind_processor(self, dialect):
        # Sent as one string in the array's text form: psycopg's list dumper checks every element of a
        # list with a regular expression, 9 ms for a topic's 5,000 thread ids on an AVX2 EPYC, where the
        # string takes ~1 ms (docs/search-research.md, eighteenth session).
        return lambda value: None if value is None else pg_array_literal(value)


class _Id(TypeDecorator):
    """One id of an expanding IN list (a numpy integer too: sqlite3 cannot bind one)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int(value)


class InIdList(ColumnElement[bool]):
    """`column` is one of the ids bound to the parameter `name` (pass a list or a set of ints)."""

    # Untyped, not Boolean: SQLite would render a Boolean expression as "id IN (...) = 1", which no
    # index answers.
    type = NullType()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("param", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, name: str):
        self.column = column
        self.param = bindparam(name, type_=IdArray())

    @property
    def _from_objects(self):
        # The column's table joins the FROM list, as it would for `column.in_(...)`.
        return self.column._from_objects


def in_id_list(column, name: str = "ids") -> InIdList:
    """WHERE clause: `column` is among the ids passed as parameter `name` at execution."""
    return InIdList(column, name)


@compiles(InIdList)
def _in_expanding_list(element, compiler, **kw):
    # Same name as the array parameter: callers pass one list whichever database runs the statement.
    listed = element.column.in_(bindparam(element.param.key, expanding=True, type_=_Id()))
    return compiler.process(listed, **kw)


@compiles(InIdList, "postgresql")
def _equals_any(element, compiler, **kw):
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.param, **kw)})"
