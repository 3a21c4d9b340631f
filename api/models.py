"""Response shapes, for the OpenAPI document (the route returns plain JSON built by `report`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Window(BaseModel):
    since: str = Field(examples=["2026-03-18"])
    until: str = Field(examples=["2026-04-17"])


class TopProduct(BaseModel):
    gtin: str = Field(examples=["00012345678905"])
    product_name: str | None = Field(description="from the catalog; null when it has no row")
    brand: str | None = Field(description="the brand's name from the catalog; null when it has no row")
    scans: int
    billable_scans: int
    by_country: dict[str, int] = Field(description="ISO 3166 alpha-2, or 'unknown'; sums to scans")
    by_device: dict[str, int] = Field(description="mobile, tablet, desktop, bot, other; sums to scans")


class DayCount(BaseModel):
    date: str
    scans: int


class ScansResponse(BaseModel):
    organization_id: str
    window: Window
    total_scans: int = Field(description="billable_scans + bot_scans")
    billable_scans: int
    bot_scans: int
    top_products: list[TopProduct] = Field(description="by scans, descending, then GTIN; at most top")
    by_country: dict[str, int] = Field(description="sums to total_scans")
    by_day: list[DayCount] = Field(description="one entry per day of the window, zero-filled")


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text, "content": {"application/problem+json": {}}}
    for status, text in (
        (400, "invalid parameters, or no default organization: the detail says what to change"),
        (401, "no bearer token, or an invalid one (see WWW-Authenticate)"),
        (403, "the token lacks brands:read, or the caller may not read this organization or brand"),
        (404, "the brand does not exist"),
        (
            429,
            "the caller or its organization is over a request limit: see Retry-After, RateLimit "
            "and RateLimit-Policy",
        ),
        (503, "the database or the identity provider cannot answer now: retry after Retry-After"),
    )
}
