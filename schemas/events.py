"""The two records of the contract as typed dictionaries.

A `TypedDict` is a plain `dict` at run time: fastavro reads and writes it as it
is, so typing the events costs nothing per event, while mypy rejects a
misspelt key. `occurred_at` is epoch milliseconds (UTC) everywhere in code, as
on the wire; `event_id` is the canonical lowercase UUID text.
"""

from __future__ import annotations

from typing import Final, Literal, TypedDict

TrafficClass = Literal["human", "ai_agent", "bot"]
DeviceClass = Literal["mobile", "tablet", "desktop", "bot", "other"]


class ScanEvent(TypedDict):
    """One resolution of a GS1 Digital Link, as the resolver publishes it to the raw topic."""

    event_id: str
    occurred_at: int
    gtin: str
    organization_id: str
    brand_id: str
    digital_link: str
    link_type: str | None
    client_ip: str
    user_agent: str | None
    referer: str | None
    accept_language: str | None
    status_code: int | None


class EnrichedScanEvent(TypedDict):
    """A valid, distinct scan with derived dimensions; the client IP is not part of it."""

    event_id: str
    occurred_at: int
    gtin: str
    organization_id: str
    brand_id: str
    digital_link: str
    link_type: str | None
    user_agent: str | None
    referer: str | None
    accept_language: str | None
    status_code: int | None
    country_code: str | None
    device_class: str
    is_bot: bool
    bot_reason: str | None
    agent_name: str | None
    traffic_class: str
    category: str | None  # version 2 on: absent when a version-1 writer wrote the record
    agent_operator: str | None
    verification: str | None
    region_code: str | None  # version 3 on, likewise
    region_name: str | None
    city: str | None


SCAN_EVENT_FIELDS: Final = tuple(ScanEvent.__annotations__)
ENRICHED_SCAN_EVENT_FIELDS: Final = tuple(EnrichedScanEvent.__annotations__)
# Fields a ScanEvent passes on to its EnrichedScanEvent: all but client_ip.
PASSED_FIELDS: Final = tuple(f for f in SCAN_EVENT_FIELDS if f != "client_ip")
