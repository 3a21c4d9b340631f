-- Rollups the read API answers long windows from, kept exact by triggers on
-- scan_daily_summary, so that writers need not know they exist:
--   scan_monthly_summary     the daily key with the day truncated to its month;
--   scan_daily_country_totals  scans and bot scans per (organization, day, brand, country).
-- Writers upsert absolute counts into scan_daily_summary; the statement-level
-- triggers turn each statement's changed rows into deltas (new - old) and add
-- them to the rollups. Writers on other connections touch the same rollup rows
-- (one per organization, day, brand and country), so the triggers first take one
-- transaction-scoped advisory lock: rollup maintenance is serialised until each
-- writer commits, and writers can never deadlock on rollup rows. Rollup rows
-- whose count falls to zero stay (readers skip them).

CREATE TABLE scan_monthly_summary (
    month           date    NOT NULL CHECK (extract(day FROM month) = 1),
    organization_id text    NOT NULL,
    brand_id        text    NOT NULL,
    gtin            text    NOT NULL,
    country_code    text    NOT NULL,
    device_class    text    NOT NULL,
    is_bot          boolean NOT NULL,
    scans           bigint  NOT NULL,
    PRIMARY KEY (organization_id, month, brand_id, gtin, country_code, device_class, is_bot)
);
CREATE INDEX scan_monthly_summary_brand_month_idx
    ON scan_monthly_summary (organization_id, brand_id, month);

CREATE TABLE scan_daily_country_totals (
    organization_id text   NOT NULL,
    day             date   NOT NULL,
    brand_id        text   NOT NULL,
    country_code    text   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, day, brand_id, country_code)
);

CREATE TYPE scan_rollup_delta AS (
    day             date,
    organization_id text,
    brand_id        text,
    gtin            text,
    country_code    text,
    device_class    text,
    is_bot          boolean,
    delta           bigint
);

CREATE FUNCTION scan_rollups_apply(deltas scan_rollup_delta[]) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(7311906422) WHERE cardinality(deltas) > 0;
    WITH d AS (SELECT * FROM unnest(deltas)),
    monthly AS (
        INSERT INTO scan_monthly_summary AS t
            (month, organization_id, brand_id, gtin, country_code, device_class, is_bot, scans)
        SELECT date_trunc('month', day)::date, organization_id, brand_id, gtin, country_code,
               device_class, is_bot, sum(delta)
        FROM d
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(delta) <> 0
        ORDER BY 2, 1, 3, 4, 5, 6, 7
        ON CONFLICT (organization_id, month, brand_id, gtin, country_code, device_class, is_bot)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans
    )
    INSERT INTO scan_daily_country_totals AS t
        (organization_id, day, brand_id, country_code, scans, bot_scans)
    SELECT organization_id, day, brand_id, country_code, sum(delta),
           coalesce(sum(delta) FILTER (WHERE is_bot), 0)
    FROM d
    GROUP BY 1, 2, 3, 4
    HAVING sum(delta) <> 0 OR sum(delta) FILTER (WHERE is_bot) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (organization_id, day, brand_id, country_code)
    DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans;
$$;

CREATE FUNCTION scan_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_rollups_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, device_class, is_bot,
                   scans)::scan_rollup_delta
        FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_rollups_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_rollups_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, device_class, is_bot,
                   scans)::scan_rollup_delta
        FROM new_rows
        UNION ALL
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, device_class, is_bot,
                   -scans)::scan_rollup_delta
        FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_rollups_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_rollups_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, country_code, device_class, is_bot,
                   -scans)::scan_rollup_delta
        FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_rollups_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE scan_monthly_summary, scan_daily_country_totals;
    RETURN NULL;
END $$;

-- Recompute both rollups from scan_daily_summary (after a bulk load with the
-- triggers disabled, or to check them).
CREATE FUNCTION scan_rollups_rebuild() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE scan_monthly_summary, scan_daily_country_totals;
    INSERT INTO scan_monthly_summary
        (month, organization_id, brand_id, gtin, country_code, device_class, is_bot, scans)
    SELECT date_trunc('month', day)::date, organization_id, brand_id, gtin, country_code,
           device_class, is_bot, sum(scans)
    FROM scan_daily_summary
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
    INSERT INTO scan_daily_country_totals
        (organization_id, day, brand_id, country_code, scans, bot_scans)
    SELECT organization_id, day, brand_id, country_code, sum(scans),
           coalesce(sum(scans) FILTER (WHERE is_bot), 0)
    FROM scan_daily_summary
    GROUP BY 1, 2, 3, 4;
$$;

CREATE TRIGGER scan_rollups_insert AFTER INSERT ON scan_daily_summary
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_rollups_after_insert();
CREATE TRIGGER scan_rollups_update AFTER UPDATE ON scan_daily_summary
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_rollups_after_update();
CREATE TRIGGER scan_rollups_delete AFTER DELETE ON scan_daily_summary
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_rollups_after_delete();
CREATE TRIGGER scan_rollups_truncate AFTER TRUNCATE ON scan_daily_summary
    FOR EACH STATEMENT EXECUTE FUNCTION scan_rollups_after_truncate();

SELECT scan_rollups_rebuild();
