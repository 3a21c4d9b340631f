from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from api.document import DocumentResponse
from api.params import ScanQuery
from api.report import Row, build_report, document, expand
from api.window import Window

Q = ScanQuery(organization_id=None, brand_id=None, window=Window(date(2026, 1, 30), date(2026, 2, 2)), top=2)


def test_build_report() -> None:
    rows = [
        Row("total", None, None, 12, 9),
        Row("product", "00000000000024", None, 5, 5, None, None),
        Row("product", "00000000000017", None, 5, 2, "Widget", "Acme"),
        Row("product_country", "00000000000017", "US", 2),
        Row("product_country", "00000000000017", "unknown", 3),
        Row("product_device", "00000000000017", "desktop", 5),
        Row("product_country", "00000000000024", "DE", 5),
        Row("product_device", "00000000000024", "mobile", 4),
        Row("product_device", "00000000000024", "tablet", 1),
        Row("country", "US", None, 4),
        Row("country", "unknown", None, 3),
        Row("country", "DE", None, 5),
        Row("day", "2026-01-31", None, 12),
        Row("agent_total", None, None, 2),
        Row("product_agent", "00000000000017", None, 2),
        Row("agent", None, None, 2, agent=["ai_agent", "ai_assistant", "ChatGPT-User", "OpenAI", "verified"]),
        Row("agent", None, None, 1, agent=["bot", "high_rate", "", "", ""]),
    ]
    assert build_report("org", Q, rows) == {
        "organization_id": "org",
        "window": {"since": "2026-01-30", "until": "2026-02-02", "tz": "UTC"},
        "total_scans": 12,
        "billable_scans": 9,
        "bot_scans": 3,
        "human_scans": 9,
        "agent_scans": 2,
        "top_products": [
            {
                "gtin": "00000000000017",
                "product_name": "Widget",
                "brand": "Acme",
                "scans": 5,
                "billable_scans": 2,
                "by_country": {"unknown": 3, "US": 2},
                "by_device": {"desktop": 5},
                "by_traffic_class": {"human": 2, "ai_agent": 2, "bot": 1},
            },
            {
                "gtin": "00000000000024",
                "product_name": None,
                "brand": None,
                "scans": 5,
                "billable_scans": 5,
                "by_country": {"DE": 5},
                "by_device": {"mobile": 4, "tablet": 1},
                "by_traffic_class": {"human": 5, "ai_agent": 0, "bot": 0},
            },
        ],
        "top_agents": [
            {
                "name": "ChatGPT-User",
                "category": "ai_assistant",
                "operator": "OpenAI",
                "verification": "verified",
                "traffic_class": "ai_agent",
                "scans": 2,
            },
            {
                "name": None,
                "category": "high_rate",
                "operator": None,
                "verification": None,
                "traffic_class": "bot",
                "scans": 1,
            },
        ],
        "by_country": {"DE": 5, "US": 4, "unknown": 3},
        "by_day": [
            {"date": "2026-01-30", "scans": 0},
            {"date": "2026-01-31", "scans": 12},
            {"date": "2026-02-01", "scans": 0},
            {"date": "2026-02-02", "scans": 0},
        ],
    }


def test_empty_window_is_zero_filled() -> None:
    report = build_report("org", Q, [Row("total", None, None, 0, 0)])
    assert report["total_scans"] == report["billable_scans"] == report["bot_scans"] == 0
    assert report["human_scans"] == report["agent_scans"] == 0
    assert report["top_products"] == [] and report["by_country"] == {} and report["top_agents"] == []
    assert [d["scans"] for d in report["by_day"]] == [0, 0, 0, 0]


def test_top_is_a_bound() -> None:
    rows = [Row("product", f"{i:014d}", None, 10 - i, 0) for i in range(5)]
    report = build_report("org", Q, rows)
    assert [p["gtin"] for p in report["top_products"]] == ["00000000000000", "00000000000001"]


def test_top_agents_order_and_bound() -> None:
    """By scans, then name with no name last, then the other fields; at most top_agents."""

    def agent(n: int, *key: str) -> Row:
        return Row("agent", None, None, n, agent=list(key))

    rows = [
        agent(5, "bot", "unknown_bot", "", "", ""),
        agent(5, "bot", "search_crawler", "Googlebot", "Google", "verified"),
        agent(5, "bot", "unknown_bot", "Googlebot", "Google", "spoofed"),
        agent(5, "ai_agent", "ai_search", "Applebot", "Apple", "verified"),
        agent(9, "bot", "high_rate", "", "", ""),
        agent(1, "ai_agent", "ai_assistant", "other", "", "unverified"),
    ]
    query = ScanQuery(None, None, Q.window, 2, top_agents=5)
    report = build_report("org", query, reversed(rows))
    assert [(a["scans"], a["name"], a["category"], a["verification"]) for a in report["top_agents"]] == [
        (9, None, "high_rate", None),
        (5, "Applebot", "ai_search", "verified"),
        (5, "Googlebot", "search_crawler", "verified"),
        (5, "Googlebot", "unknown_bot", "spoofed"),
        (5, None, "unknown_bot", None),
    ]


