"""The brand analytics page in headless Chromium against the real API and database.

Steps: sign in as a simulated member, read the numbers the page shows and compare them with the
API's JSON for the same query, switch window (7, 90 days, custom), brand and organization, then
the states that say what happened: no data yet, expired token, no membership. Screenshots go to
test-artifacts/dashboard/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.auth.devkeys import mint_token
from scan_analytics.settings import Settings
from tests.integration.dashboard.cdp import Browser, chromium_path
from tests.integration.dashboard.conftest import ACME, ARTIFACTS, GLOBEX, TODAY

pytestmark = pytest.mark.integration

PAGE = "/dashboard/brand-analytics"
SCANS = "/dashboard/api/v1/brand-analytics/scans"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.fail(
            "Chromium is missing: install Debian's package (apt-get install -y chromium); "
            ".ci/run installs it when missing"
        )
    b = Browser(executable)
    yield b
    b.close()


def api_json(api_url: str, settings: Settings, user: str, query: dict[str, str]) -> dict[str, Any]:
    token = mint_token(settings, user, ttl_seconds=300)
    answer = httpx.get(f"{api_url}{SCANS}", params=query, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def shown(browser: Browser) -> dict[str, Any]:
    """What the page displays: the totals, the table, the window and the charts' data."""
    return browser.evaluate("""(() => {
      const text = (id) => document.getElementById(id).textContent;
      const data = (id) => { const c = Chart.getChart(id); return c ? {labels: c.data.labels,
                             values: c.data.datasets[0].data} : null; };
      const cells = (id) => [...document.querySelectorAll(`#${id} tbody tr`)].map(
                tr => [...tr.cells].map(td => td.textContent));
      return {total: text('total'), billable: text('billable'), bots: text('bots'),
              humans: text('humans'), agents: text('agents'),
              window: text('window-label'), rows: cells('products'), agentRows: cells('agents-table'),
              byDay: data('by-day'), byCountry: data('by-country'), byDevice: data('by-device')};
    })()""")


def pairs(d: dict[str, int], n: int) -> str:
    return " · ".join(f"{k} {v}" for k, v in list(d.items())[:n])


def assert_matches(browser: Browser, expected: dict[str, Any]) -> None:
    page = shown(browser)
    assert page["total"] == str(expected["total_scans"])
    assert page["billable"] == str(expected["billable_scans"])
    assert page["bots"] == str(expected["bot_scans"])
    assert page["humans"] == str(expected["human_scans"])
    assert page["agents"] == str(expected["agent_scans"])
    w = expected["window"]
    assert page["window"].startswith(f"{expected['organization_id']} · {w['since']} to {w['until']}")
    assert page["rows"] == [
        [
            p["gtin"],
            p["product_name"] or "—",
            p["brand"] or "—",
            str(p["scans"]),
            str(p["billable_scans"]),
            str(p["scans"] - p["billable_scans"]),
            str(p["by_traffic_class"]["ai_agent"]),
            pairs(p["by_country"], 3),
            pairs(p["by_device"], 4),
        ]
        for p in expected["top_products"]
    ]
    assert page["agentRows"] == [
        [
            *(a[k] or "—" for k in ("name", "category", "operator", "verification")),
            a["traffic_class"],
            str(a["scans"]),
        ]
        for a in expected["top_agents"]
    ]
    assert page["byDay"] == {
        "labels": [d["date"] for d in expected["by_day"]],
        "values": [d["scans"] for d in expected["by_day"]],
    }
    assert page["byCountry"] == {
        "labels": list(expected["by_country"]),
        "values": list(expected["by_country"].values()),
    }
    devices: dict[str, int] = {}
    for p in expected["top_products"]:
        for k, v in p["by_device"].items():
            devices[k] = devices.get(k, 0) + v
    assert page["byDevice"] == {"labels": list(devices), "values": list(devices.values())}


def settle(browser: Browser, before: int) -> dict[str, Any]:
    """Wait for the load started after `before` loads to finish; return the page's query."""
    browser.wait_for(
        f"window.__loads > {before} && ['ready', 'empty', 'error'].includes(window.__dashboard.state)"
    )
    query: dict[str, Any] = browser.evaluate("window.__dashboard.query")
    return query


