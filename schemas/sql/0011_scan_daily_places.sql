-- Scans by place of the client (region and city, from a GeoIP2/GeoLite2-City or DB-IP City
-- database): per organization, day, brand, GTIN, country and is_bot. They answer by_region
-- and by_city. The stream processors' sink writes them as it writes the daily counts: the
-- partials keep every dimension of scan_daily_summary and the place, per partition; the
-- summary holds their sum, in the same transaction and under the same epoch. The sum of a
-- day's places equals that day's rows of scan_daily_summary: a scan whose place is unknown
-- counts under an empty region and city; past a bound of places per key and day (see
-- docs/stream_processors.md) a city counts under its region with an empty city.

CREATE TABLE scan_daily_place_summary (
    day             date    NOT NULL,
    organization_id text    NOT NULL,
    brand_id        text    NOT NULL,
    gtin            text    NOT NULL CHECK (gtin ~ '^[0-9]{14}$'),
    country_code    text    NOT NULL CHECK (country_code ~ '^[A-Z]{2}$' OR country_code = 'unknown'),
    is_bot          boolean NOT NULL,
    region_code     text    NOT NULL CHECK (length(region_code) <= 16),
    region_name     text    NOT NULL CHECK (length(region_name) <= 128),
    city            text    NOT NULL CHECK (length(city) <= 128),
    scans           bigint  NOT NULL CHECK (scans >= 0),
    PRIMARY KEY (organization_id, day, brand_id, gtin, country_code, is_bot, region_code, region_name, city)
);

-- Windows narrowed to one brand of an organization.
CREATE INDEX scan_daily_place_summary_brand_day_idx
    ON scan_daily_place_summary (organization_id, brand_id, day);

CREATE TABLE scan_daily_place_partials (
    partition       integer NOT NULL CHECK (partition >= 0),
    day             date    NOT NULL,
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
    region_code     text    NOT NULL,
    region_name     text    NOT NULL,
    city            text    NOT NULL,
    scans           bigint  NOT NULL CHECK (scans >= 0),
    PRIMARY KEY (organization_id, day, brand_id, gtin, country_code, device_class, is_bot,
                 traffic_class, category, agent, operator, verification,
                 region_code, region_name, city, partition)
);

-- The summary's rows are summed from the partials by its own key.
CREATE INDEX scan_daily_place_partials_summary_idx
    ON scan_daily_place_partials (organization_id, day, brand_id, gtin, country_code, is_bot,
                                  region_code, region_name, city);

GRANT SELECT ON scan_daily_place_summary TO scan_analytics_reader;
