-- Rollups shaped for the questions the read API asks, kept exact by triggers on
-- scan_daily_summary as those of 0003 are:
--   scan_{daily,weekly,monthly}_gtin_totals   scans and bot scans per organization,
--       period, brand and GTIN (no country, no device): the ranking of the products;
--   scan_{weekly,monthly}_country_totals       scans and bot scans per organization,
--       period, brand and country: by_country (the daily layer is 0003's
--       scan_daily_country_totals);
--   scan_daily_brand_totals                    scans and bot scans per organization,
--       day and brand: the totals and by_day.
-- Weeks start on Monday, months on the 1st. A window is read as the whole months it
-- holds, the whole weeks of what is left, and single days (api/queries.py).
-- The triggers turn each statement's changed rows into deltas (new - old), take the
-- advisory lock of 0003 (so rollup maintenance stays serialised and deadlock-free),
-- and add the deltas. Rows whose counts fall to zero stay (readers skip them).

CREATE TABLE scan_daily_gtin_totals (
    organization_id text   NOT NULL,
    day             date   NOT NULL,
    brand_id        text   NOT NULL,
    gtin            text   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, day, brand_id, gtin)
);

CREATE TABLE scan_weekly_gtin_totals (
    organization_id text   NOT NULL,
    week            date   NOT NULL CHECK (extract(isodow FROM week) = 1),
    brand_id        text   NOT NULL,
    gtin            text   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, week, brand_id, gtin)
);

CREATE TABLE scan_monthly_gtin_totals (
    organization_id text   NOT NULL,
    month           date   NOT NULL CHECK (extract(day FROM month) = 1),
    brand_id        text   NOT NULL,
    gtin            text   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, month, brand_id, gtin)
);

CREATE TABLE scan_weekly_country_totals (
    organization_id text   NOT NULL,
    week            date   NOT NULL CHECK (extract(isodow FROM week) = 1),
    brand_id        text   NOT NULL,
    country_code    text   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, week, brand_id, country_code)
);

CREATE TABLE scan_monthly_country_totals (
    organization_id text   NOT NULL,
    month           date   NOT NULL CHECK (extract(day FROM month) = 1),
    brand_id        text   NOT NULL,
    country_code    text   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, month, brand_id, country_code)
);

CREATE TABLE scan_daily_brand_totals (
    organization_id text   NOT NULL,
    day             date   NOT NULL,
    brand_id        text   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, day, brand_id)
);

CREATE FUNCTION scan_read_rollups_apply(deltas scan_rollup_delta[]) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(7311906422) WHERE cardinality(deltas) > 0;
    WITH d AS (SELECT * FROM unnest(deltas)),
    per_gtin AS MATERIALIZED (
        SELECT organization_id, day, brand_id, gtin, sum(delta) AS scans,
               coalesce(sum(delta) FILTER (WHERE is_bot), 0) AS bot_scans
        FROM d
        GROUP BY 1, 2, 3, 4
    ),
    per_country AS MATERIALIZED (
        SELECT organization_id, day, brand_id, country_code, sum(delta) AS scans,
               coalesce(sum(delta) FILTER (WHERE is_bot), 0) AS bot_scans
        FROM d
        GROUP BY 1, 2, 3, 4
    ),
    daily_gtin AS (
        INSERT INTO scan_daily_gtin_totals AS t
            (organization_id, day, brand_id, gtin, scans, bot_scans)
        SELECT organization_id, day, brand_id, gtin, scans, bot_scans
        FROM per_gtin
        WHERE scans <> 0 OR bot_scans <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, day, brand_id, gtin)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans
    ),
    weekly_gtin AS (
        INSERT INTO scan_weekly_gtin_totals AS t
            (organization_id, week, brand_id, gtin, scans, bot_scans)
        SELECT organization_id, date_trunc('week', day::timestamp)::date, brand_id, gtin,
               sum(scans), sum(bot_scans)
        FROM per_gtin
        GROUP BY 1, 2, 3, 4
        HAVING sum(scans) <> 0 OR sum(bot_scans) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, week, brand_id, gtin)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans
    ),
    monthly_gtin AS (
        INSERT INTO scan_monthly_gtin_totals AS t
            (organization_id, month, brand_id, gtin, scans, bot_scans)
        SELECT organization_id, date_trunc('month', day::timestamp)::date, brand_id, gtin,
               sum(scans), sum(bot_scans)
        FROM per_gtin
        GROUP BY 1, 2, 3, 4
        HAVING sum(scans) <> 0 OR sum(bot_scans) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, month, brand_id, gtin)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans
    ),
    weekly_country AS (
        INSERT INTO scan_weekly_country_totals AS t
            (organization_id, week, brand_id, country_code, scans, bot_scans)
        SELECT organization_id, date_trunc('week', day::timestamp)::date, brand_id, country_code,
               sum(scans), sum(bot_scans)
        FROM per_country
        GROUP BY 1, 2, 3, 4
        HAVING sum(scans) <> 0 OR sum(bot_scans) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, week, brand_id, country_code)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans
    ),
    monthly_country AS (
        INSERT INTO scan_monthly_country_totals AS t
            (organization_id, month, brand_id, country_code, scans, bot_scans)
        SELECT organization_id, date_trunc('month', day::timestamp)::date, brand_id, country_code,
               sum(scans), sum(bot_scans)
        FROM per_country
        GROUP BY 1, 2, 3, 4
        HAVING sum(scans) <> 0 OR sum(bot_scans) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, month, brand_id, country_code)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans
    )
    INSERT INTO scan_daily_brand_totals AS t (organization_id, day, brand_id, scans, bot_scans)
    SELECT organization_id, day, brand_id, sum(scans), sum(bot_scans)
    FROM per_country
    GROUP BY 1, 2, 3
    HAVING sum(scans) <> 0 OR sum(bot_scans) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (organization_id, day, brand_id)
    DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans;
