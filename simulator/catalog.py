"""The simulated catalog: organizations, brands and products with valid GTINs; pure."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from schemas.validation import gtin_check_digit

ORGANIZATION_NAMES: Final = (
    "Acme Foods",
    "Northwind Beverages",
    "Globex Household",
    "Initech Pharma",
    "Umbrella Cosmetics",
    "Stark Outdoor",
    "Wayne Apparel",
    "Tyrell Electronics",
    "Soylent Snacks",
    "Hooli Home",
)
BRAND_WORDS: Final = (
    "Sunrise",
    "Harbor",
    "Alpine",
    "Meadow",
    "Crest",
    "Ember",
    "Nova",
    "Willow",
    "Summit",
    "Coral",
    "Falcon",
    "Maple",
    "Orbit",
    "Pioneer",
    "Quartz",
    "Riviera",
)
PRODUCT_WORDS: Final = (
    "Granola",
    "Sparkling Water",
    "Dish Soap",
    "Vitamin C",
    "Face Cream",
    "Trail Boots",
    "Denim Jacket",
    "Earbuds",
    "Crackers",
    "Candle",
    "Coffee Beans",
    "Olive Oil",
    "Shampoo",
    "Tea",
    "Chocolate Bar",
)
# The catalog does not depend on the simulation seed, so runs with different
# seeds against one database agree on which brand owns which GTIN.
CATALOG_SEED: Final = 20240601
DEMO_MEMBERSHIPS: Final = (("alice", 0, True), ("bob", 0, False), ("bob", 1, True), ("carol", 2, True))


@dataclass(frozen=True, slots=True)
class Organization:
    organization_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Brand:
    brand_id: str
    organization_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Product:
    gtin: str  # as printed on the pack: 8, 12, 13 or 14 digits
    gtin14: str
    brand_id: str
    organization_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Membership:
    user_id: str
    organization_id: str
    is_default: bool


@dataclass(frozen=True, slots=True)
class Catalog:
    organizations: tuple[Organization, ...]
    brands: tuple[Brand, ...]
    products: tuple[Product, ...]
    memberships: tuple[Membership, ...]


def make_gtin(body: str) -> str:
    """Append the GS1 check digit to body."""
    return body + str(gtin_check_digit(body))


def _gtin(org: int, brand: int, item: int) -> str:
    # Mostly GTIN-13 under a per-organization company prefix; some GTIN-12, -8, -14.
    serial = brand * 1000 + item
    kind = item % 10
    if kind == 7:
        return make_gtin(f"0{61 + org:02d}{serial:08d}")  # GTIN-12 (UPC-A), 11-digit body
    if kind == 8:
        return make_gtin(f"9{org:01d}{serial % 100000:05d}")  # GTIN-8, 7-digit body
    if kind == 9:
        return make_gtin(f"1{400 + org:03d}{serial:09d}")  # GTIN-14, indicator digit 1
    return make_gtin(f"{400 + org:03d}{serial:09d}")  # GTIN-13


def build_catalog(
    organizations: int = 3, brands_per_organization: int = 3, products_per_brand: int = 20
) -> Catalog:
    """Return a deterministic catalog of the given size."""
    if not 1 <= organizations <= len(ORGANIZATION_NAMES):
        raise ValueError(f"organizations must be 1..{len(ORGANIZATION_NAMES)}")
    if not 1 <= brands_per_organization <= 99 or not 1 <= products_per_brand <= 999:
        raise ValueError("brands_per_organization must be 1..99 and products_per_brand 1..999")
    rng = random.Random(CATALOG_SEED)
    orgs, brands, products = [], [], []
    for o in range(organizations):
        name = ORGANIZATION_NAMES[o]
        org = Organization(f"org-{name.split()[0].lower()}", name)
        orgs.append(org)
        for b in range(brands_per_organization):
            brand = Brand(
                f"{org.organization_id}-{b + 1:02d}",
                org.organization_id,
                f"{BRAND_WORDS[(o * 5 + b) % len(BRAND_WORDS)]} by {name.split()[0]}",
            )
            brands.append(brand)
            for p in range(products_per_brand):
                gtin = _gtin(o, b, p)
                label = f"{rng.choice(PRODUCT_WORDS)} {p + 1}"
                products.append(Product(gtin, gtin.zfill(14), brand.brand_id, org.organization_id, label))
    memberships = tuple(
        Membership(user, orgs[index].organization_id, default)
        for user, index, default in DEMO_MEMBERSHIPS
        if index < len(orgs)
    )
    return Catalog(tuple(orgs), tuple(brands), tuple(products), memberships)


def zipf_weights(n: int, exponent: float = 1.1) -> list[float]:
    """Return Zipf-like popularity weights for n ranked items."""
    return [1.0 / (rank**exponent) for rank in range(1, n + 1)]
