"""by_region and by_city from the places statement's rows: other, unknown, codes (pure).

Which places are named (the threshold, `top_places`, the order of ties) is the statement's
work: tests/integration/api/test_scans_places.py and test_scans_properties.py check it
against a reference over a real database.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from api.places import PlaceRow, place_report


def total(gtin: str | None, scans: int, region_unknown: int, city_unknown: int) -> PlaceRow:
    return ("total", gtin, None, None, None, None, scans, region_unknown, city_unknown)


def region(gtin: str | None, country: str, code: str, name: str, scans: int, rank: int) -> PlaceRow:
    return ("region", gtin, country, code, name, None, scans, rank, None)


def city(gtin: str | None, country: str, code: str, name: str, place: str, scans: int, rank: int) -> PlaceRow:
    return ("city", gtin, country, code, name, place, scans, rank, None)


def test_what_is_not_named_is_other_and_unknown_places_stay_apart() -> None:
    rows = [
        total(None, 38, 7, 11),
        region(None, "US", "US-TX", "Texas", 19, 1),
        region(None, "FR", "FR-IDF", "Île-de-France", 10, 2),
        city(None, "US", "US-TX", "Texas", "Austin", 12, 1),
        city(None, "FR", "FR-IDF", "Île-de-France", "Paris", 10, 2),
    ]
    (regions, cities), per = place_report(rows, [])
    assert cities == {
        "cities": [
            {
                "name": "Austin",
                "region_code": "US-TX",
                "region_name": "Texas",
                "country_code": "US",
                "scans": 12,
            },
            {
                "name": "Paris",
                "region_code": "FR-IDF",
                "region_name": "Île-de-France",
                "country_code": "FR",
                "scans": 10,
            },
        ],
        "other": 5,
        "unknown": 11,
    }
    assert regions == {
        "regions": [
            {"code": "US-TX", "name": "Texas", "country_code": "US", "scans": 19},
            {"code": "FR-IDF", "name": "Île-de-France", "country_code": "FR", "scans": 10},
        ],
        "other": 2,
        "unknown": 7,
    }
    assert per == {}


def test_a_region_known_by_name_only_has_a_null_code() -> None:
    rows = [
        total(None, 3, 0, 0),
        region(None, "DE", "", "Bavaria", 3, 1),
        city(None, "DE", "", "Bavaria", "Munich", 3, 1),
    ]
    (regions, cities), _ = place_report(rows, [])
    assert regions["regions"] == [{"code": None, "name": "Bavaria", "country_code": "DE", "scans": 3}]
    assert cities["cities"][0]["region_code"] is None


def test_products_get_their_own_places_and_only_those_asked_for() -> None:
    rows = [
        total(None, 12, 0, 0),
        total("g1", 12, 0, 0),
        total("g9", 50, 0, 0),
        city(None, "US", "US-TX", "Texas", "Austin", 12, 1),
        city("g1", "US", "US-TX", "Texas", "Austin", 11, 1),
        city("g9", "FR", "FR-IDF", "Île-de-France", "Paris", 50, 1),
    ]
    (_regions, org_cities), per = place_report(rows, ["g1", "g2"])
    assert org_cities["cities"][0]["scans"] == 12
    assert per["g1"][1]["cities"][0]["scans"] == 11 and per["g1"][1]["other"] == 1
    assert per["g2"] == ({"regions": [], "other": 0, "unknown": 0}, {"cities": [], "other": 0, "unknown": 0})
    assert "g9" not in per


@given(st.lists(st.integers(1, 50), max_size=6), st.integers(0, 30), st.integers(0, 30))
def test_sums_stay_whole(named: list[int], unknown: int, unnamed: int) -> None:
    scans = sum(named) + unknown + unnamed
    rows: list[PlaceRow] = [total(None, scans, unknown, unknown)]
    rows += [city(None, "US", "US-TX", "Texas", f"town {i}", n, i + 1) for i, n in enumerate(named)]
    rows += [region(None, "US", f"US-{i}", f"state {i}", n, i + 1) for i, n in enumerate(named)]
    (regions, cities), _ = place_report(rows, [])
    part: dict[str, Any]
    for part, key in ((regions, "regions"), (cities, "cities")):
        assert sum(e["scans"] for e in part[key]) + part["other"] + part["unknown"] == scans
        assert part["other"] == unnamed
