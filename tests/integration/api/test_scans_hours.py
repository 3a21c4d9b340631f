"""Hours and time zones: the caller's days and hours from the hourly counts, exactly, and the refusals."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import SCANS, insert_scans, seed_catalog
from tests.integration.api.reference import AgentRow, expected
from tests.unit.api.tokenkit import Issuer

pytestmark = pytest.mark.integration

D = date.fromisoformat
ORG = "hr-org"
BRANDS = {"hr-one": "One", "hr-two": "Two"}
G1, G2, G3, G4 = "00000000020018", "00000000020025", "00000000020032", "00000000020049"
NAMES = {G1: ("Oat Drink 1l", "One", ORG), G2: ("Rye Bread", "Two", ORG), G4: ("Spelt", "One", ORG)}
CHICAGO = ZoneInfo("America/Chicago")
WHO = [
    (False, "human", "", "", "", ""),
    (False, "human", "", "", "", ""),
    (True, "ai_agent", "ai_assistant", "ChatGPT-User", "OpenAI", "unverified"),
    (True, "ai_agent", "ai_training_crawler", "GPTBot", "OpenAI", "verified"),
    (True, "bot", "search_crawler", "Googlebot", "Google", "verified"),
    (True, "bot", "unknown_bot", "Googlebot", "Google", "spoofed"),
    (True, "bot", "high_rate", "", "", ""),
]
HourRow = tuple[datetime, str, str, str, str, str, bool, str, str, str, str, str, int]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def generated() -> list[HourRow]:
    """Hours around Chicago's two clock changes of 2026 and the last days before TODAY (2026-04-17).

    Every hour near a Chicago or UTC midnight has scans, so a day cut an hour off shows.
    """
    rnd = random.Random(20260308)
    hours: list[datetime] = []
    for first, last in (
        ("2026-03-06T00:00", "2026-03-11T00:00"),
        ("2026-10-30T00:00", "2026-11-04T00:00"),
        ("2026-04-14T00:00", "2026-04-18T00:00"),
    ):
        hour = utc(first)
        while hour < utc(last):
            if hour.hour in (0, 4, 5, 6, 7) or rnd.random() < 0.4:
                hours.append(hour)
            hour += timedelta(hours=1)
    keyed: dict[tuple[object, ...], HourRow] = {}
    for hour in hours:
        for _ in range(rnd.randint(1, 3)):
            gtin = rnd.choice([G1, G1, G2, G3, G4])
            brand = "hr-two" if gtin == G2 else "hr-one"
            who = rnd.choice(WHO)
            device = "bot" if who[0] and rnd.random() < 0.5 else rnd.choice(["mobile", "desktop", "tablet"])
            row: HourRow = (hour, ORG, brand, gtin, rnd.choice(["US", "MX", "unknown"]), device, *who, 0)
            keyed[row[:-1]] = (*row[:-1], rnd.randint(1, 40))
    return list(keyed.values())


HOURS = generated()


def on_days(rows: list[HourRow], zone: ZoneInfo) -> list[AgentRow]:
    """The hourly rows keyed by their day in `zone` (the plain way: each hour's own local date)."""
    return [(r[0].astimezone(zone).date(), *r[1:]) for r in rows]


def utc_days(rows: list[HourRow]) -> list[AgentRow]:
    """The daily counts the sink writes beside the hours: the hours summed by UTC day and key."""
    summed: Counter[tuple[object, ...]] = Counter()
    for day, *key, n in on_days(rows, ZoneInfo("UTC")):
        summed[(day, *key)] += n
    return [(*key, n) for key, n in summed.items()]  # type: ignore[misc]


# Only daily counts: a January older than the hourly retention (its hours deleted).
OLD_DAYS: list[AgentRow] = [
    (D("2025-01-10"), ORG, "hr-one", G1, "US", "mobile", *WHO[0], 7),
    (D("2025-01-11"), ORG, "hr-two", G2, "MX", "bot", *WHO[4], 5),
]


@pytest.fixture(scope="module", autouse=True)
def dataset(db: psycopg.Connection) -> None:
    seed_catalog(
        db,
        {ORG: BRANDS},
        {G1: ("hr-one", "Oat Drink 1l"), G2: ("hr-two", "Rye Bread"), G4: ("hr-one", "Spelt")},
        [("hr-user", ORG, True)],
    )
    with db.cursor() as cur:
        cur.executemany(
            "INSERT INTO scan_hourly_summary (hour, organization_id, brand_id, gtin, country_code,"
            " device_class, is_bot, traffic_class, category, agent, operator, verification, scans)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            HOURS,
        )
    insert_scans(db, [*utc_days(HOURS), *OLD_DAYS])


def fetch(client: TestClient, issuer: Issuer, **params: str) -> Any:
    return client.get(SCANS, params=params, headers={"Authorization": f"Bearer {issuer.token('hr-user')}"})


def get(client: TestClient, issuer: Issuer, **params: str) -> dict[str, Any]:
    resp = fetch(client, issuer, **params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def refused(client: TestClient, issuer: Issuer, **params: str) -> str:
    resp = fetch(client, issuer, **params)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert (body["status"], body["title"], body["instance"]) == (400, "Bad Request", SCANS)
    detail: str = body["detail"]
    return detail


def zoned(since: str, until: str, zone: ZoneInfo, brand: str | None = None, top: int = 20) -> dict[str, Any]:
    """The answer computed the plain way from the hours, for days in `zone`."""
    want = expected(on_days(HOURS, zone), NAMES, ORG, brand, D(since), D(until), top)
    want["window"]["tz"] = zone.key
    return want


def plain_hours(zone: ZoneInfo, first: str, last: str, brand: str | None = None) -> Counter[str]:
    """Scans per local hour label, the plain way, of the hours on local days first..last."""
    counts: Counter[str] = Counter()
    for r in HOURS:
        local = r[0].astimezone(zone)
        if D(first) <= local.date() <= D(last) and brand in (None, r[2]):
            counts[local.isoformat()] += r[-1]
    return counts


@pytest.mark.parametrize(
    ("since", "until", "brand"),
    [
        ("2026-03-06", "2026-03-10", None),
        ("2026-04-14", "2026-04-17", None),
        ("2026-03-01", "2026-04-17", "hr-one"),  # over a month boundary: the monthly rollups
        ("2026-10-30", "2026-11-03", "hr-two"),
    ],
)
def test_utc_days_are_the_same_from_the_daily_and_the_hourly_counts(
    client: TestClient, issuer: Issuer, since: str, until: str, brand: str | None
) -> None:
    params = {"since": since, "until": until} | ({"brand_id": brand} if brand else {})
    daily = get(client, issuer, **params)
    hourly = get(client, issuer, granularity="hour", **params)
    assert hourly.pop("by_hour")
    assert daily == hourly == zoned(since, until, ZoneInfo("UTC"), brand)
    assert daily["total_scans"] > 0
    # a zone that is UTC under another name, or GMT over the window
    assert get(client, issuer, tz="Etc/UTC", **params)["window"]["tz"] == "Etc/UTC"
    assert {**get(client, issuer, tz="Etc/UTC", **params), "window": daily["window"]} == daily


def test_a_zone_at_utc_over_an_old_window_is_read_from_the_daily_counts(
    client: TestClient, issuer: Issuer
) -> None:
    """Europe/London's January is UTC's: answered past the hourly retention, from the daily counts."""
    body = get(client, issuer, since="2025-01-01", until="2025-01-31", tz="Europe/London")
    assert body == {
        **expected(OLD_DAYS, NAMES, ORG, None, D("2025-01-01"), D("2025-01-31"), 20),
        "window": {"since": "2025-01-01", "until": "2025-01-31", "tz": "Europe/London"},
    }
    assert body["total_scans"] == 12
    # its summer is not: hourly counts, refused that far back
    assert "hourly counts are kept for 92 days" in refused(
        client, issuer, since="2025-06-01", until="2025-06-30", tz="Europe/London"
    )


def test_chicago_across_the_spring_change(client: TestClient, issuer: Issuer) -> None:
    body = get(
        client, issuer, since="2026-03-07", until="2026-03-09", tz="America/Chicago", granularity="hour"
    )
    by_hour = body.pop("by_hour")
    assert body == zoned("2026-03-07", "2026-03-09", CHICAGO)
    assert body["window"] == {"since": "2026-03-07", "until": "2026-03-09", "tz": "America/Chicago"}
    # 24 + 23 + 24 hours, from 00:00 CST on the 7th (06:00 UTC) to 23:00 CDT on the 9th (04:00 UTC)
    assert len(by_hour) == 71
    labels = [h["hour"] for h in by_hour]
    assert (labels[0], labels[-1]) == ("2026-03-07T00:00:00-06:00", "2026-03-09T23:00:00-05:00")
    assert labels[24:28] == [
        "2026-03-08T00:00:00-06:00",
        "2026-03-08T01:00:00-06:00",
        "2026-03-08T03:00:00-05:00",  # 02:00 does not exist
        "2026-03-08T04:00:00-05:00",
    ]
    day_of_change = [h for h in by_hour if h["hour"].startswith("2026-03-08")]
    assert len(day_of_change) == 23
    want = plain_hours(CHICAGO, "2026-03-07", "2026-03-09")
    assert {h["hour"]: h["scans"] for h in by_hour} == {label: want[label] for label in labels}
    assert set(want) <= set(labels)
    # each day is the sum of its own hours, and the days sum to the total
    for day in body["by_day"]:
        assert day["scans"] == sum(h["scans"] for h in by_hour if h["hour"].startswith(day["date"]))
    assert sum(d["scans"] for d in body["by_day"]) == body["total_scans"] == sum(want.values())
    # 23:00 CST on the 7th is 05:00 UTC on the 8th: a UTC day would put it a day later
    late = utc("2026-03-08T05:00")
    assert by_hour[23] == {
        "hour": "2026-03-07T23:00:00-06:00",
        "scans": sum(r[-1] for r in HOURS if r[0] == late),
    }
    assert by_hour[23]["scans"] > 0


def test_chicago_across_the_autumn_change(client: TestClient, issuer: Issuer) -> None:
    body = get(
        client, issuer, since="2026-10-31", until="2026-11-02", tz="America/Chicago", granularity="hour"
    )
    by_hour = body.pop("by_hour")
    assert body == zoned("2026-10-31", "2026-11-02", CHICAGO)
    assert len(by_hour) == 24 + 25 + 24
    labels = [h["hour"] for h in by_hour]
    assert labels[24:28] == [
        "2026-11-01T00:00:00-05:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T01:00:00-06:00",  # 01:00 again, an hour later
        "2026-11-01T02:00:00-06:00",
    ]
    assert len([x for x in labels if x.startswith("2026-11-01")]) == 25
    want = plain_hours(CHICAGO, "2026-10-31", "2026-11-02")
    assert {h["hour"]: h["scans"] for h in by_hour} == {label: want[label] for label in labels}
    assert sum(h["scans"] for h in by_hour) == body["total_scans"] > 0


def test_days_in_a_zone_without_by_hour(client: TestClient, issuer: Issuer) -> None:
    body = get(
        client, issuer, since="2026-03-07", until="2026-03-09", tz="America/Chicago", brand_id="hr-two"
    )
    assert "by_hour" not in body
    assert body == zoned("2026-03-07", "2026-03-09", CHICAGO, "hr-two")
    # the same days cut at UTC midnight differ: Chicago's days begin five or six hours later
    utc_body = get(client, issuer, since="2026-03-07", until="2026-03-09", brand_id="hr-two")
    assert utc_body["by_day"] != body["by_day"]


@pytest.mark.parametrize(
    ("since", "until", "zone", "brand"),
    [
        ("2026-03-08", "2026-03-08", "America/Chicago", None),  # 23 hours, no whole UTC day inside
        ("2026-11-01", "2026-11-01", "America/Chicago", "hr-one"),  # 25 hours
        ("2026-03-07", "2026-03-08", "America/Chicago", None),  # one whole UTC day and 30 hours round it
        ("2026-03-09", "2026-03-10", "Asia/Tokyo", "hr-two"),  # days beginning at 15:00 UTC
        ("2026-10-31", "2026-11-01", "America/Chicago", None),  # two days across a month
        ("2026-02-25", "2026-04-03", "America/Chicago", None),  # whole March: the monthly rollups
        ("2026-03-01", "2026-03-31", "Europe/Berlin", "hr-one"),  # a month, its last day in summer time
        ("2026-04-17", "2026-04-18", "Pacific/Kiritimati", None),  # +14: days begin at 10:00 UTC
    ],
)
def test_whole_utc_days_and_the_hours_around_them(
    client: TestClient, issuer: Issuer, since: str, until: str, zone: str, brand: str | None
) -> None:
    """Whole UTC days from the daily rollups and the hours before and after them: the plain answer."""
    params = {"since": since, "until": until, "tz": zone} | ({"brand_id": brand} if brand else {})
    body = get(client, issuer, **params)
    assert body == zoned(since, until, ZoneInfo(zone), brand)
    assert body["total_scans"] > 0
    hourly = get(client, issuer, granularity="hour", top="2", **params)
    by_hour = hourly.pop("by_hour")
    assert hourly == zoned(since, until, ZoneInfo(zone), brand, top=2)
    want = plain_hours(ZoneInfo(zone), since, until, brand)
    assert {h["hour"]: h["scans"] for h in by_hour if h["scans"]} == {k: n for k, n in want.items() if n}
    assert sum(h["scans"] for h in by_hour) == body["total_scans"]


def test_bounds_on_the_hourly_path(client: TestClient, issuer: Issuer) -> None:
    params = {"since": "2026-10-30", "until": "2026-11-03", "tz": "America/Chicago"}
    full = get(client, issuer, **params)
    cut = get(client, issuer, top="1", top_agents="2", **params)
    assert cut["top_products"] == full["top_products"][:1]
    assert cut["top_agents"] == full["top_agents"][:2]
    assert {k: v for k, v in cut.items() if k not in ("top_products", "top_agents")} == {
        k: v for k, v in full.items() if k not in ("top_products", "top_agents")
    }
    assert cut == zoned("2026-10-30", "2026-11-03", CHICAGO, top=1) | {"top_agents": full["top_agents"][:2]}


def test_granularity_hour_is_zero_filled(client: TestClient, issuer: Issuer) -> None:
    body = get(client, issuer, since="2026-04-16", until="2026-04-17", granularity="hour")
    by_hour = body["by_hour"]
    assert [h["hour"] for h in by_hour] == [
        (datetime(2026, 4, 16, tzinfo=UTC) + timedelta(hours=i)).isoformat() for i in range(48)
    ]
    per_hour = Counter({r[0]: 0 for r in HOURS})
    for r in HOURS:
        per_hour[r[0]] += r[-1]
    assert [h["scans"] for h in by_hour] == [
        per_hour[datetime(2026, 4, 16, tzinfo=UTC) + timedelta(hours=i)] for i in range(48)
    ]
    assert 0 in [h["scans"] for h in by_hour]  # hours with no scans are listed
    assert sum(h["scans"] for h in by_hour) == body["total_scans"] > 0
    # a window with no scans at all: every hour, all zero
    empty = get(client, issuer, since="2026-05-01", until="2026-05-01", granularity="hour", tz="Asia/Tokyo")
    assert [h["scans"] for h in empty["by_hour"]] == [0] * 24
    assert empty["by_hour"][0]["hour"] == "2026-05-01T00:00:00+09:00"


def test_the_default_window_ends_on_the_callers_today(client: TestClient, issuer: Issuer) -> None:
    """The test clock is noon UTC on 2026-04-17: already the 18th at Kiritimati (+14)."""
    kiritimati = ZoneInfo("Pacific/Kiritimati")
    body = get(client, issuer, tz="Pacific/Kiritimati")
    assert body["window"] == {"since": "2026-03-19", "until": "2026-04-18", "tz": "Pacific/Kiritimati"}
    assert body == zoned("2026-03-19", "2026-04-18", kiritimati)
    assert body["by_day"][-1]["scans"] > 0  # hours from 10:00 UTC on the 17th


def test_beyond_the_hourly_retention(client: TestClient, issuer: Issuer) -> None:
    """92 days are kept: 2026-04-17 (TODAY) and the 91 days before, from 2026-01-16."""
    detail = refused(client, issuer, since="2026-01-15", until="2026-01-31", granularity="hour")
    assert detail == (
        "hourly counts are kept for 92 days, so granularity=hour can be answered for windows from "
        "2026-01-16 on; this window starts on 2026-01-15. Pass since=2026-01-16 or later, or "
        "granularity=day for older days"
    )
    detail = refused(client, issuer, since="2025-12-01", until="2025-12-31", tz="America/Chicago")
    assert "kept for 92 days" in detail and "from 2026-01-16 on" in detail and "tz=UTC" in detail
    assert "from 2026-01-17 on" in refused(client, issuer, since="2026-01-16", tz="Asia/Tokyo")
    # the first day kept is answered, and UTC days of any age from the daily counts
    assert (
        len(get(client, issuer, since="2026-01-16", until="2026-01-16", granularity="hour")["by_hour"]) == 24
    )
    get(client, issuer, since="2026-01-16", until="2026-01-31", tz="America/Chicago")
    get(client, issuer, since="2025-12-01", until="2025-12-31", tz="UTC")


@pytest.mark.parametrize(
    ("zone", "offset"),
    [("Asia/Kolkata", "+05:30"), ("Asia/Kathmandu", "+05:45"), ("America/St_Johns", "-02:30")],
)
@pytest.mark.parametrize("granularity", ["day", "hour"])
def test_zones_off_the_utc_hours_are_refused(
    client: TestClient, issuer: Issuer, zone: str, offset: str, granularity: str
) -> None:
    detail = refused(client, issuer, since="2026-04-10", until="2026-04-16", tz=zone, granularity=granularity)
    assert detail.startswith(f"tz={zone} cannot be answered exactly: scans are counted per UTC hour")
    assert f"in {zone} the day 2026-04-10 begins at" in detail and f"(offset {offset})" in detail
    assert "cannot be split between that day and the one before" in detail
    assert "Use a zone whose offset is a whole number of hours" in detail


def test_a_zone_off_the_utc_hours_only_part_of_the_year(client: TestClient, issuer: Issuer) -> None:
    """Lord Howe Island is +11:00 until 2026-04-05 02:00, then +10:30: refused only where it matters."""
    body = get(client, issuer, since="2026-03-01", until="2026-04-04", tz="Australia/Lord_Howe")
    assert body == zoned("2026-03-01", "2026-04-04", ZoneInfo("Australia/Lord_Howe"))
    detail = refused(client, issuer, since="2026-03-01", until="2026-04-05", tz="Australia/Lord_Howe")
    assert "the day 2026-04-06 begins at 2026-04-05 13:30 UTC (offset +10:30)" in detail


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {"tz": "Mars/Olympus_Mons"},
            "tz must be an IANA time zone name such as UTC, Europe/Paris or "
            "America/Chicago, got 'Mars/Olympus_Mons'",
        ),
        ({"tz": "america/chicago"}, "did you mean America/Chicago?"),
        ({"tz": "+05:00"}, "tz must be an IANA time zone name"),
        ({"tz": "../../../etc/passwd"}, "tz must be an IANA time zone name"),
        ({"tz": "x" * 5000}, "tz must be an IANA time zone name"),
        ({"granularity": "minute"}, "granularity must be day or hour, got 'minute'"),
        ({"granularity": "HOUR"}, "granularity must be day or hour, got 'HOUR'"),
        ({"granularity": ""}, "granularity must be day or hour, got ''"),
    ],
)
def test_unknown_zones_and_granularities(
    client: TestClient, issuer: Issuer, params: dict[str, str], detail: str
) -> None:
    assert detail in refused(client, issuer, **params)


def test_the_openapi_document_describes_hours_and_zones(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    names = {p["name"] for p in doc["paths"][SCANS]["get"]["parameters"]}
    assert {"tz", "granularity"} <= names
    schemas = doc["components"]["schemas"]
    assert "tz" in schemas["Window"]["required"]
    assert "by_hour" in schemas["ScansResponse"]["properties"]
    assert schemas["HourCount"]["properties"]["hour"]["examples"] == ["2026-03-08T01:00:00-06:00"]
