"""by_region and by_city from place rows: thresholds, bounds, whole sums (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.places import breakdown, place_report

AUSTIN = ("US", "US-TX", "Texas", "Austin")
DALLAS = ("US", "US-TX", "Texas", "Dallas")
PARIS = ("FR", "FR-IDF", "Île-de-France", "Paris")
TEXAS_ONLY = ("US", "US-TX", "Texas", "")
NOWHERE = ("unknown", "", "", "")
NAME_ONLY = ("DE", "", "Bavaria", "Munich")  # DB-IP: a region name without its code


def test_small_places_fold_into_other_and_unknown_places_stay_apart() -> None:
    rows = [(*AUSTIN, 12), (*DALLAS, 3), (*PARIS, 10), (*TEXAS_ONLY, 4), (*NOWHERE, 7), (*NAME_ONLY, 2)]
    regions, cities = breakdown(rows, top=10, min_scans=10)
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
        "other": 5,  # Dallas and Munich
        "unknown": 11,  # Texas without a city, and nowhere
    }
    assert regions == {
        "regions": [
            {"code": "US-TX", "name": "Texas", "country_code": "US", "scans": 19},
            {"code": "FR-IDF", "name": "Île-de-France", "country_code": "FR", "scans": 10},
        ],
        "other": 2,  # Bavaria
        "unknown": 7,
    }


def test_ties_are_ordered_by_name_and_top_bounds_the_names() -> None:
    rows = [(*DALLAS, 10), (*AUSTIN, 10), (*PARIS, 30)]
    _regions, cities = breakdown(rows, top=2, min_scans=1)
    assert [c["name"] for c in cities["cities"]] == ["Paris", "Austin"]
    assert cities["other"] == 10


def test_a_region_known_by_name_only_has_a_null_code() -> None:
    regions, cities = breakdown([(*NAME_ONLY, 3)], top=5, min_scans=1)
    assert regions["regions"] == [{"code": None, "name": "Bavaria", "country_code": "DE", "scans": 3}]
    assert cities["cities"][0]["region_code"] is None


def test_products_get_their_own_places() -> None:
    rows = [(None, *AUSTIN, 12), ("g1", *AUSTIN, 11), ("g1", *DALLAS, 1), ("g9", *PARIS, 50)]
    (_regions, org_cities), per = place_report(rows, ["g1", "g2"], top=10, min_scans=10)
    assert org_cities["cities"][0]["scans"] == 12
    assert per["g1"][1]["cities"][0]["scans"] == 11 and per["g1"][1]["other"] == 1
    assert per["g2"][1] == {"cities": [], "other": 0, "unknown": 0}
    assert "g9" not in per  # not among the products asked for


places = st.sampled_from([AUSTIN, DALLAS, PARIS, TEXAS_ONLY, NOWHERE, NAME_ONLY])


@given(
    st.lists(st.tuples(places, st.integers(0, 50))),
    st.integers(1, 5),
    st.integers(1, 20),
)
def test_sums_stay_whole_and_no_small_place_is_named(
    rows: list[tuple[tuple[str, str, str, str], int]], top: int, min_scans: int
) -> None:
    regions, cities = breakdown([(*p, n) for p, n in rows], top, min_scans)
    total = sum(n for _p, n in rows)
    for part, named in ((regions, "regions"), (cities, "cities")):
        assert sum(e["scans"] for e in part[named]) + part["other"] + part["unknown"] == total
        assert len(part[named]) <= top and all(e["scans"] >= min_scans for e in part[named])
        assert part["other"] >= 0
