"""Which organization a caller may read: memberships, defaults and brand ownership (pure)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from api.errors import BadRequest, Forbidden, NotFound
from api.queries import Access, Membership

ACCESS_TTL_SECONDS = 5.0
ACCESS_ENTRIES = 4096


class RecentAccess:
    """Each caller's memberships (and a brand's owner in the catalog) as read in the last few seconds.

    An answer is reused for `ttl` seconds and never longer: a membership granted or removed
    shows within `ttl`, with no invalidation. At most `entries` callers and brands are kept,
    the least recently stored dropped first.
    """

    def __init__(
        self,
        ttl: float = ACCESS_TTL_SECONDS,
        entries: int = ACCESS_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl, self._entries, self._clock = ttl, entries, clock
        self._kept: OrderedDict[tuple[str, str | None], tuple[float, Access]] = OrderedDict()

    def get(self, user_id: str, brand_id: str | None) -> Access | None:
        """The access read for `user_id` and `brand_id` less than ttl seconds ago, if any."""
        kept = self._kept.get((user_id, brand_id))
        if kept is None:
            return None
        if kept[0] <= self._clock():
            del self._kept[(user_id, brand_id)]
            return None
        return kept[1]

    def put(self, user_id: str, brand_id: str | None, access: Access) -> None:
        """Keep `access` for ttl seconds."""
        if self._ttl <= 0:
            return
        key = (user_id, brand_id)
        self._kept.pop(key, None)
        self._kept[key] = (self._clock() + self._ttl, access)
        while len(self._kept) > self._entries:
            self._kept.popitem(last=False)


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
