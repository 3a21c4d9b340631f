-- Rollups of the place counts (migration 0011) shaped for by_region and by_city, kept exact by
-- statement-level triggers on scan_daily_place_summary as those of 0003, 0007 and 0012 are:
--   scan_daily_place_totals, scan_monthly_place_totals              scans per organization,
--       day / month, country and place: the whole organization's breakdown;
--   scan_daily_brand_place_totals, scan_monthly_brand_place_totals  the same per brand;
--   scan_monthly_gtin_place_totals                                 scans per organization,
--       GTIN, month, brand, country and place: the top products' breakdowns over whole
--       months (their other days are read from scan_daily_place_summary by GTIN).
-- None keeps the GTIN's is_bot (by_region and by_city count every scan), the organization-wide
-- layers no brand and no GTIN. The triggers turn each statement's changed rows into deltas
-- (new - old), take the advisory lock of 0003 (rollup maintenance stays serialised and
-- deadlock-free; the sink writes the places in the transaction that already holds it for the
-- days) and add the deltas. Rows that fall to zero are kept, as those of 0007 are; readers
-- skip them (a place with no scans is never named).

CREATE TABLE scan_daily_place_totals (
    organization_id text    NOT NULL,
    day             date    NOT NULL,
    country_code    text    NOT NULL,
    region_code     text    NOT NULL,
    region_name     text    NOT NULL,
    city            text    NOT NULL,
    scans           bigint  NOT NULL,
    PRIMARY KEY (organization_id, day, country_code, region_code, region_name, city)
);

CREATE TABLE scan_monthly_place_totals (
    organization_id text    NOT NULL,
    month           date    NOT NULL,
    country_code    text    NOT NULL,
    region_code     text    NOT NULL,
    region_name     text    NOT NULL,
    city            text    NOT NULL,
    scans           bigint  NOT NULL,
    PRIMARY KEY (organization_id, month, country_code, region_code, region_name, city)
);

CREATE TABLE scan_daily_brand_place_totals (
    organization_id text    NOT NULL,
    brand_id        text    NOT NULL,
    day             date    NOT NULL,
    country_code    text    NOT NULL,
    region_code     text    NOT NULL,
    region_name     text    NOT NULL,
    city            text    NOT NULL,
    scans           bigint  NOT NULL,
    PRIMARY KEY (organization_id, brand_id, day, country_code, region_code, region_name, city)
);

CREATE TABLE scan_monthly_brand_place_totals (
    organization_id text    NOT NULL,
    brand_id        text    NOT NULL,
    month           date    NOT NULL,
    country_code    text    NOT NULL,
    region_code     text    NOT NULL,
    region_name     text    NOT NULL,
    city            text    NOT NULL,
    scans           bigint  NOT NULL,
    PRIMARY KEY (organization_id, brand_id, month, country_code, region_code, region_name, city)
);

-- by GTIN first: the top GTINs' months are one short range each
CREATE TABLE scan_monthly_gtin_place_totals (
    organization_id text    NOT NULL,
    gtin            text    NOT NULL,
    month           date    NOT NULL,
    brand_id        text    NOT NULL,
    country_code    text    NOT NULL,
    region_code     text    NOT NULL,
    region_name     text    NOT NULL,
    city            text    NOT NULL,
    scans           bigint  NOT NULL,
    PRIMARY KEY (organization_id, gtin, month, brand_id, country_code, region_code, region_name, city)
);

-- The top GTINs' single days, read from the place counts themselves.
CREATE INDEX scan_daily_place_summary_gtin_day_idx
    ON scan_daily_place_summary (organization_id, gtin, day);

CREATE TYPE scan_place_delta AS (
    day             date,
    organization_id text,
    brand_id        text,
    gtin            text,
    country_code    text,
    region_code     text,
    region_name     text,
    city            text,
    delta           bigint
);

