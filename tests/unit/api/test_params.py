from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.errors import BadRequest
from api.params import DEFAULT_TOP, DEFAULT_TOP_AGENTS, parse_query
from api.window import Window

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
        ({"top": "\u0663"}, "top must be a whole number"),  # ARABIC-INDIC DIGIT THREE
        ({"top_agents": "\uff15"}, "top_agents must be a whole number"),  # FULLWIDTH DIGIT FIVE
        ({"since": "\u0662\u0660\u0662\u0666-04-01"}, "since must be an ISO date written YYYY-MM-DD"),
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


NO_PARAMETERS: dict[str, Any] = dict.fromkeys(("organization_id", "brand_id", "since", "until", "top"))


def zoned(**kw: str | None):  # type: ignore[no-untyped-def]
    args: dict[str, str | None] = {"organization_id": None, "brand_id": None, "since": None, "until": None}
    args.update(kw)
    return parse_query(**args, top=None, today=TODAY)  # type: ignore[arg-type]


def test_tz_and_granularity_default_to_utc_days() -> None:
    q = query()
    assert (q.zone.key, q.granularity, q.hourly) == ("UTC", "day", False)


@pytest.mark.parametrize(
    ("kw", "hourly"),
    [
        ({"tz": "UTC"}, False),
        ({"tz": "Etc/UTC"}, False),
        ({"tz": "Africa/Abidjan"}, False),  # always +00:00: the daily counts answer
        ({"tz": "Europe/London", "since": "2025-01-01", "until": "2025-01-31"}, False),  # GMT, old
        ({"tz": "America/Chicago"}, True),
        ({"tz": "Asia/Tokyo"}, True),
        ({"granularity": "day"}, False),
        ({"granularity": "hour"}, True),
        ({"tz": "UTC", "granularity": "hour"}, True),
        ({"tz": "Europe/London", "since": "2026-01-16", "until": "2026-01-31", "granularity": "hour"}, True),
    ],
)
def test_which_counts_answer(kw: dict[str, str], hourly: bool) -> None:
    assert zoned(**kw).hourly is hourly