def choose(browser: Browser, select: str, value: str) -> dict[str, Any]:
    before = browser.evaluate("window.__loads")
    browser.evaluate(
        f"(() => {{ const s = document.getElementById('{select}'); s.value = '{value}';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    return settle(browser, before)


def sign_in_as(browser: Browser, api_url: str, user: str) -> None:
    browser.goto(f"{api_url}{PAGE}")
    browser.evaluate("sessionStorage.clear()")
    browser.goto(f"{api_url}{PAGE}")
    browser.wait_for("!document.getElementById('dev-sign-in').hidden")
    browser.evaluate(f"document.getElementById('dev-user').value = '{user}'")
    browser.evaluate("window.__loads = 0; document.getElementById('dev-go').click()")


def test_page_shows_the_apis_numbers(browser: Browser, api_url: str, dash_settings: Settings) -> None:
    started = time.perf_counter()
    browser.goto(f"{api_url}{PAGE}")
    browser.evaluate("sessionStorage.clear()")
    browser.wait_for("window.__dashboard.state === 'signed-out'")
    assert browser.evaluate("document.getElementById('dev-user').options.length") == 2
    sign_in_as(browser, api_url, "dana")
    query = settle(browser, 0)
    ready_ms = browser.evaluate("performance.now()")
    assert browser.evaluate("window.__dashboard.state") == "ready"
    assert query == {
        "organization_id": ACME,
        "top": "20",
        "top_agents": "10",
        "since": "2026-03-18",
        "until": str(TODAY),
    }
    # people, agents and a spoofed Googlebot are all on the page
    assert shown(browser)["agentRows"] and browser.evaluate("document.querySelectorAll('td.spoofed').length")
    # the org switcher appears for a member of several organizations
    assert browser.evaluate("!document.getElementById('org-field').hidden")
    expected = api_json(api_url, dash_settings, "dana", query)
    token = mint_token(dash_settings, "dana", ttl_seconds=300)
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as http:
        api_started = time.perf_counter()
        again = http.get(f"{api_url}{SCANS}", params=query)
        api_ms = (time.perf_counter() - api_started) * 1000
    assert again.json() == expected
    assert browser.evaluate("window.__dashboard.response") == expected
    assert_matches(browser, expected)
    timings = {
        "page_ready_ms_since_navigation": round(ready_ms, 1),
        "page_scans_fetch_and_render_ms": round(browser.evaluate("window.__dashboard.loadMs"), 1),
        "api_same_query_ms": round(api_ms, 1),
        "test_step_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2))
    print("timings", timings)
    browser.screenshot(ARTIFACTS / "01-last-30-days.png")

    for value, since, name in (
        ("7", "2026-04-10", "02-last-7-days"),
        ("90", "2026-01-17", "03-last-90-days"),
    ):
        query = choose(browser, "window", value)
        assert query["since"] == since
        assert_matches(browser, api_json(api_url, dash_settings, "dana", query))
        browser.screenshot(ARTIFACTS / f"{name}.png")

    before = browser.evaluate("window.__loads")
    browser.evaluate("""(() => { const w = document.getElementById('window'); w.value = 'custom';
      w.dispatchEvent(new Event('change'));
      document.getElementById('since').value = '2026-02-01';
      document.getElementById('until').value = '2026-02-14';
      document.getElementById('filters').requestSubmit(); })()""")
    query = settle(browser, before)
    assert (query["since"], query["until"]) == ("2026-02-01", "2026-02-14")
    assert_matches(browser, api_json(api_url, dash_settings, "dana", query))

    query = choose(browser, "brand", "acme-drinks")
    assert query["brand_id"] == "acme-drinks"
    expected = api_json(api_url, dash_settings, "dana", query)
    assert [p["brand"] for p in expected["top_products"]] == ["Acme Drinks"]
    assert_matches(browser, expected)
    # the scraped product's bot count is flagged
    assert browser.evaluate("document.querySelectorAll('td.bots-high').length") == 1
    browser.screenshot(ARTIFACTS / "04-brand-acme-drinks.png")

    query = choose(browser, "org", GLOBEX)
    assert query["organization_id"] == GLOBEX and "brand_id" not in query
    assert browser.evaluate("[...document.getElementById('brand').options].map(o => o.value)") == [
        "",
        "globex-tools",
    ]
    assert_matches(browser, api_json(api_url, dash_settings, "dana", query))
    browser.screenshot(ARTIFACTS / "05-organization-globex.png")


def test_no_data_yet(browser: Browser, api_url: str) -> None:
    sign_in_as(browser, api_url, "eve")
    settle(browser, 0)
    assert browser.evaluate("window.__dashboard.state") == "empty"
    message = browser.evaluate("document.getElementById('status').textContent")
    assert message.startswith("No scans yet for dash-quiet between 2026-03-18 and 2026-04-17")
    assert browser.evaluate("document.getElementById('report').hidden")
    browser.screenshot(ARTIFACTS / "06-no-data-yet.png")


def with_token(browser: Browser, api_url: str, token: str) -> str:
    # The token is stored from a page of the same origin that runs no script: the dashboard,
    # still starting with the token of an earlier test, would store that one again over it.
    browser.goto(f"{api_url}/dashboard/api/v1/config")
    browser.evaluate(f"sessionStorage.setItem('sa.token', {json.dumps(token)})")
    browser.goto(f"{api_url}{PAGE}")
    browser.wait_for("window.__dashboard.state === 'error'")
    message: str = browser.evaluate("document.getElementById('status').textContent")
    return message


def test_expired_token_says_so(browser: Browser, api_url: str, dash_settings: Settings) -> None:
    expired = mint_token(dash_settings, "dana", ttl_seconds=60, now=time.time() - 3600)
    message = with_token(browser, api_url, expired)
    assert message == "Your sign-in has expired. Sign in again to see the numbers."
    assert not browser.evaluate("document.getElementById('sign-in').hidden")
    assert browser.evaluate("sessionStorage.getItem('sa.token')") is None
    browser.screenshot(ARTIFACTS / "07-expired-token.png")


def test_no_membership_says_so(browser: Browser, api_url: str, dash_settings: Settings) -> None:
    message = with_token(browser, api_url, mint_token(dash_settings, "ghost", ttl_seconds=300))
    assert message.startswith("No membership: user ghost is not a member of any organization.")
    assert browser.evaluate("document.getElementById('report').hidden")
    browser.screenshot(ARTIFACTS / "08-no-membership.png")
