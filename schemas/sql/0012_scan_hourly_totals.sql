-- Totals of the hourly counts (migration 0010), kept exact by statement-level triggers on
-- scan_hourly_summary as those of 0003 and 0007 are kept on scan_daily_summary, so that the
-- read API answers the totals, by_day in a time zone and by_hour without reading every
-- hourly row of the window:
--   scan_hourly_totals        scans and bot scans per organization and UTC hour;
--   scan_hourly_brand_totals  scans and bot scans per organization, brand and UTC hour.
-- The triggers turn each statement's changed rows into deltas (new - old), take the advisory
-- lock of 0003 (rollup maintenance stays serialised and deadlock-free; the sink writes the
-- hours in the transaction that already holds it for the days) and add the deltas. Unlike
-- the daily rollups, a total that falls to zero is deleted: the sink deletes the hours past
-- their retention, and so the totals of those hours go with them.

CREATE TABLE scan_hourly_totals (
    organization_id text        NOT NULL,
    hour            timestamptz NOT NULL,
    scans           bigint      NOT NULL,
    bot_scans       bigint      NOT NULL,
    PRIMARY KEY (organization_id, hour)
);

CREATE TABLE scan_hourly_brand_totals (
    organization_id text        NOT NULL,
    brand_id        text        NOT NULL,
    hour            timestamptz NOT NULL,
    scans           bigint      NOT NULL,
    bot_scans       bigint      NOT NULL,
    PRIMARY KEY (organization_id, brand_id, hour)
);

CREATE TYPE scan_hourly_delta AS (
    hour            timestamptz,
    organization_id text,
    brand_id        text,
    is_bot          boolean,
    delta           bigint
);

CREATE FUNCTION scan_hourly_totals_apply(deltas scan_hourly_delta[]) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(7311906422) WHERE cardinality(deltas) > 0;
    WITH d AS (SELECT * FROM unnest(deltas)),
    per_brand AS MATERIALIZED (
        SELECT organization_id, brand_id, hour, sum(delta) AS scans,
               coalesce(sum(delta) FILTER (WHERE is_bot), 0) AS bot_scans
        FROM d
        GROUP BY 1, 2, 3
        HAVING sum(delta) <> 0 OR coalesce(sum(delta) FILTER (WHERE is_bot), 0) <> 0
    ),
    brand_totals AS (
        INSERT INTO scan_hourly_brand_totals AS t (organization_id, brand_id, hour, scans, bot_scans)
        SELECT * FROM per_brand
        ORDER BY 1, 2, 3
        ON CONFLICT (organization_id, brand_id, hour)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans
    )
    INSERT INTO scan_hourly_totals AS t (organization_id, hour, scans, bot_scans)
    SELECT organization_id, hour, sum(scans), sum(bot_scans)
    FROM per_brand
    GROUP BY 1, 2
    HAVING sum(scans) <> 0 OR sum(bot_scans) <> 0
    ORDER BY 1, 2
    ON CONFLICT (organization_id, hour)
    DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans;
    -- the hours whose counts are gone (past the retention, or deleted)
    WITH touched AS (SELECT DISTINCT organization_id, brand_id, hour FROM unnest(deltas))
    DELETE FROM scan_hourly_brand_totals AS t
    USING touched
    WHERE t.organization_id = touched.organization_id AND t.brand_id = touched.brand_id
      AND t.hour = touched.hour AND t.scans = 0 AND t.bot_scans = 0;
    WITH touched AS (SELECT DISTINCT organization_id, hour FROM unnest(deltas))
    DELETE FROM scan_hourly_totals AS t
    USING touched
    WHERE t.organization_id = touched.organization_id AND t.hour = touched.hour
      AND t.scans = 0 AND t.bot_scans = 0;
$$;

CREATE FUNCTION scan_hourly_totals_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_hourly_totals_apply(ARRAY(
        SELECT ROW(hour, organization_id, brand_id, is_bot, scans)::scan_hourly_delta
        FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_hourly_totals_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_hourly_totals_apply(ARRAY(
        SELECT ROW(hour, organization_id, brand_id, is_bot, scans)::scan_hourly_delta
        FROM new_rows
        UNION ALL
        SELECT ROW(hour, organization_id, brand_id, is_bot, -scans)::scan_hourly_delta
        FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_hourly_totals_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_hourly_totals_apply(ARRAY(
        SELECT ROW(hour, organization_id, brand_id, is_bot, -scans)::scan_hourly_delta
        FROM old_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_hourly_totals_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE scan_hourly_totals, scan_hourly_brand_totals;
    RETURN NULL;
END $$;

-- Recompute the totals from scan_hourly_summary (after a bulk load with the triggers
-- disabled, or to check them).
CREATE FUNCTION scan_hourly_totals_rebuild() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE scan_hourly_totals, scan_hourly_brand_totals;
    INSERT INTO scan_hourly_brand_totals (organization_id, brand_id, hour, scans, bot_scans)
    SELECT organization_id, brand_id, hour, sum(scans), coalesce(sum(scans) FILTER (WHERE is_bot), 0)
    FROM scan_hourly_summary
    GROUP BY 1, 2, 3
    HAVING sum(scans) <> 0
    ORDER BY 3, 1, 2;
    INSERT INTO scan_hourly_totals (organization_id, hour, scans, bot_scans)
    SELECT organization_id, hour, sum(scans), sum(bot_scans)
    FROM scan_hourly_brand_totals
    GROUP BY 1, 2
    ORDER BY 2, 1;
$$;

CREATE TRIGGER scan_hourly_totals_insert AFTER INSERT ON scan_hourly_summary
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_hourly_totals_after_insert();
CREATE TRIGGER scan_hourly_totals_update AFTER UPDATE ON scan_hourly_summary
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_hourly_totals_after_update();
CREATE TRIGGER scan_hourly_totals_delete AFTER DELETE ON scan_hourly_summary
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_hourly_totals_after_delete();
CREATE TRIGGER scan_hourly_totals_truncate AFTER TRUNCATE ON scan_hourly_summary
    FOR EACH STATEMENT EXECUTE FUNCTION scan_hourly_totals_after_truncate();

SELECT scan_hourly_totals_rebuild();

GRANT SELECT ON scan_hourly_totals, scan_hourly_brand_totals TO scan_analytics_reader;
