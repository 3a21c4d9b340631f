-- Daily rollup of scans, one row per (day, organization, brand, GTIN,
-- country, device class, bot flag). Written by the stream processors' sink,
-- read by the API. A country that could not be derived is stored as 'unknown'.

CREATE TABLE scan_daily_summary (
    day             date    NOT NULL,
    organization_id text    NOT NULL,
    brand_id        text    NOT NULL,
    gtin            text    NOT NULL CHECK (gtin ~ '^[0-9]{14}$'),
    country_code    text    NOT NULL CHECK (country_code ~ '^[A-Z]{2}$' OR country_code = 'unknown'),
    device_class    text    NOT NULL
        CHECK (device_class IN ('mobile', 'tablet', 'desktop', 'bot', 'other')),
    is_bot          boolean NOT NULL,
    scans           bigint  NOT NULL CHECK (scans >= 0),
    PRIMARY KEY (organization_id, day, brand_id, gtin, country_code, device_class, is_bot)
);

-- Date-range queries narrowed to one brand of an organization.
CREATE INDEX scan_daily_summary_brand_day_idx
    ON scan_daily_summary (organization_id, brand_id, day);
