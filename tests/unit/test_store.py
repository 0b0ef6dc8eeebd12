"""The local store: migrations from empty and from old files, refusal of newer stores, the search index."""


import pytest

from fieldapp.db.engine import StoreError, is_plain, open_store
from fieldapp.db.keyring import new_data_key
from fieldapp.db.migrations_runner import alembic_config, current_revision
from fieldapp.domain.participant import SearchQuery
from tests.conftest import open_as, raw_connect


def head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_known_head_is_alembics_head():
    from fieldapp.db.migrations_runner import HEAD

    assert head() == HEAD


def test_new_store_is_migrated_to_head_with_wal_and_foreign_keys(tmp_path):
    store = open_store(tmp_path, new_data_key(), create=True)
    assert not is_plain(store.path)
    assert current_revision(store.engine) == head()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert {
        "participants",
        "participants_fts",
        "regions_fts",
        "users",
        "visits",
        "audit_events",
        "sync_batches",
        "sync_results",
        "certificate_issues",
        "village_targets",
    } <= tables
    store.close()
    assert not (tmp_path / "backups").exists()  # nothing to back up in a new store


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError) as exc:
        open_store(tmp_path / "none", new_data_key())
    assert exc.value.code == "no_store"
    assert "fieldapp init" in exc.value.text("en")


def test_newer_store_is_refused(data_dir):
    with raw_connect(data_dir) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreError) as exc:
        open_as(data_dir, "sup")
    assert exc.value.code == "store_too_new"
    assert "lebih baru" in exc.value.indonesian and "newer" in exc.value.english


def test_models_and_migrations_agree(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from fieldapp.db.migrations_runner import include_name
    from fieldapp.db.models import Base

    store = open_store(tmp_path, new_data_key(), create=True)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        assert compare_metadata(context, Base.metadata) == []
    store.close()


def test_region_type_ahead_by_name_and_code_at_every_level(officer):
    from fieldapp.db import regions as region_repo

    with officer.store.sessions() as session:
        villages = region_repo.search(session, "lambang", area_code="3216")
        assert [(h.code, h.name) for h in villages[:2]] == [("3216062003", "Lambangjaya"),
                                                             ("3216062002", "Lambangsari")]
        assert "Tambun Selatan" in villages[0].path and "Kabupaten Bekasi" in villages[0].path
        assert [h.code for h in region_repo.search(session, "32.16.06.20", limit=3)] == [
            "3216062002", "3216062003", "3216062004"]
        assert region_repo.search(session, "tambun sel", level=3)[0].code == "321606"
        assert region_repo.search(session, "bekasi", level=2)[0].name in ("Kabupaten Bekasi", "Kota Bekasi")
        assert region_repo.search(session, "jawa barat", level=1)[0].code == "32"
        assert region_repo.search(session, "") == []


@pytest.mark.parametrize(("text", "index"), [("3216", "ux_participants_active_nik"),
                                             ("3216061207900003", "ux_participants_active_nik")])
def test_a_nik_prefix_search_walks_the_nik_index(supervisor, text, index):
    """Without statistics SQLite once took "active = 1" for selective and sorted every row (9 s at 1,000,000)."""
    from fieldapp.db.participants import search_statement

    compiled = search_statement(SearchQuery(text)).compile(supervisor.store.engine)
    params = compiled.construct_params()
    with supervisor.store.engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled),
                                    tuple(params[k] for k in compiled.positiontup)).all()
    details = " | ".join(row[3] for row in plan)
    assert f"USING INDEX {index}" in details and "TEMP B-TREE" not in details, details
