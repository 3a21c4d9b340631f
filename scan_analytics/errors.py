"""Exceptions of the scan_analytics package."""


class ScanAnalyticsError(Exception):
    """Root of every error raised by scan_analytics."""


class ServiceError(ScanAnalyticsError):
    """A local service could not be installed, started or reached."""


class MigrationError(ScanAnalyticsError):
    """A database migration failed or the migrations folder is inconsistent."""