$$;

CREATE FUNCTION scan_read_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_read_rollups_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, NULL, is_bot,
                   scans)::scan_rollup_delta
        FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_read_rollups_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_read_rollups_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, NULL, is_bot,
                   scans)::scan_rollup_delta
        FROM new_rows
        UNION ALL
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, NULL, is_bot,
                   -scans)::scan_rollup_delta
        FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_read_rollups_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_read_rollups_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, NULL, is_bot,
                   -scans)::scan_rollup_delta
        FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_read_rollups_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE scan_daily_gtin_totals, scan_weekly_gtin_totals, scan_monthly_gtin_totals,
             scan_weekly_country_totals, scan_monthly_country_totals, scan_daily_brand_totals;
    RETURN NULL;
END $$;

-- Recompute these rollups from scan_daily_summary (after a bulk load with the
-- triggers disabled, or to check them), stored period by period as the triggers
-- store them.
CREATE FUNCTION scan_read_rollups_rebuild() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE scan_daily_gtin_totals, scan_weekly_gtin_totals, scan_monthly_gtin_totals,
             scan_weekly_country_totals, scan_monthly_country_totals, scan_daily_brand_totals;
    INSERT INTO scan_daily_gtin_totals (organization_id, day, brand_id, gtin, scans, bot_scans)
    SELECT organization_id, day, brand_id, gtin, sum(scans),
           coalesce(sum(scans) FILTER (WHERE is_bot), 0)
    FROM scan_daily_summary
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_weekly_gtin_totals (organization_id, week, brand_id, gtin, scans, bot_scans)
    SELECT organization_id, date_trunc('week', day::timestamp)::date, brand_id, gtin, sum(scans),
           sum(bot_scans)
    FROM scan_daily_gtin_totals
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_monthly_gtin_totals (organization_id, month, brand_id, gtin, scans, bot_scans)
    SELECT organization_id, date_trunc('month', day::timestamp)::date, brand_id, gtin, sum(scans),
           sum(bot_scans)
    FROM scan_daily_gtin_totals
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_weekly_country_totals
        (organization_id, week, brand_id, country_code, scans, bot_scans)
    SELECT organization_id, date_trunc('week', day::timestamp)::date, brand_id, country_code,
           sum(scans), sum(bot_scans)
    FROM scan_daily_country_totals
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_monthly_country_totals
        (organization_id, month, brand_id, country_code, scans, bot_scans)
    SELECT organization_id, date_trunc('month', day::timestamp)::date, brand_id, country_code,
           sum(scans), sum(bot_scans)
    FROM scan_daily_country_totals
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_daily_brand_totals (organization_id, day, brand_id, scans, bot_scans)
    SELECT organization_id, day, brand_id, sum(scans), sum(bot_scans)
    FROM scan_daily_country_totals
    GROUP BY 1, 2, 3
    ORDER BY 2, 1, 3;
$$;

CREATE TRIGGER scan_read_rollups_insert AFTER INSERT ON scan_daily_summary
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_read_rollups_after_insert();
CREATE TRIGGER scan_read_rollups_update AFTER UPDATE ON scan_daily_summary
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_read_rollups_after_update();
CREATE TRIGGER scan_read_rollups_delete AFTER DELETE ON scan_daily_summary
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_read_rollups_after_delete();
CREATE TRIGGER scan_read_rollups_truncate AFTER TRUNCATE ON scan_daily_summary
    FOR EACH STATEMENT EXECUTE FUNCTION scan_read_rollups_after_truncate();

SELECT scan_read_rollups_rebuild();

GRANT SELECT ON scan_daily_gtin_totals, scan_weekly_gtin_totals, scan_monthly_gtin_totals,
                scan_weekly_country_totals, scan_monthly_country_totals, scan_daily_brand_totals
    TO scan_analytics_reader;
