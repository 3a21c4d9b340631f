"""The read API as the MCP server calls it: one GET with the caller's bearer token."""

from __future__ import annotations

from typing import Any

import httpx

from api.errors import ApiError

SCANS = "/dashboard/api/v1/brand-analytics/scans"


class ApiRefused(ApiError):
    """The API answered with a problem; the message is its detail."""


async def scans(http: httpx.AsyncClient, token: str, params: dict[str, Any]) -> dict[str, Any]:
    """Return the API's answer for `params`, or raise ApiRefused with its explanation."""
    query = {k: str(v) for k, v in params.items() if v is not None}
    try:
        response = await http.get(SCANS, params=query, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as e:
        raise ApiRefused(
            f"the scan analytics API cannot be reached at {http.base_url}: {type(e).__name__}"
        ) from e
    if response.status_code != 200:
        try:
            detail = response.json().get("detail") or response.text
        except ValueError:
            detail = response.text[:500]
        raise ApiRefused(f"the API answered {response.status_code}: {detail}")
    body: dict[str, Any] = response.json()
    return body
