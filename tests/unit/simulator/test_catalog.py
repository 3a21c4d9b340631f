"""The simulated catalog: valid, distinct GTINs and a stable ownership."""

from __future__ import annotations

from collections import Counter

import pytest

from schemas.validation import normalize_gtin
from simulator.catalog import build_catalog, zipf_weights


def test_gtins_are_valid_distinct_and_in_several_lengths() -> None:
    catalog = build_catalog(4, 5, 30)
    assert len(catalog.products) == 4 * 5 * 30
    assert len({p.gtin14 for p in catalog.products}) == len(catalog.products)
    assert all(normalize_gtin(p.gtin) == p.gtin14 for p in catalog.products)
    assert {len(p.gtin) for p in catalog.products} == {8, 12, 13, 14}


def test_ownership_does_not_depend_on_catalog_size() -> None:
    small = {p.gtin14: (p.brand_id, p.organization_id) for p in build_catalog(2, 2, 5).products}
    large = {p.gtin14: (p.brand_id, p.organization_id) for p in build_catalog(5, 4, 40).products}
    assert all(large[g] == owner for g, owner in small.items())


def test_brands_belong_to_their_organizations() -> None:
    catalog = build_catalog()
    orgs = {o.organization_id for o in catalog.organizations}
    brands = {b.brand_id: b.organization_id for b in catalog.brands}
    assert set(brands.values()) <= orgs
    assert all(brands[p.brand_id] == p.organization_id for p in catalog.products)


def test_demo_memberships_have_at_most_one_default_per_user() -> None:
    catalog = build_catalog()
    defaults = Counter(m.user_id for m in catalog.memberships if m.is_default)
    assert defaults["alice"] == 1 and max(defaults.values()) == 1
    alice = [m for m in catalog.memberships if m.user_id == "alice"]
    assert alice[0].organization_id == catalog.organizations[0].organization_id


@pytest.mark.parametrize(("orgs", "brands", "products"), [(0, 1, 1), (11, 1, 1), (1, 0, 1), (1, 1, 1000)])
def test_sizes_out_of_range_are_refused(orgs: int, brands: int, products: int) -> None:
    with pytest.raises(ValueError):
        build_catalog(orgs, brands, products)


def test_zipf_weights_decrease() -> None:
    w = zipf_weights(10)
    assert w == sorted(w, reverse=True) and w[0] == 1.0
