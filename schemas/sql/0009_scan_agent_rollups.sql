-- Rollups of the automated scans by agent, kept exact by triggers on scan_daily_summary as
-- those of 0003 and 0007 are, so the read API answers agent_scans, top_agents and each top
-- product's ai_agent scans over long windows without reading every automated row
-- (scan_daily_summary_agents_idx of 0008 serves the rebuild below and ad hoc questions):
--   scan_{daily,weekly,monthly}_agent_totals       scans per organization, period, brand and
--       agent (traffic_class, category, agent, operator, verification) of automated rows
--       (is_bot): top_agents and agent_scans;
--   scan_{daily,weekly,monthly}_gtin_agent_totals  AI agents' scans (traffic_class ai_agent)
--       per organization, period, brand and GTIN: each top product's by_traffic_class.
-- People's rows (is_bot false) are not read by these triggers. Weeks start on Monday, months
-- on the 1st, as in 0007. The triggers turn each statement's changed automated rows into
-- deltas (new - old), take the advisory lock of 0003 (rollup maintenance stays serialised
-- and deadlock-free) and add the deltas. Rows whose counts fall to zero stay (readers skip
-- them).

CREATE TABLE scan_daily_agent_totals (
    organization_id text   NOT NULL,
    day             date   NOT NULL,
    brand_id        text   NOT NULL,
    traffic_class   text   NOT NULL,
    category        text   NOT NULL,
    agent           text   NOT NULL,
    operator        text   NOT NULL,
    verification    text   NOT NULL,
    scans           bigint NOT NULL,
    PRIMARY KEY (organization_id, day, brand_id, traffic_class, category, agent, operator, verification)
);

CREATE TABLE scan_weekly_agent_totals (
    organization_id text   NOT NULL,
    week            date   NOT NULL CHECK (extract(isodow FROM week) = 1),
    brand_id        text   NOT NULL,
    traffic_class   text   NOT NULL,
    category        text   NOT NULL,
    agent           text   NOT NULL,
    operator        text   NOT NULL,
    verification    text   NOT NULL,
    scans           bigint NOT NULL,
    PRIMARY KEY (organization_id, week, brand_id, traffic_class, category, agent, operator, verification)
);

CREATE TABLE scan_monthly_agent_totals (
    organization_id text   NOT NULL,
    month           date   NOT NULL CHECK (extract(day FROM month) = 1),
    brand_id        text   NOT NULL,
    traffic_class   text   NOT NULL,
    category        text   NOT NULL,
    agent           text   NOT NULL,
    operator        text   NOT NULL,
    verification    text   NOT NULL,
    scans           bigint NOT NULL,
    PRIMARY KEY (organization_id, month, brand_id, traffic_class, category, agent, operator, verification)
);

CREATE TABLE scan_daily_gtin_agent_totals (
    organization_id text   NOT NULL,
    day             date   NOT NULL,
    brand_id        text   NOT NULL,
    gtin            text   NOT NULL,
    agent_scans     bigint NOT NULL,
    PRIMARY KEY (organization_id, day, brand_id, gtin)
);

CREATE TABLE scan_weekly_gtin_agent_totals (
    organization_id text   NOT NULL,
    week            date   NOT NULL CHECK (extract(isodow FROM week) = 1),
    brand_id        text   NOT NULL,
    gtin            text   NOT NULL,
    agent_scans     bigint NOT NULL,
    PRIMARY KEY (organization_id, week, brand_id, gtin)
);

CREATE TABLE scan_monthly_gtin_agent_totals (
    organization_id text   NOT NULL,
    month           date   NOT NULL CHECK (extract(day FROM month) = 1),
    brand_id        text   NOT NULL,
    gtin            text   NOT NULL,
    agent_scans     bigint NOT NULL,
    PRIMARY KEY (organization_id, month, brand_id, gtin)
);

CREATE TYPE scan_agent_delta AS (
    day             date,
    organization_id text,
    brand_id        text,
    gtin            text,
    traffic_class   text,
    category        text,
    agent           text,
    operator        text,
    verification    text,
    delta           bigint
);

