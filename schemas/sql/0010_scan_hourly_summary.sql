-- Hourly counts: the key of scan_daily_summary with the UTC hour of event time in place of
-- the day. They answer granularity=hour and days in the caller's time zone. The stream
-- processors' sink writes them as it writes the daily counts (per-partition partials, their
-- sum in scan_hourly_summary, in the same transaction and under the same epoch), and deletes
-- hours older than the hourly retention (setting HOURLY_RETENTION_DAYS). The sum of a UTC
-- day's hours equals that day's rows of scan_daily_summary while the day is retained.

CREATE TABLE scan_hourly_summary (
    hour            timestamptz NOT NULL CHECK (date_trunc('hour', hour) = hour),
    organization_id text    NOT NULL,
    brand_id        text    NOT NULL,
    gtin            text    NOT NULL CHECK (gtin ~ '^[0-9]{14}$'),
    country_code    text    NOT NULL CHECK (country_code ~ '^[A-Z]{2}$' OR country_code = 'unknown'),
    device_class    text    NOT NULL
        CHECK (device_class IN ('mobile', 'tablet', 'desktop', 'bot', 'other')),
    is_bot          boolean NOT NULL,
    traffic_class   text    NOT NULL
        CHECK (traffic_class IN ('human', 'ai_agent', 'bot') AND is_bot = (traffic_class <> 'human')),
    category        text    NOT NULL,
    agent           text    NOT NULL,
    operator        text    NOT NULL,
    verification    text    NOT NULL CHECK (verification IN ('', 'verified', 'unverified', 'spoofed')),
    scans           bigint  NOT NULL CHECK (scans >= 0),
    PRIMARY KEY (organization_id, hour, brand_id, gtin, country_code, device_class, is_bot,
                 traffic_class, category, agent, operator, verification)
);

-- Windows narrowed to one brand of an organization.
CREATE INDEX scan_hourly_summary_brand_hour_idx
    ON scan_hourly_summary (organization_id, brand_id, hour);

CREATE TABLE scan_hourly_partials (
    partition       integer NOT NULL CHECK (partition >= 0),
    hour            timestamptz NOT NULL,
    organization_id text    NOT NULL,
    brand_id        text    NOT NULL,
    gtin            text    NOT NULL,
    country_code    text    NOT NULL,
    device_class    text    NOT NULL,
    is_bot          boolean NOT NULL,
    traffic_class   text    NOT NULL,
    category        text    NOT NULL,
    agent           text    NOT NULL,
    operator        text    NOT NULL,
    verification    text    NOT NULL,
    scans           bigint  NOT NULL CHECK (scans >= 0),
    PRIMARY KEY (organization_id, hour, brand_id, gtin, country_code, device_class, is_bot,
                 traffic_class, category, agent, operator, verification, partition)
);

-- Retention deletes by hour alone.
CREATE INDEX scan_hourly_summary_hour_idx ON scan_hourly_summary (hour);
CREATE INDEX scan_hourly_partials_hour_idx ON scan_hourly_partials (hour);

GRANT SELECT ON scan_hourly_summary TO scan_analytics_reader;
