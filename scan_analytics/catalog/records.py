"""The three kinds of catalog row, their fields, and a whole catalog in memory."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

ORGANIZATION = "organization"
BRAND = "brand"
PRODUCT = "product"
KINDS = (ORGANIZATION, BRAND, PRODUCT)

# The fields of each kind, in the order of the record's attributes.
FIELDS: dict[str, tuple[str, ...]] = {
    ORGANIZATION: ("organization_id", "name"),
    BRAND: ("brand_id", "organization_id", "name"),
    PRODUCT: ("gtin", "brand_id", "name"),
}
# Every column a file may have, in the order the export writes them.
COLUMNS = ("kind", "organization_id", "brand_id", "gtin", "name")


class Organization(NamedTuple):
    organization_id: str
    name: str


class Brand(NamedTuple):
    brand_id: str
    organization_id: str
    name: str


class Product(NamedTuple):
    gtin: str
    brand_id: str
    name: str


Record = Organization | Brand | Product
RECORD_TYPES: dict[str, type[Organization] | type[Brand] | type[Product]] = {
    ORGANIZATION: Organization,
    BRAND: Brand,
    PRODUCT: Product,
}
KIND_OF: dict[type, str] = {cls: kind for kind, cls in RECORD_TYPES.items()}


def kind_of_fields(names: Collection[str]) -> str | None:
    """Return the kind whose fields are exactly `names` (in any order), or None."""
    wanted = set(names)
    for kind, fields in FIELDS.items():
        if wanted == set(fields):
            return kind
    return None


def describe_kinds() -> str:
    """Return the field sets of the kinds, for messages: `organization_id,name | ...`."""
    return " | ".join(",".join(fields) for fields in FIELDS.values())


@dataclass
class Catalog:
    """Organizations, brands and products, each list in file order."""

    organizations: list[Organization] = field(default_factory=list)
    brands: list[Brand] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.organizations) + len(self.brands) + len(self.products)

    def __iter__(self) -> Iterator[Record]:
        yield from self.organizations
        yield from self.brands
        yield from self.products
