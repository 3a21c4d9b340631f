from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.errors import BadRequest
from api.params import DEFAULT_TOP, DEFAULT_TOP_AGENTS, parse_query

TODAY = date(2026, 4, 17)


def query(**kw: str | None):  # type: ignore[no-untyped-def]
    args: dict[str, str | None] = {
        "organization_id": None,
        "brand_id": None,
        "since": None,
        "until": None,
        "top": None,
    }
    args.update(kw)
    return parse_query(**args, today=TODAY)  # type: ignore[arg-type]


def test_defaults_match_the_contract_example() -> None:
    q = query()
    assert (q.window.since, q.window.until) == (date(2026, 3, 18), date(2026, 4, 17))
    assert q.top == DEFAULT_TOP == 20
    assert q.organization_id is None and q.brand_id is None


@pytest.mark.parametrize(
    ("kw", "since", "until", "top"),
    [
        ({"until": "2026-01-31"}, "2026-01-01", "2026-01-31", 20),
        ({"since": "2026-04-01"}, "2026-04-01", "2026-04-17", 20),
        ({"since": "2026-04-17", "until": "2026-04-17"}, "2026-04-17", "2026-04-17", 20),
        ({"since": "2024-04-18", "until": "2026-04-17"}, "2024-04-18", "2026-04-17", 20),  # 730 days
        ({"since": "2030-01-01", "until": "2030-01-02"}, "2030-01-01", "2030-01-02", 20),  # future is empty
        ({"top": "1"}, "2026-03-18", "2026-04-17", 1),
        ({"top": "100"}, "2026-03-18", "2026-04-17", 100),
        ({"top": " 7 "}, "2026-03-18", "2026-04-17", 7),
    ],
)
def test_valid(kw: dict[str, str], since: str, until: str, top: int) -> None:
    q = query(**kw)
    assert (q.window.since.isoformat(), q.window.until.isoformat(), q.top) == (since, until, top)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"since": "yesterday"}, "since must be an ISO date written YYYY-MM-DD"),
        ({"until": "17/04/2026"}, "until must be an ISO date written YYYY-MM-DD"),
        ({"since": "20260417"}, "since must be an ISO date"),
        ({"since": "2026-W16-5"}, "since must be an ISO date"),
        ({"since": "2026-04-17T00:00:00"}, "since must be an ISO date"),
        ({"since": "2026-02-30"}, "since is not a calendar date"),
        ({"until": "2026-13-01"}, "until is not a calendar date"),
        ({"since": ""}, "since must be an ISO date"),
        ({"since": "0001-01-01"}, "since must be between"),
        ({"until": "9999-12-31"}, "until must be between"),
        ({"since": "2026-04-18"}, "since (2026-04-18) is after until (2026-04-17)"),
        ({"since": "2026-02-02", "until": "2026-02-01"}, "is after until"),
        ({"since": "2024-04-16", "until": "2026-04-17"}, "spans 732 days"),
        ({"since": "2000-01-01"}, "the longest allowed is"),
        ({"top": "0"}, "top must be a whole number from 1 to 100"),
        ({"top": "101"}, "top must be a whole number from 1 to 100"),
        ({"top": "-5"}, "top must be a whole number"),
        ({"top": "ten"}, "top must be a whole number"),
        ({"top": "1.5"}, "top must be a whole number"),
        ({"top": "9" * 5000}, "top must be a whole number"),
        ({"top": ""}, "top must be a whole number"),
        ({"organization_id": ""}, "organization_id must not be empty"),
        ({"brand_id": "   "}, "brand_id must not be empty"),
        ({"brand_id": "a\x00b"}, "brand_id must not contain control characters"),
        ({"organization_id": "x" * 201}, "organization_id is longer than 200"),
    ],
)
def test_invalid(kw: dict[str, str], message: str) -> None:
    with pytest.raises(BadRequest) as e:
        query(**kw)
    assert message in str(e.value)


@given(
    st.one_of(st.none(), st.text(max_size=30)),
    st.one_of(st.none(), st.text(max_size=30)),
    st.one_of(st.none(), st.text(max_size=30)),
    st.one_of(st.none(), st.text(max_size=300)),
)
def test_any_input_is_parsed_or_refused_clearly(
    since: str | None, until: str | None, top: str | None, org: str | None
) -> None:
    try:
        q = query(since=since, until=until, top=top, organization_id=org)
    except BadRequest as e:
        assert str(e)
    else:
        assert 1 <= q.window.length <= 731 and 1 <= q.top <= 100


def test_top_agents() -> None:
    assert query().top_agents == DEFAULT_TOP_AGENTS == 10
    assert query(top_agents=" 3 ").top_agents == 3
    assert query(top_agents="100").top_agents == 100
    for raw in ("0", "101", "-1", "x", "", "1e2"):
        with pytest.raises(BadRequest, match="top_agents must be a whole number from 1 to 100"):
            query(top_agents=raw)
