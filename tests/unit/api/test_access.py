import pytest

from api.access import check_brand, choose_organization, require_scope
from api.errors import BadRequest, Forbidden, NotFound
from api.queries import Membership

A, B, C = Membership("a", False), Membership("b", True), Membership("c", False)


@pytest.mark.parametrize(
    ("memberships", "requested", "expected"),
    [
        ([A, B], None, "b"),  # the default
        ([A, B], "a", "a"),  # an explicit membership wins over the default
        ([A], None, "a"),  # a single membership needs no default
        ([B], "b", "b"),
    ],
)
def test_choose(memberships: list[Membership], requested: str | None, expected: str) -> None:
    assert choose_organization("u", memberships, requested) == expected


@pytest.mark.parametrize(
    ("memberships", "requested", "error", "message"),
    [
        ([A, C], None, BadRequest, "pass organization_id (one of: a, c)"),
        ([], None, Forbidden, "not a member of any organization"),
        ([], "a", Forbidden, "not a member of organization 'a'"),
        ([A, B], "c", Forbidden, "not a member of organization 'c'"),
    ],
)
def test_choose_refuses(
    memberships: list[Membership], requested: str | None, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        choose_organization("u", memberships, requested)


def test_brand_checks() -> None:
    check_brand("a", "br", "a")
    with pytest.raises(Forbidden, match="does not belong"):
        check_brand("a", "br", "b")
    with pytest.raises(NotFound, match="does not exist"):
        check_brand("a", "br", None)


def test_scope() -> None:
    require_scope(frozenset({"brands:read", "other"}))
    with pytest.raises(Forbidden) as e:
        require_scope(frozenset({"brands:write"}))
    assert e.value.missing_scope == "brands:read"
