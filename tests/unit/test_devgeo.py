"""The development GeoIP database: City-layout records, the simulator's truth, rebuilt when stale."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import maxminddb
import pytest

from scan_analytics import devgeo
from scan_analytics.devgeo import CITIES, COUNTRY_NETWORKS, build_country_mmdb, ensure_country_mmdb, place_of


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_country_mmdb(tmp_path_factory.mktemp("geo") / "dev-country.mmdb")


def test_every_city_is_in_its_countrys_networks_with_an_iso_3166_2_region() -> None:
    for iso, cities in CITIES.items():
        assert iso in COUNTRY_NETWORKS and 1 <= len(cities) <= 3
        for city, v4, v6 in devgeo.city_networks(iso):
            _, c4, c6 = COUNTRY_NETWORKS[iso]
            assert v4.subnet_of(ipaddress.IPv4Network(c4)) and v6.subnet_of(ipaddress.IPv6Network(c6))
            assert 1 <= len(city.subdivision) <= 3 and city.subdivision.isalnum()


def test_records_have_the_geoip2_city_layout(database: Path) -> None:
    with maxminddb.open_database(str(database)) as reader:
        assert reader.metadata().database_type == "GeoLite2-City"
        austin = reader.get("24.16.1.2")
        country_only = reader.get("24.16.250.1")
    assert isinstance(austin, dict) and isinstance(country_only, dict)
    assert austin["country"] == {"iso_code": "US", "names": {"en": "United States"}}
    assert austin["subdivisions"] == [{"iso_code": "TX", "names": {"en": "Texas"}}]
    assert austin["city"] == {"names": {"en": "Austin"}}
    assert austin["location"]["time_zone"] == "America/Chicago"  # type: ignore[index]
    assert country_only == {"country": {"iso_code": "US", "names": {"en": "United States"}}}


def test_place_of_is_what_the_database_says(database: Path) -> None:
    with maxminddb.open_database(str(database)) as reader:
        for iso, (_, v4, v6) in COUNTRY_NETWORKS.items():
            for network in (ipaddress.ip_network(v4), ipaddress.ip_network(v6)):
                step = network.num_addresses // 16
                for i in range(16):
                    ip = str(network.network_address + i * step + 3)
                    record = reader.get(ip)
                    assert isinstance(record, dict)
                    place = place_of(ip)
                    assert place is not None and place.country == iso == record["country"]["iso_code"]
                    city = record.get("city")
                    assert place.city == (city["names"]["en"] if city else None)  # type: ignore[index]
        assert reader.get("45.0.0.1") is None and place_of("45.0.0.1") is None


def test_a_development_file_from_older_tables_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dev-country.mmdb"
    monkeypatch.setattr(devgeo, "BUILD", 1)
    build_country_mmdb(path)
    monkeypatch.undo()
    ensure_country_mmdb(path)
    with maxminddb.open_database(str(path)) as reader:
        assert reader.metadata().description["en"].endswith(f"build {devgeo.BUILD}")
    before = path.stat().st_mtime_ns
    ensure_country_mmdb(path)
    assert path.stat().st_mtime_ns == before


def test_a_file_it_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "dev-country.mmdb"
    path.write_bytes(b"not a database")
    ensure_country_mmdb(path)
    assert path.read_bytes() == b"not a database"
    assert not list(tmp_path.glob("*.tmp"))
