"""Manage organization memberships (who may read which organization's analytics)."""

from __future__ import annotations

import psycopg

from api.errors import ApiError
from api.queries import Membership


class MembershipError(ApiError):
    """A membership change cannot be made; the message says why."""


def add(database_url: str, user_id: str, organization_id: str, *, default: bool = False) -> None:
    """Make `user_id` a member of `organization_id`, optionally as their default organization."""
    if not user_id.strip() or not organization_id.strip():
        raise MembershipError("user and organization must not be empty")
    try:
        with psycopg.connect(database_url) as conn, conn.transaction():
            if (
                conn.execute(
                    "SELECT 1 FROM organizations WHERE organization_id = %s", (organization_id,)
                ).fetchone()
                is None
            ):
                raise MembershipError(f"organization {organization_id!r} does not exist")
            if default:
                conn.execute(
                    "UPDATE organization_memberships SET is_default = false"
                    " WHERE user_id = %s AND is_default AND organization_id <> %s",
                    (user_id, organization_id),
                )
            conn.execute(
                "INSERT INTO organization_memberships (user_id, organization_id, is_default)"
                " VALUES (%s, %s, %s) ON CONFLICT (user_id, organization_id) DO UPDATE"
                " SET is_default = organization_memberships.is_default OR EXCLUDED.is_default",
                (user_id, organization_id, default),
            )
    except psycopg.Error as e:
        raise MembershipError(f"cannot add the membership: {e}") from e


def remove(database_url: str, user_id: str, organization_id: str) -> bool:
    """Remove a membership; return whether there was one."""
    try:
        with psycopg.connect(database_url) as conn:
            cur = conn.execute(
                "DELETE FROM organization_memberships WHERE user_id = %s AND organization_id = %s",
                (user_id, organization_id),
            )
            return cur.rowcount > 0
    except psycopg.Error as e:
        raise MembershipError(f"cannot remove the membership: {e}") from e


def list_for(database_url: str, user_id: str | None) -> list[tuple[str, Membership]]:
    """Return (user, membership) pairs, of one user or of everyone."""
    try:
        with psycopg.connect(database_url) as conn:
            rows = conn.execute(
                "SELECT user_id, organization_id, is_default FROM organization_memberships"
                " WHERE %(user)s::text IS NULL OR user_id = %(user)s ORDER BY user_id, organization_id",
                {"user": user_id},
            ).fetchall()
    except psycopg.Error as e:
        raise MembershipError(f"cannot list memberships: {e}") from e
    return [(u, Membership(o, bool(d))) for u, o, d in rows]
