"""Exceptions of the api package; `problems` maps each to an HTTP status."""

from __future__ import annotations

from scan_analytics.errors import ScanAnalyticsError


class ApiError(ScanAnalyticsError):
    """Root of every error raised by the api package."""

    status = 500
    title = "Internal Server Error"

    def headers(self) -> dict[str, str]:
        """Response header fields that go with this error."""
        return {}


class BadRequest(ApiError):
    """The request's parameters are invalid; the message says how to fix them."""

    status = 400
    title = "Bad Request"


class Unauthorized(ApiError):
    """No bearer token, or one that is not valid."""

    status = 401
    title = "Unauthorized"

    def __init__(self, message: str, *, error: str | None = "invalid_token") -> None:
        super().__init__(message)
        self.error = error  # RFC 6750 error code; None when no credentials were sent


class Forbidden(ApiError):
    """A valid token that does not grant what was asked for."""

    status = 403
    title = "Forbidden"

    def __init__(self, message: str, *, missing_scope: str | None = None) -> None:
        super().__init__(message)
        self.missing_scope = missing_scope


class NotFound(ApiError):
    """The named resource does not exist."""

    status = 404
    title = "Not Found"


class TooManyRequests(ApiError):
    """A user or an organization is over one of its limits; the headers say when to retry."""

    status = 429
    title = "Too Many Requests"

    def __init__(self, message: str, *, headers: dict[str, str]) -> None:
        super().__init__(message)
        self._headers = headers

    def headers(self) -> dict[str, str]:
        return dict(self._headers)


class Unavailable(ApiError):
    """A transient fault: the database or the key set cannot be reached now."""

    status = 503
    title = "Service Unavailable"

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class SchemaBehind(Unavailable):
    """The database lacks migrations this API ships with: it says which, and to migrate."""

    def __init__(self, version: int | None, needed: int) -> None:
        have = (
            f"migration {version}"
            if version is not None
            else "no migration this API can read (it reads schema_migrations since migration 17)"
        )
        super().__init__(
            f"the database's schema is behind this API's: it has {have}, the API needs migration "
            f"{needed}; run `scan-analytics migrate`",
            retry_after=30,
        )


class ConfigurationError(ApiError):
    """The API or the token tool is configured in a way that cannot work."""