CREATE FUNCTION scan_place_totals_apply(deltas scan_place_delta[]) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(7311906422) WHERE cardinality(deltas) > 0;
    WITH d AS (SELECT * FROM unnest(deltas)),
    per_gtin_month AS (
        SELECT organization_id, gtin, date_trunc('month', day)::date AS month, brand_id,
               country_code, region_code, region_name, city, sum(delta) AS scans
        FROM d
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(delta) <> 0
    ),
    per_brand_day AS MATERIALIZED (
        SELECT organization_id, brand_id, day, country_code, region_code, region_name, city,
               sum(delta) AS scans
        FROM d
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(delta) <> 0
    ),
    gtin_months AS (
        INSERT INTO scan_monthly_gtin_place_totals AS t
            (organization_id, gtin, month, brand_id, country_code, region_code, region_name, city, scans)
        SELECT * FROM per_gtin_month
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (organization_id, gtin, month, brand_id, country_code, region_code, region_name, city)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans
    ),
    brand_days AS (
        INSERT INTO scan_daily_brand_place_totals AS t
            (organization_id, brand_id, day, country_code, region_code, region_name, city, scans)
        SELECT * FROM per_brand_day
        ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (organization_id, brand_id, day, country_code, region_code, region_name, city)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans
    ),
    brand_months AS (
        INSERT INTO scan_monthly_brand_place_totals AS t
            (organization_id, brand_id, month, country_code, region_code, region_name, city, scans)
        SELECT organization_id, brand_id, date_trunc('month', day)::date, country_code, region_code,
               region_name, city, sum(scans)
        FROM per_brand_day
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(scans) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (organization_id, brand_id, month, country_code, region_code, region_name, city)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans
    ),
    days AS (
        INSERT INTO scan_daily_place_totals AS t
            (organization_id, day, country_code, region_code, region_name, city, scans)
        SELECT organization_id, day, country_code, region_code, region_name, city, sum(scans)
        FROM per_brand_day
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(scans) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (organization_id, day, country_code, region_code, region_name, city)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans
    )
    INSERT INTO scan_monthly_place_totals AS t
        (organization_id, month, country_code, region_code, region_name, city, scans)
    SELECT organization_id, date_trunc('month', day)::date, country_code, region_code, region_name,
           city, sum(scans)
    FROM per_brand_day
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(scans) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (organization_id, month, country_code, region_code, region_name, city)
    DO UPDATE SET scans = t.scans + EXCLUDED.scans;
$$;

CREATE FUNCTION scan_place_totals_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_place_totals_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, region_code, region_name,
                   city, scans)::scan_place_delta
        FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_place_totals_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_place_totals_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, region_code, region_name,
                   city, scans)::scan_place_delta
        FROM new_rows
        UNION ALL
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, region_code, region_name,
                   city, -scans)::scan_place_delta
        FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_place_totals_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_place_totals_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, region_code, region_name,
                   city, -scans)::scan_place_delta
        FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_place_totals_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE scan_daily_place_totals, scan_monthly_place_totals, scan_daily_brand_place_totals,
             scan_monthly_brand_place_totals, scan_monthly_gtin_place_totals;
    RETURN NULL;
END $$;

-- Recompute the rollups from scan_daily_place_summary (after a bulk load with the triggers
-- disabled, or to check them).
CREATE FUNCTION scan_place_totals_rebuild() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE scan_daily_place_totals, scan_monthly_place_totals, scan_daily_brand_place_totals,
             scan_monthly_brand_place_totals, scan_monthly_gtin_place_totals;
    INSERT INTO scan_monthly_gtin_place_totals
        (organization_id, gtin, month, brand_id, country_code, region_code, region_name, city, scans)
    SELECT organization_id, gtin, date_trunc('month', day)::date, brand_id, country_code,
           region_code, region_name, city, sum(scans)
    FROM scan_daily_place_summary
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING sum(scans) <> 0
    ORDER BY 1, 2, 3;
    INSERT INTO scan_daily_brand_place_totals
        (organization_id, brand_id, day, country_code, region_code, region_name, city, scans)
    SELECT organization_id, brand_id, day, country_code, region_code, region_name, city, sum(scans)
    FROM scan_daily_place_summary
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(scans) <> 0
    ORDER BY 3, 1, 2;
    INSERT INTO scan_monthly_brand_place_totals
        (organization_id, brand_id, month, country_code, region_code, region_name, city, scans)
    SELECT organization_id, brand_id, date_trunc('month', day)::date, country_code, region_code,
           region_name, city, sum(scans)
    FROM scan_daily_brand_place_totals
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 3, 1, 2;
    INSERT INTO scan_daily_place_totals
        (organization_id, day, country_code, region_code, region_name, city, scans)
    SELECT organization_id, day, country_code, region_code, region_name, city, sum(scans)
    FROM scan_daily_brand_place_totals
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 2, 1;
    INSERT INTO scan_monthly_place_totals
        (organization_id, month, country_code, region_code, region_name, city, scans)
    SELECT organization_id, month, country_code, region_code, region_name, city, sum(scans)
    FROM scan_monthly_brand_place_totals
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 2, 1;
$$;

CREATE TRIGGER scan_place_totals_insert AFTER INSERT ON scan_daily_place_summary
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_place_totals_after_insert();
CREATE TRIGGER scan_place_totals_update AFTER UPDATE ON scan_daily_place_summary
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_place_totals_after_update();
CREATE TRIGGER scan_place_totals_delete AFTER DELETE ON scan_daily_place_summary
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_place_totals_after_delete();
CREATE TRIGGER scan_place_totals_truncate AFTER TRUNCATE ON scan_daily_place_summary
    FOR EACH STATEMENT EXECUTE FUNCTION scan_place_totals_after_truncate();

SELECT scan_place_totals_rebuild();

GRANT SELECT ON scan_daily_place_totals, scan_monthly_place_totals, scan_daily_brand_place_totals,
    scan_monthly_brand_place_totals, scan_monthly_gtin_place_totals TO scan_analytics_reader;