def test_counts_rank_by_count_then_key() -> None:
    rows = [
        Row("total", None, None, 14, 14),
        Row("product", "00000000000017", None, 14, 14),
        *(
            Row("product_country", "00000000000017", cc, n)
            for cc, n in (("US", 2), ("DE", 5), ("AT", 2), ("FR", 5))
        ),
        *(Row("country", cc, None, n) for cc, n in (("US", 2), ("unknown", 5), ("AT", 2), ("FR", 5))),
        Row("product_device", "00000000000017", "mobile", 14),
    ]
    report = build_report("org", Q, rows)
    assert list(report["top_products"][0]["by_country"].items()) == [
        ("DE", 5),
        ("FR", 5),
        ("AT", 2),
        ("US", 2),
    ]
    assert list(report["by_country"].items()) == [("FR", 5), ("unknown", 5), ("AT", 2), ("US", 2)]
    assert report["top_products"][0]["by_device"] == {"mobile": 14}


def test_plain_tuples_read_as_rows() -> None:
    """The statement's rows are plain tuples in the order of Row's fields."""
    rows = [
        Row("total", None, None, 12, 9),
        Row("product", "00000000000017", None, 5, 2, "Widget", "Acme"),
        Row("product_country", "00000000000017", "US", 5),
        Row("day", "2026-01-31", None, 12),
        Row("agent", None, None, 2, agent=["ai_agent", "ai_assistant", "ChatGPT-User", "OpenAI", "verified"]),
    ]
    assert build_report("org", Q, [tuple(r) for r in rows]) == build_report("org", Q, rows)


def test_hours_make_the_callers_days_and_hours() -> None:
    """On the hourly path the rows carry UTC hours (epoch seconds): days and hours in the caller's zone."""
    chicago = ZoneInfo("America/Chicago")
    query = ScanQuery(
        None,
        None,
        Window(date(2026, 3, 7), date(2026, 3, 8)),
        2,
        zone=chicago,
        granularity="hour",
        hourly=True,
    )

    def hour(utc: str, n: int) -> Row:
        return Row("hour", str(int(datetime.fromisoformat(utc + "+00:00").timestamp())), None, n)

    rows = [
        Row("total", None, None, 15, 15),
        hour("2026-03-07T06:00", 1),  # 00:00 CST on the 7th
        hour("2026-03-08T05:00", 2),  # 23:00 CST on the 7th
        hour("2026-03-08T08:00", 4),  # 03:00 CDT on the 8th: 02:00 does not exist
        hour("2026-03-09T04:00", 8),  # 23:00 CDT on the 8th
    ]
    report = build_report("org", query, rows)
    assert report["window"] == {"since": "2026-03-07", "until": "2026-03-08", "tz": "America/Chicago"}
    assert report["by_day"] == [{"date": "2026-03-07", "scans": 3}, {"date": "2026-03-08", "scans": 12}]
    assert len(report["by_hour"]) == 24 + 23
    assert report["by_hour"][:2] == [
        {"hour": "2026-03-07T00:00:00-06:00", "scans": 1},
        {"hour": "2026-03-07T01:00:00-06:00", "scans": 0},
    ]
    assert {h["hour"]: h["scans"] for h in report["by_hour"] if h["scans"]} == {
        "2026-03-07T00:00:00-06:00": 1,
        "2026-03-07T23:00:00-06:00": 2,
        "2026-03-08T03:00:00-05:00": 4,
        "2026-03-08T23:00:00-05:00": 8,
    }
    # granularity=day: the same days, no by_hour
    days = build_report("org", replace(query, granularity="day"), rows)
    assert days["by_day"] == report["by_day"] and "by_hour" not in days


def test_by_hour_only_with_granularity_hour() -> None:
    assert "by_hour" not in build_report("org", Q, [Row("total", None, None, 0, 0)])
    hourly = replace(Q, granularity="hour", hourly=True)
    report = build_report("org", hourly, [Row("total", None, None, 0, 0)])
    assert len(report["by_hour"]) == 4 * 24
    assert report["by_hour"][0] == {"hour": "2026-01-30T00:00:00+00:00", "scans": 0}


def test_document_keeps_the_statements_json_and_expand_decodes_it() -> None:
    products = '[{"gtin":"00000000000017","product_name":"W\\"","brand":null,"scans":5}]'
    row = (12, 9, 2, products, "[]", '{"US":7,"DE":5}', '[{"date":"2026-01-30","scans":12}]')
    report = document("org", Q, row)
    assert list(report) == [
        "organization_id",
        "window",
        "total_scans",
        "billable_scans",
        "bot_scans",
        "human_scans",
        "agent_scans",
        "top_products",
        "top_agents",
        "by_country",
        "by_day",
    ]
    assert (
        DocumentResponse(report).body
        == (
            '{"organization_id":"org","window":{"since":"2026-01-30","until":"2026-02-02","tz":"UTC"},'
            '"total_scans":12,"billable_scans":9,"bot_scans":3,"human_scans":9,"agent_scans":2,'
            f'"top_products":{products},"top_agents":[],"by_country":{{"US":7,"DE":5}},'
            '"by_day":[{"date":"2026-01-30","scans":12}]}'
        ).encode()
    )
    expanded = expand(report)
    assert expanded is report
    assert report["top_products"] == [
        {"gtin": "00000000000017", "product_name": 'W"', "brand": None, "scans": 5}
    ]
    assert list(report["by_country"].items()) == [("US", 7), ("DE", 5)]
    assert report["top_agents"] == [] and report["by_day"] == [{"date": "2026-01-30", "scans": 12}]
    assert expand(report) == report  # nothing left to decode
