"""`make run`: bring the services up, migrate, and run the pipeline in the foreground."""

from __future__ import annotations

import sys

from scan_analytics import migrate, services
from scan_analytics.settings import load_settings


def main() -> int:
    settings = load_settings()
    services.up(settings)
    migrate.apply(settings.database_url, settings.schemas_dir / "sql")
    print("services are up; stop them with `scan-analytics services down`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
