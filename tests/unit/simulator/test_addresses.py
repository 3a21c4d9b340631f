"""Client addresses and the operators' range lists the simulator reads."""

from __future__ import annotations

import ipaddress
import json
import random
from pathlib import Path

import pytest

from scan_analytics.devgeo import country_of
from simulator.addresses import AddressBook, geo_country, load_ranges, parse_range_list


def doc(*prefixes: str) -> dict[str, object]:
    key = {4: "ipv4Prefix", 6: "ipv6Prefix"}
    return {
        "creationTime": "2026-10-07T00:00:00Z",
        "prefixes": [{key[ipaddress.ip_network(p, strict=False).version]: p} for p in prefixes],
    }


def test_draws_stay_inside_the_list_even_for_single_addresses() -> None:
    ranges = parse_range_list("x", doc("34.162.230.222/32", "17.241.208.160/27", "2600:1f28:365:80b0::/60"))
    rng = random.Random(1)
    drawn = {ranges.draw(rng) for _ in range(300)}
    assert "34.162.230.222" in drawn
    assert all(ip in ranges for ip in drawn)
    assert any(":" in ip for ip in drawn)


def test_membership_by_address() -> None:
    ranges = parse_range_list("x", doc("17.241.208.160/27", "2a01:4f8::/32"))
    assert "17.241.208.191" in ranges and "17.241.208.192" not in ranges
    assert "::ffff:17.241.208.170" in ranges  # an IPv4-mapped address is its IPv4 address
    assert "2a01:4f8:1::1" in ranges and "24.16.0.1" not in ranges


@pytest.mark.parametrize(
    "bad",
    [[], {"prefixes": []}, {"prefixes": [{"ipv4Prefix": 7}]}, {"prefixes": [{"ipv4Prefix": "1.2.3.999/8"}]}],
)
def test_lists_not_in_the_operators_shape_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_range_list("bad", bad)


def test_load_reads_every_list_but_the_sources(tmp_path: Path) -> None:
    (tmp_path / "SOURCES.json").write_text(json.dumps({"a": {"operator": "A"}}))
    (tmp_path / "b-list.json").write_text(json.dumps(doc("20.171.206.0/24")))
    (tmp_path / "a.json").write_text(json.dumps(doc("216.73.216.0/22")))
    (tmp_path / "notes.txt").write_text("not a list")
    lists = load_ranges(tmp_path)
    assert list(lists) == ["a", "b-list"]
    assert "216.73.216.9" in lists["a"] and "20.171.206.9" in lists["b-list"]
    assert load_ranges(tmp_path / "absent") == {}


def test_the_shipped_lists_load_and_draws_get_the_dev_tables_country() -> None:
    lists = load_ranges()
    assert lists  # the project ships at least one list
    rng = random.Random(2)
    for ranges in lists.values():
        for _ in range(20):
            ip = ranges.draw(rng)
            assert ip in ranges
            assert geo_country(ip) == (country_of(ip) or "unknown")


def test_addresses_outside_the_dev_table_have_the_unknown_country() -> None:
    assert geo_country("216.73.216.5") == "unknown"  # an Anthropic address: no record
    assert geo_country("24.16.3.4") == "US"


def test_the_address_book_draws_outside_the_lists_it_is_told_to_avoid() -> None:
    everything_v4 = parse_range_list("all-v4", doc("0.0.0.0/0"))
    book = AddressBook(random.Random(3), unknown_share=0.0)
    for _ in range(100):
        ip, country = book.draw(avoid=[everything_v4])
        assert ":" in ip and country != "unknown"
