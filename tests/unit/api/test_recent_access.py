"""RecentAccess: a caller's access reused for a few seconds, never longer, and bounded."""

from __future__ import annotations

from api.access import RecentAccess
from api.queries import Access, Membership

ACCESS = Access([Membership("org-a", True)], None)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_access_is_reused_until_its_ttl_and_not_after() -> None:
    clock = Clock()
    recent = RecentAccess(ttl=5.0, clock=clock)
    assert recent.get("u", None) is None
    recent.put("u", None, ACCESS)
    clock.now += 4.9
    assert recent.get("u", None) is ACCESS
    assert recent.get("u", "brand") is None  # per caller and brand
    clock.now += 0.1
    assert recent.get("u", None) is None


def test_the_oldest_entries_go_first() -> None:
    recent = RecentAccess(ttl=5.0, entries=2, clock=Clock())
    for user in ("a", "b", "c"):
        recent.put(user, None, ACCESS)
    assert [recent.get(u, None) is not None for u in ("a", "b", "c")] == [False, True, True]


def test_a_ttl_of_zero_keeps_nothing() -> None:
    recent = RecentAccess(ttl=0.0, clock=Clock())
    recent.put("u", None, ACCESS)
    assert recent.get("u", None) is None