def test_the_default_window_ends_on_the_callers_today() -> None:
    # noon UTC on 2026-04-17 is already the 18th at Kiritimati (+14) and still the 17th at Pago Pago
    assert zoned(tz="Pacific/Kiritimati").window == Window(date(2026, 3, 19), date(2026, 4, 18))
    assert zoned(tz="Pacific/Pago_Pago").window == Window(date(2026, 3, 18), date(2026, 4, 17))
    late = datetime(2026, 4, 17, 23, 30, tzinfo=UTC)  # 18:30 in Chicago, 08:30 on the 18th in Tokyo
    args = NO_PARAMETERS
    assert parse_query(**args, today=TODAY, tz="Asia/Tokyo", now=late).window.until == date(2026, 4, 18)
    assert parse_query(**args, today=TODAY, tz="America/Chicago", now=late).window.until == TODAY
    assert parse_query(**args, today=TODAY, now=late).window.until == TODAY


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"tz": "Mars/Olympus_Mons"}, "tz must be an IANA time zone name"),
        ({"tz": "utc"}, "got 'utc'; did you mean UTC?"),
        ({"tz": "america/chicago"}, "did you mean America/Chicago?"),
        ({"tz": ""}, "tz must be an IANA time zone name"),
        ({"tz": "../../etc/passwd"}, "tz must be an IANA time zone name"),
        ({"tz": "localtime"}, "tz must be an IANA time zone name"),
        ({"tz": "+05:30"}, "tz must be an IANA time zone name"),
        ({"granularity": "minute"}, "granularity must be day or hour, got 'minute'"),
        ({"granularity": "Hour"}, "granularity must be day or hour"),
        ({"granularity": ""}, "granularity must be day or hour"),
        # counts are per UTC hour: a day that begins at :30 or :45 of one cannot be cut from it
        (
            {"tz": "Asia/Kolkata"},
            "tz=Asia/Kolkata cannot be answered exactly: scans are counted per UTC hour, and in "
            "Asia/Kolkata the day 2026-03-18 begins at 2026-03-17 18:30 UTC (offset +05:30), inside a "
            "UTC hour whose scans cannot be split between that day and the one before. Use a zone "
            "whose offset is a whole number of hours, such as Etc/GMT-5 (UTC+05:00) or Etc/GMT-6 "
            "(UTC+06:00), or UTC",
        ),
        ({"tz": "Asia/Kathmandu"}, "begins at 2026-03-17 18:15 UTC (offset +05:45)"),
        ({"tz": "Asia/Kathmandu", "granularity": "hour"}, "cannot be answered exactly"),
        ({"tz": "Australia/Lord_Howe", "since": "2026-04-01", "until": "2026-04-10"}, "offset +10:30"),
        # the hourly counts are kept 92 days: 2026-04-17 and the 91 days before
        (
            {"granularity": "hour", "since": "2026-01-15", "until": "2026-01-20"},
            "hourly counts are kept for 92 days, so granularity=hour can be answered for windows from "
            "2026-01-16 on; this window starts on 2026-01-15. Pass since=2026-01-16 or later, or "
            "granularity=day for older days",
        ),
        (
            {"tz": "America/Chicago", "since": "2025-12-01", "until": "2025-12-31"},
            "so days in America/Chicago, which do not begin at UTC midnight, can be answered for "
            "windows from 2026-01-16 on",
        ),
        ({"tz": "Asia/Tokyo", "since": "2026-01-16"}, "from 2026-01-17 on"),
        ({"tz": "Asia/Tokyo", "since": "2026-01-16", "granularity": "hour"}, "granularity=day with tz=UTC"),
        ({"tz": "Europe/London", "since": "2025-06-01", "until": "2025-06-30"}, "hourly counts are kept"),
    ],
)
def test_invalid_zones_and_granularities(kw: dict[str, str], message: str) -> None:
    with pytest.raises(BadRequest) as e:
        zoned(**kw)
    assert message in str(e.value)


@pytest.mark.parametrize(
    "kw",
    [
        {"granularity": "hour", "since": "2026-01-16", "until": "2026-01-20"},
        {"tz": "America/Chicago", "since": "2026-01-16", "until": "2026-12-31"},  # the future is empty
        {"tz": "Asia/Tokyo", "since": "2026-01-17"},
        {"tz": "Australia/Lord_Howe", "since": "2026-01-17", "until": "2026-04-04"},  # +11:00 throughout
        {"tz": "Europe/London", "since": "2020-01-01", "until": "2020-03-28"},  # GMT: the daily counts
    ],
)
def test_zones_and_windows_answered(kw: dict[str, str]) -> None:
    zoned(**kw)


def test_the_retention_is_a_parameter() -> None:
    args = {**NO_PARAMETERS, "since": "2026-04-10"}
    parse_query(**args, today=TODAY, granularity="hour", hourly_retention_days=8)
    with pytest.raises(BadRequest, match=r"kept for 7 days.*from 2026-04-11 on"):
        parse_query(**args, today=TODAY, granularity="hour", hourly_retention_days=7)


@given(
    st.one_of(st.none(), st.text(max_size=60)),
    st.one_of(st.none(), st.text(max_size=10)),
    st.one_of(st.none(), st.text(max_size=10)),
    st.one_of(st.none(), st.sampled_from(["America/Chicago", "Asia/Kolkata", "UTC", "Europe/Paris"])),
)
def test_any_zone_granularity_or_top_places_is_parsed_or_refused_clearly(
    tz: str | None, granularity: str | None, top_places: str | None, known: str | None
) -> None:
    for zone in (tz, known):
        try:
            q = query(tz=zone, granularity=granularity, top_places=top_places)
        except BadRequest as e:
            assert str(e) and "\x00" not in str(e)
        else:
            assert q.granularity in ("day", "hour") and 1 <= q.top_places <= 100
