"""Turn rows into a checked catalog: valid fields, no duplicates, references noted; pure.

References are resolved in two steps: `parse` resolves them against the file
itself and keeps the ids the file uses but does not define; `resolve` checks
those against the ids the database has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field

from scan_analytics.catalog import fields
from scan_analytics.catalog.errors import SHOWN_ERRORS, ErrorLog, LineError
from scan_analytics.catalog.readers import Row
from scan_analytics.catalog.records import (
    BRAND,
    COLUMNS,
    FIELDS,
    KINDS,
    ORGANIZATION,
    PRODUCT,
    Brand,
    Catalog,
    Organization,
    Product,
    describe_kinds,
)

CHECKS: dict[str, Callable[[object, str], str]] = {
    "organization_id": fields.identifier,
    "brand_id": fields.identifier,
    "gtin": fields.gtin,
    "name": fields.name,
}
ARTICLE = {ORGANIZATION: "an", BRAND: "a", PRODUCT: "a"}
ALLOWED = {kind: frozenset(("kind", *names)) for kind, names in FIELDS.items()}
# The field of each kind that names another row, and that row's kind.
REFERENCES = {BRAND: ("organization_id", ORGANIZATION), PRODUCT: ("brand_id", BRAND)}


@dataclass
class Parsed:
    """A file's catalog, its errors so far, and the ids it uses without defining them."""

    catalog: Catalog
    errors: ErrorLog
    # referenced kind -> id -> the lines that use it
    unresolved: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def unresolved_ids(self, kind: str) -> list[str]:
        """Return the ids of `kind` the file uses but does not define, sorted."""
        return sorted(self.unresolved.get(kind, {}))


def parse(rows: Iterable[Row | LineError], *, keep_errors: int = SHOWN_ERRORS) -> Parsed:
    """Check every row; collect the good ones as records and every problem in an ErrorLog."""
    catalog = Catalog()
    errors = ErrorLog(keep_errors)
    defined: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}  # kind -> key -> first line
    used: dict[str, dict[str, list[int]]] = {ORGANIZATION: {}, BRAND: {}}
    for item in rows:
        if isinstance(item, LineError):
            errors.add(item)
            continue
        kind, values, problems = _check(item)
        if kind is not None:
            key_field = FIELDS[kind][0]
            key = values.get(key_field)
            if key is not None:
                first = defined[kind].setdefault(key, item.line)
                if first != item.line:
                    problems.append(
                        LineError(item.line, key_field, f"{kind} {key!r} is also on line {first}")
                    )
            if kind in REFERENCES:
                ref_field, ref_kind = REFERENCES[kind]
                if ref_field in values:
                    used[ref_kind].setdefault(values[ref_field], []).append(item.line)
        for problem in problems:
            errors.add(problem)
        if kind is None or problems:
            continue
        if kind == ORGANIZATION:
            catalog.organizations.append(Organization(values["organization_id"], values["name"]))
        elif kind == BRAND:
            catalog.brands.append(Brand(values["brand_id"], values["organization_id"], values["name"]))
        else:
            catalog.products.append(Product(values["gtin"], values["brand_id"], values["name"]))
    unresolved = {
        ref_kind: {ref: lines for ref, lines in refs.items() if ref not in defined[ref_kind]}
        for ref_kind, refs in used.items()
    }
    return Parsed(catalog, errors, unresolved)


def _check(row: Row) -> tuple[str | None, dict[str, str], list[LineError]]:
    """Return the row's kind, its valid fields, and its problems."""
    problems: list[LineError] = []
    kind = _kind(row, problems)
    values: dict[str, str] = {}
    if kind is not None:
        for name in FIELDS[kind]:
            raw = row.values.get(name)
            if raw is None:
                problems.append(LineError(row.line, name, f"required for {ARTICLE[kind]} {kind}"))
                continue
            try:
                values[name] = CHECKS[name](raw, name)
            except fields.FieldError as e:
                problems.append(LineError(row.line, e.field, e.message))
    if kind is None or not row.values.keys() <= ALLOWED[kind]:
        for name in row.values:
            if name not in COLUMNS:
                problems.append(LineError(row.line, name, f"unknown field; fields are {', '.join(COLUMNS)}"))
            elif kind is not None and name not in ALLOWED[kind]:
                problems.append(
                    LineError(row.line, name, f"not a field of {ARTICLE[kind]} {kind}; leave it empty")
                )
    return kind, values, problems


def _kind(row: Row, problems: list[LineError]) -> str | None:
    if "kind" not in row.values:
        if row.implied_kind is None:
            problems.append(
                LineError(
                    row.line,
                    "kind",
                    f"missing; give a kind ({', '.join(KINDS)}) "
                    f"or exactly the fields of one: {describe_kinds()}",
                )
            )
        return row.implied_kind
    kind = row.values["kind"]
    if kind not in KINDS:
        got = repr(kind) if isinstance(kind, str) else fields.type_name(kind)
        problems.append(LineError(row.line, "kind", f"expected one of {', '.join(KINDS)}, got {got}"))
        return None
    return str(kind)


def resolve(parsed: Parsed, existing: Mapping[str, Set[str]]) -> None:
    """Add an error to `parsed` for every line that uses an id neither the file nor `existing` has."""
    for ref_kind, refs in parsed.unresolved.items():
        known = existing.get(ref_kind, frozenset())
        referrer = BRAND if ref_kind == ORGANIZATION else PRODUCT
        ref_field = REFERENCES[referrer][0]
        for ref, lines in refs.items():
            if ref in known:
                continue
            for line in lines:
                parsed.errors.add(
                    LineError(
                        line, ref_field, f"{ref_kind} {ref!r} is neither in the file nor in the database"
                    )
                )