CREATE FUNCTION scan_agent_rollups_apply(deltas scan_agent_delta[]) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(7311906422) WHERE cardinality(deltas) > 0;
    WITH d AS (SELECT * FROM unnest(deltas)),
    per_agent AS MATERIALIZED (
        SELECT organization_id, day, brand_id, traffic_class, category, agent, operator,
               verification, sum(delta) AS scans
        FROM d
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(delta) <> 0
    ),
    per_gtin AS MATERIALIZED (
        SELECT organization_id, day, brand_id, gtin, sum(delta) AS agent_scans
        FROM d
        WHERE traffic_class = 'ai_agent'
        GROUP BY 1, 2, 3, 4
        HAVING sum(delta) <> 0
    ),
    daily_agent AS (
        INSERT INTO scan_daily_agent_totals AS t
            (organization_id, day, brand_id, traffic_class, category, agent, operator, verification,
             scans)
        SELECT * FROM per_agent
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (organization_id, day, brand_id, traffic_class, category, agent, operator,
                     verification)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans
    ),
    weekly_agent AS (
        INSERT INTO scan_weekly_agent_totals AS t
            (organization_id, week, brand_id, traffic_class, category, agent, operator,
             verification, scans)
        SELECT organization_id, date_trunc('week', day::timestamp)::date, brand_id, traffic_class,
               category, agent, operator, verification, sum(scans)
        FROM per_agent
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(scans) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (organization_id, week, brand_id, traffic_class, category, agent, operator,
                     verification)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans
    ),
    monthly_agent AS (
        INSERT INTO scan_monthly_agent_totals AS t
            (organization_id, month, brand_id, traffic_class, category, agent, operator,
             verification, scans)
        SELECT organization_id, date_trunc('month', day::timestamp)::date, brand_id, traffic_class,
               category, agent, operator, verification, sum(scans)
        FROM per_agent
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(scans) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (organization_id, month, brand_id, traffic_class, category, agent, operator,
                     verification)
        DO UPDATE SET scans = t.scans + EXCLUDED.scans
    ),
    daily_gtin AS (
        INSERT INTO scan_daily_gtin_agent_totals AS t
            (organization_id, day, brand_id, gtin, agent_scans)
        SELECT * FROM per_gtin
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, day, brand_id, gtin)
        DO UPDATE SET agent_scans = t.agent_scans + EXCLUDED.agent_scans
    ),
    weekly_gtin AS (
        INSERT INTO scan_weekly_gtin_agent_totals AS t
            (organization_id, week, brand_id, gtin, agent_scans)
        SELECT organization_id, date_trunc('week', day::timestamp)::date, brand_id, gtin,
               sum(agent_scans)
        FROM per_gtin
        GROUP BY 1, 2, 3, 4
        HAVING sum(agent_scans) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, week, brand_id, gtin)
        DO UPDATE SET agent_scans = t.agent_scans + EXCLUDED.agent_scans
    )
    INSERT INTO scan_monthly_gtin_agent_totals AS t
        (organization_id, month, brand_id, gtin, agent_scans)
    SELECT organization_id, date_trunc('month', day::timestamp)::date, brand_id, gtin,
           sum(agent_scans)
    FROM per_gtin
    GROUP BY 1, 2, 3, 4
    HAVING sum(agent_scans) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (organization_id, month, brand_id, gtin)
    DO UPDATE SET agent_scans = t.agent_scans + EXCLUDED.agent_scans;
$$;

CREATE FUNCTION scan_agent_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_agent_rollups_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, traffic_class, category, agent, operator,
                   verification, scans)::scan_agent_delta
        FROM new_rows
        WHERE is_bot));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_agent_rollups_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_agent_rollups_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, traffic_class, category, agent, operator,
                   verification, scans)::scan_agent_delta
        FROM new_rows
        WHERE is_bot
        UNION ALL
        SELECT ROW(day, organization_id, brand_id, gtin, traffic_class, category, agent, operator,
                   verification, -scans)::scan_agent_delta
        FROM old_rows
        WHERE is_bot));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_agent_rollups_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_agent_rollups_apply(ARRAY(
        SELECT ROW(day, organization_id, brand_id, gtin, traffic_class, category, agent, operator,
                   verification, -scans)::scan_agent_delta
        FROM old_rows
        WHERE is_bot));
    RETURN NULL;
