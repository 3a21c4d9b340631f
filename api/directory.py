"""Who belongs where: a user's organizations and their brands, and (development) every member."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psycopg import AsyncConnection


@dataclass(frozen=True)
class Brand:
    brand_id: str
    name: str


@dataclass(frozen=True)
class Organization:
    organization_id: str
    is_default: bool
    brands: list[Brand] = field(default_factory=list)


async def organizations_of(conn: AsyncConnection[Any], user_id: str) -> list[Organization]:
    """Return the organizations `user_id` belongs to, each with its catalog's brands."""
    cur = await conn.execute(
        "SELECT m.organization_id, m.is_default, b.brand_id, b.name"
        " FROM organization_memberships m"
        " LEFT JOIN brands b ON b.organization_id = m.organization_id"
        " WHERE m.user_id = %s ORDER BY m.organization_id, b.name, b.brand_id",
        (user_id,),
    )
    orgs: dict[str, Organization] = {}
    for org_id, is_default, brand_id, name in await cur.fetchall():
        org = orgs.setdefault(org_id, Organization(org_id, bool(is_default)))
        if brand_id is not None:
            org.brands.append(Brand(brand_id, name))
    return list(orgs.values())


async def members(conn: AsyncConnection[Any], limit: int) -> dict[str, list[str]]:
    """Return up to `limit` users with their organizations, by user id."""
    cur = await conn.execute(
        "SELECT user_id, array_agg(organization_id ORDER BY organization_id)"
        " FROM organization_memberships GROUP BY user_id ORDER BY user_id LIMIT %s",
        (limit,),
    )
    return {user: list(orgs) for user, orgs in await cur.fetchall()}
