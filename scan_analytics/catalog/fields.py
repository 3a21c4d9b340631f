"""Check and normalise one field of a catalog row; pure.

Limits, in characters (code points): identifiers (organization_id, brand_id)
at most MAX_ID_LENGTH, names at most MAX_NAME_LENGTH. No value may be empty or
contain a control character (U+0000-U+001F, U+007F-U+009F) or a lone surrogate
(what undecodable UTF-8 bytes become); identifiers may not start or end with
whitespace. GTINs follow the event contract's rule (GTIN-8/12/13/14 with a
valid check digit) and are stored as 14 digits.
"""

from __future__ import annotations

import unicodedata

# The contract's GTIN rule; the only import of it in this package.
from schemas import InvalidScanEvent, normalize_gtin

MAX_ID_LENGTH = 128
MAX_NAME_LENGTH = 512

_JSON_TYPES = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "an array",
    dict: "an object",
    str: "a string",
    type(None): "null",
}


class FieldError(ValueError):
    """A field's value is not acceptable; `message` says why, for a person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def type_name(value: object) -> str:
    """Return how JSON calls the type of `value` ("a number", "an array" ...)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _string(value: object, field: str) -> str:
    if isinstance(value, str):
        return value
    got = type_name(value)
    hint = " (write GTINs as strings: numbers lose leading zeros)" if field == "gtin" else ""
    raise FieldError(field, f"expected a string, got {got}{hint}")


def _bad_character(value: str) -> str | None:
    if value.isprintable():  # fast path; non-printable also covers harmless characters such as NBSP
        return None
    for position, char in enumerate(value, 1):
        category = unicodedata.category(char)
        if category == "Cc":
            return f"a control character U+{ord(char):04X} at character {position}"
        if category == "Cs":
            return f"invalid UTF-8 or a lone surrogate (U+{ord(char):04X}) at character {position}"
    return None


def text(value: object, field: str, limit: int) -> str:
    """Return `value` if it is a non-empty string of at most `limit` characters with no control characters."""
    s = _string(value, field)
    if not s.strip():
        raise FieldError(field, "empty")
    bad = _bad_character(s)
    if bad:
        raise FieldError(field, f"contains {bad}")
    if len(s) > limit:
        raise FieldError(field, f"{len(s)} characters, at most {limit} allowed")
    return s


def identifier(value: object, field: str) -> str:
    """Return an organization or brand id, checked."""
    s = text(value, field, MAX_ID_LENGTH)
    if s != s.strip():
        raise FieldError(field, f"starts or ends with whitespace: {s!r}")
    return s


def name(value: object, field: str = "name") -> str:
    """Return a display name, checked and kept exactly as given."""
    return text(value, field, MAX_NAME_LENGTH)


def gtin(value: object, field: str = "gtin") -> str:
    """Return a GTIN-8/12/13/14 as its 14-digit form."""
    s = _string(value, field)
    if not s.strip():
        raise FieldError(field, "empty")
    try:
        return normalize_gtin(s)
    except InvalidScanEvent as e:
        raise FieldError(field, e.detail or e.reason) from e
