"""Scratch databases beside the configured one (tests and benchmarks): created, then dropped."""

from __future__ import annotations

import time

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo


def create_database(admin_url: str, name: str) -> str:
    """Create database `name` as the role of admin_url; return its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(admin_url, dbname=name)


def drop_database(admin_url: str, name: str, patience: float = 60.0) -> None:
    """Drop database `name`, ending its sessions.

    An autovacuum worker in it (after heavy writes) is a session the role may not end:
    PostgreSQL refuses with InsufficientPrivilege. It finishes or moves on within seconds,
    so the drop is tried again for up to `patience` seconds.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            return
        except psycopg.errors.InsufficientPrivilege:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
