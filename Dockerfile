# One image for the worker, the API, the simulator and migrations:
# the command chooses the role (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SCAN_ANALYTICS_SCHEMAS_DIR=/app/schemas \
    SCAN_ANALYTICS_SERVICES_DIR=/var/lib/scan-analytics \
    SCAN_ANALYTICS_WORKER_DATA_DIR=/var/lib/scan-analytics/worker

WORKDIR /app
COPY pyproject.toml README.md ./
COPY scan_analytics ./scan_analytics
COPY producers ./producers
COPY stream_processors ./stream_processors
COPY api ./api
COPY schemas ./schemas
RUN pip install . && useradd --system --home /var/lib/scan-analytics scan \
    && mkdir -p /var/lib/scan-analytics && chown scan /var/lib/scan-analytics
USER scan

ENTRYPOINT ["scan-analytics"]
CMD ["--help"]
