"""Which organization a caller may read: memberships, defaults and brand ownership (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from api.errors import BadRequest, Forbidden, NotFound
from api.queries import Membership

SCOPE = "brands:read"


def require_scope(scopes: frozenset[str], scope: str = SCOPE) -> None:
    """Refuse a token that does not carry `scope`."""
    if scope not in scopes:
        raise Forbidden(
            f"the access token lacks the scope {scope!r}; request a token with it", missing_scope=scope
        )


def choose_organization(user_id: str, memberships: Sequence[Membership], requested: str | None) -> str:
    """Return the organization to read: the requested one if a member, else the user's default."""
    orgs = [m.organization_id for m in memberships]
    if requested is not None:
        if requested not in orgs:
            raise Forbidden(f"user {user_id!r} is not a member of organization {requested!r}")
        return requested
    if not orgs:
        raise Forbidden(f"user {user_id!r} is not a member of any organization")
    defaults = [m.organization_id for m in memberships if m.is_default]
    if defaults:
        return defaults[0]
    if len(orgs) == 1:
        return orgs[0]
    raise BadRequest(
        f"user {user_id!r} belongs to {len(orgs)} organizations and has no default; "
        f"pass organization_id (one of: {', '.join(orgs)})"
    )


def check_brand(organization_id: str, brand_id: str, owner: str | None) -> None:
    """Refuse a brand of another organization (403) or one that does not exist (404)."""
    if owner is None:
        raise NotFound(f"brand {brand_id!r} does not exist")
    if owner != organization_id:
        raise Forbidden(f"brand {brand_id!r} does not belong to organization {organization_id!r}")
