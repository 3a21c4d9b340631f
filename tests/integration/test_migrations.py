"""Migrations against the real PostgreSQL: applied once, re-running is a no-op."""

from __future__ import annotations

import psycopg
import pytest

from scan_analytics import migrate
from scan_analytics.errors import MigrationError
from scan_analytics.settings import Settings


def test_applying_twice_is_a_no_op(base_settings: Settings, fresh_database: str) -> None:
    sql_dir = base_settings.schemas_dir / "sql"
    first = migrate.apply(fresh_database, sql_dir)
    assert [m.version for m in first] == [m.version for m in migrate.discover(sql_dir)]
    with psycopg.connect(fresh_database) as conn:
        before = conn.execute("SELECT version, applied_at FROM schema_migrations").fetchall()
    assert migrate.apply(fresh_database, sql_dir) == []
    with psycopg.connect(fresh_database) as conn:
        after = conn.execute("SELECT version, applied_at FROM schema_migrations").fetchall()
        tables = {
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        }
    assert before == after
    assert {
        "organizations",
        "brands",
        "products",
        "organization_memberships",
        "scan_daily_summary",
        "schema_migrations",
    } <= tables


def test_one_default_organization_per_user(base_settings: Settings, fresh_database: str) -> None:
    migrate.apply(fresh_database, base_settings.schemas_dir / "sql")
    with psycopg.connect(fresh_database) as conn:
        conn.execute("INSERT INTO organizations (organization_id, name) VALUES ('o1','A'),('o2','B')")
        conn.execute("INSERT INTO organization_memberships VALUES ('u', 'o1', true)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO organization_memberships VALUES ('u', 'o2', true)")


def test_edited_migration_is_refused(base_settings: Settings, fresh_database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    (sql_dir / "0001_t.sql").write_text("CREATE TABLE t (x int);")
    migrate.apply(fresh_database, sql_dir)
    (sql_dir / "0001_t.sql").write_text("CREATE TABLE t (x bigint);")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate.apply(fresh_database, sql_dir)