END $$;

CREATE FUNCTION scan_agent_rollups_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE scan_daily_agent_totals, scan_weekly_agent_totals, scan_monthly_agent_totals,
             scan_daily_gtin_agent_totals, scan_weekly_gtin_agent_totals,
             scan_monthly_gtin_agent_totals;
    RETURN NULL;
END $$;

-- Recompute these rollups from scan_daily_summary (after a bulk load with the triggers
-- disabled, or to check them), stored period by period as the triggers store them.
CREATE FUNCTION scan_agent_rollups_rebuild() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE scan_daily_agent_totals, scan_weekly_agent_totals, scan_monthly_agent_totals,
             scan_daily_gtin_agent_totals, scan_weekly_gtin_agent_totals,
             scan_monthly_gtin_agent_totals;
    INSERT INTO scan_daily_agent_totals
        (organization_id, day, brand_id, traffic_class, category, agent, operator, verification,
         scans)
    SELECT organization_id, day, brand_id, traffic_class, category, agent, operator, verification,
           sum(scans)
    FROM scan_daily_summary
    WHERE is_bot
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 2, 1, 3, 4, 5, 6, 7, 8;
    INSERT INTO scan_weekly_agent_totals
        (organization_id, week, brand_id, traffic_class, category, agent, operator, verification,
         scans)
    SELECT organization_id, date_trunc('week', day::timestamp)::date, brand_id, traffic_class,
           category, agent, operator, verification, sum(scans)
    FROM scan_daily_agent_totals
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 2, 1, 3, 4, 5, 6, 7, 8;
    INSERT INTO scan_monthly_agent_totals
        (organization_id, month, brand_id, traffic_class, category, agent, operator, verification,
         scans)
    SELECT organization_id, date_trunc('month', day::timestamp)::date, brand_id, traffic_class,
           category, agent, operator, verification, sum(scans)
    FROM scan_daily_agent_totals
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 2, 1, 3, 4, 5, 6, 7, 8;
    INSERT INTO scan_daily_gtin_agent_totals (organization_id, day, brand_id, gtin, agent_scans)
    SELECT organization_id, day, brand_id, gtin, sum(scans)
    FROM scan_daily_summary
    WHERE is_bot AND traffic_class = 'ai_agent'
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_weekly_gtin_agent_totals (organization_id, week, brand_id, gtin, agent_scans)
    SELECT organization_id, date_trunc('week', day::timestamp)::date, brand_id, gtin,
           sum(agent_scans)
    FROM scan_daily_gtin_agent_totals
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_monthly_gtin_agent_totals (organization_id, month, brand_id, gtin, agent_scans)
    SELECT organization_id, date_trunc('month', day::timestamp)::date, brand_id, gtin,
           sum(agent_scans)
    FROM scan_daily_gtin_agent_totals
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
$$;

CREATE TRIGGER scan_agent_rollups_insert AFTER INSERT ON scan_daily_summary
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_agent_rollups_after_insert();
CREATE TRIGGER scan_agent_rollups_update AFTER UPDATE ON scan_daily_summary
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_agent_rollups_after_update();
CREATE TRIGGER scan_agent_rollups_delete AFTER DELETE ON scan_daily_summary
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scan_agent_rollups_after_delete();
CREATE TRIGGER scan_agent_rollups_truncate AFTER TRUNCATE ON scan_daily_summary
    FOR EACH STATEMENT EXECUTE FUNCTION scan_agent_rollups_after_truncate();

SELECT scan_agent_rollups_rebuild();

GRANT SELECT ON scan_daily_agent_totals, scan_weekly_agent_totals, scan_monthly_agent_totals,
                scan_daily_gtin_agent_totals, scan_weekly_gtin_agent_totals,
                scan_monthly_gtin_agent_totals
    TO scan_analytics_reader;
