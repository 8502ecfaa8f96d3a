"""models.id_list: an id list bound as one parameter selects exactly the rows an IN list would."""
import numpy as np
from sqlalchemy import bindparam, select, text

from models import Agency
from models.id_list import fetch_id_set, in_id_list, pg_array_literal
from tests import factories


def _agencies(db, count):
    ids = [factories.agency(db, slug=f"instansi-{i}", name=f"Instansi {i}").id for i in range(count)]
    db.commit()
    return ids


def test_an_id_list_selects_exactly_the_rows_whose_ids_it_holds(db):
    ids = _agencies(db, 12)
    stmt = select(Agency.id).where(in_id_list(Agency.id))
    for wanted in ([], ids[:1], ids[3:9], ids, ids[::2] + [max(ids) + 100, -5]):
        assert set(db.scalars(stmt, {"ids": wanted})) == set(wanted) & set(ids)
        assert set(db.scalars(stmt, {"ids": wanted})) == set(db.scalars(select(Agency.id).where(Agency.id.in_(wanted))))


def test_an_id_list_takes_sets_and_numpy_integers_as_well_as_lists_of_ints(db):
    ids = _agencies(db, 5)
    stmt = select(Agency.slug).where(in_id_list(Agency.id, "chosen"))
    expected = {"instansi-1", "instansi-3"}
    assert set(db.scalars(stmt, {"chosen": {ids[1], ids[3]}})) == expected
    assert set(db.scalars(stmt, {"chosen": list(np.array([ids[1], ids[3]], dtype=np.int64))})) == expected


def test_an_id_list_is_a_plain_condition_that_an_index_can_answer(db):
    # A Boolean-typed element made SQLite's text "id IN (...) = 1", which no index answers.
    sql = str(select(Agency.id).where(in_id_list(Agency.id)).compile(db.get_bind()))
    assert "= 1" not in sql and ("IN (" in sql or "= ANY(" in sql)


def test_on_postgresql_the_statement_text_does_not_change_with_the_number_of_ids(db):
    # The point of one array parameter: the driver sees (and can prepare) one statement. SQLite keeps the
    # expanding IN (models/id_list.py says why), one text per list length.
    def texts(stmt):
        return {db.connection().execute(stmt, {"ids": list(range(n))}).context.statement for n in (1, 50, 300)}

    postgres = db.get_bind().dialect.name == "postgresql"
    assert len(texts(select(Agency.id).where(in_id_list(Agency.id)))) == (1 if postgres else 3)
    # What it replaces: an expanding IN writes one placeholder per id.
    assert len(texts(select(Agency.id).where(Agency.id.in_(bindparam("ids", expanding=True))))) == 3


def test_an_id_list_puts_its_columns_table_in_the_from_list(db):
    ids = _agencies(db, 3)
    # Only the WHERE names the table: it must still reach FROM, as with column.in_(...).
    stmt = select(Agency.name.label("n")).where(in_id_list(Agency.id))
    assert sorted(db.scalars(stmt, {"ids": ids[:2]})) == ["Instansi 0", "Instansi 1"]


def test_the_array_text_form_reads_back_as_the_same_ids_on_postgresql(db):
    assert pg_array_literal([3, np.int64(5), -1]) == "{3,5,-1}" and pg_array_literal([]) == "{}"
    if db.get_bind().dialect.name == "postgresql":
        stmt = text("SELECT CAST(:ids AS BIGINT[])")
        assert db.scalar(stmt, {"ids": pg_array_literal(range(5000))}) == list(range(5000))


def test_fetching_an_id_set_returns_what_the_rows_would_for_filters_unions_and_no_rows(db):
    ids = _agencies(db, 9)
    for stmt in (select(Agency.id), select(Agency.id).where(Agency.id > ids[4]),
                 select(Agency.id).where(Agency.id == ids[0]).union_all(select(Agency.id).where(Agency.id == ids[8])),
                 select(Agency.id).where(Agency.id < 0)):
        assert fetch_id_set(db, stmt) == set(db.scalars(stmt))
    assert fetch_id_set(db, select(Agency.id).where(Agency.id < 0)) == set()
