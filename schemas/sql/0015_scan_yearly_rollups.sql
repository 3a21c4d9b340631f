-- Layers for long windows, kept exact by statement-level triggers on the rollups they sum:
--   scan_yearly_gtin_totals        from scan_monthly_gtin_totals (0007): the ranking;
--   scan_yearly_country_totals     from scan_monthly_country_totals (0007): by_country;
--   scan_yearly_agent_totals       from scan_monthly_agent_totals (0009): the agents;
--   scan_yearly_gtin_agent_totals  from scan_monthly_gtin_agent_totals (0009): the top
--       products' AI agent scans;
--   scan_daily_totals              from scan_daily_brand_totals (0007): the totals and by_day
--       of a whole organization, one row a day instead of one per brand and day.
-- Years start on 1 January. A year of the largest organization holds about as many GTIN
-- rows as one of its months (the same products are scanned all year round), so a window
-- that reads a year instead of eleven or twelve months reads a tenth of the rows
-- (api/queries.py: `cover` weighs years, months, weeks and days, added or taken away).
-- Each trigger adds the changed rows of its statement (new - old) to the layer above;
-- it runs inside the statements of 0007 and 0009, which hold their advisory lock. Rows
-- whose counts fall to zero stay (readers skip them), as in the layers below.

CREATE TABLE scan_yearly_gtin_totals (
    organization_id text   NOT NULL,
    year            date   NOT NULL CHECK (extract(doy FROM year) = 1),
    brand_id        text   NOT NULL,
    gtin            text   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, year, brand_id, gtin)
);

-- As 0013 for the months: a whole organization's year is an index-only scan of its entries.
CREATE INDEX scan_yearly_gtin_totals_ranking_idx
    ON scan_yearly_gtin_totals (organization_id, year) INCLUDE (gtin, scans, bot_scans);

CREATE TABLE scan_yearly_country_totals (
    organization_id text   NOT NULL,
    year            date   NOT NULL CHECK (extract(doy FROM year) = 1),
    brand_id        text   NOT NULL,
    country_code    text   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, year, brand_id, country_code)
);

CREATE TABLE scan_yearly_agent_totals (
    organization_id text   NOT NULL,
    year            date   NOT NULL CHECK (extract(doy FROM year) = 1),
    brand_id        text   NOT NULL,
    traffic_class   text   NOT NULL,
    category        text   NOT NULL,
    agent           text   NOT NULL,
    operator        text   NOT NULL,
    verification    text   NOT NULL,
    scans           bigint NOT NULL,
    PRIMARY KEY (organization_id, year, brand_id, traffic_class, category, agent, operator, verification)
);

CREATE TABLE scan_yearly_gtin_agent_totals (
    organization_id text   NOT NULL,
    year            date   NOT NULL CHECK (extract(doy FROM year) = 1),
    brand_id        text   NOT NULL,
    gtin            text   NOT NULL,
    agent_scans     bigint NOT NULL,
    PRIMARY KEY (organization_id, year, brand_id, gtin)
);

CREATE TABLE scan_daily_totals (
    organization_id text   NOT NULL,
    day             date   NOT NULL,
    scans           bigint NOT NULL,
    bot_scans       bigint NOT NULL,
    PRIMARY KEY (organization_id, day)
);

-- Adds a statement's changes of the table it is attached to into the layer above.
-- Arguments: the layer, its period column, that period as computed from a row of the table
-- below, the key columns between organization and counts ('' for none), the count columns.
CREATE FUNCTION scan_layer_add() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    layer   text := TG_ARGV[0];
    period  text := TG_ARGV[1];
    computed text := TG_ARGV[2];
    keys    text := TG_ARGV[3];
    counts  text[] := string_to_array(TG_ARGV[4], ',');
    key_list text := CASE WHEN keys = '' THEN '' ELSE ', ' || keys END;
    plus    text := array_to_string(counts, ', ');
    less    text := (SELECT string_agg('-' || c, ', ') FROM unnest(counts) AS c);
    sums    text := (SELECT string_agg(format('sum(%I)', c), ', ') FROM unnest(counts) AS c);
    nonzero text := (SELECT string_agg(format('sum(%I) <> 0', c), ' OR ') FROM unnest(counts) AS c);
    adds    text := (SELECT string_agg(format('%1$I = t.%1$I + EXCLUDED.%1$I', c), ', ')
                     FROM unnest(counts) AS c);
    changes text;
BEGIN
    changes := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT organization_id, %s AS p%s, %s FROM new_rows',
                                  computed, key_list, plus)
        WHEN 'DELETE' THEN format('SELECT organization_id, %s AS p%s, %s FROM old_rows',
                                  computed, key_list, less)
        ELSE format('SELECT organization_id, %1$s AS p%2$s, %3$s FROM new_rows'
                    ' UNION ALL SELECT organization_id, %1$s AS p%2$s, %4$s FROM old_rows',
                    computed, key_list, plus, less)
    END;
    EXECUTE format(
        'INSERT INTO %1$I AS t (organization_id, %2$I%3$s, %4$s)'
        ' SELECT organization_id, p%3$s, %5$s FROM (%6$s) AS d'
        ' GROUP BY organization_id, p%3$s HAVING %7$s'
        ' ORDER BY organization_id, p%3$s'
        ' ON CONFLICT (organization_id, %2$I%3$s) DO UPDATE SET %8$s',
        layer, period, key_list, plus, sums, changes, nonzero, adds);
    RETURN NULL;
END $$;

CREATE FUNCTION scan_layer_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('TRUNCATE %I', TG_ARGV[0]);
    RETURN NULL;
END $$;

-- Keeps `target` the sum of `source` by the period `expr` computes from a source row: triggers
-- on `source` for each kind of change (`scan_layer_add`'s arguments) and for TRUNCATE.
CREATE FUNCTION scan_layer_attach(source text, target text, period text, expr text, keys text,
                                  counts text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    kind record;
BEGIN
    FOR kind IN
        SELECT * FROM (VALUES
            ('insert', 'INSERT', 'NEW TABLE AS new_rows'),
            ('update', 'UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'),
            ('delete', 'DELETE', 'OLD TABLE AS old_rows')
        ) AS k (suffix, event, tables)
    LOOP
        EXECUTE format(
            'CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s FOR EACH STATEMENT'
            ' EXECUTE FUNCTION scan_layer_add(%L, %L, %L, %L, %L)',
            target || '_' || kind.suffix, kind.event, source, kind.tables, target, period, expr, keys,
            counts);
    END LOOP;
    EXECUTE format(
        'CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION scan_layer_truncate(%L)',
        target || '_truncate', source, target);
END $$;

SELECT scan_layer_attach('scan_monthly_gtin_totals', 'scan_yearly_gtin_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date', 'brand_id, gtin', 'scans,bot_scans');
SELECT scan_layer_attach('scan_monthly_country_totals', 'scan_yearly_country_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date', 'brand_id, country_code',
                         'scans,bot_scans');
SELECT scan_layer_attach('scan_monthly_agent_totals', 'scan_yearly_agent_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date',
                         'brand_id, traffic_class, category, agent, operator, verification', 'scans');
SELECT scan_layer_attach('scan_monthly_gtin_agent_totals', 'scan_yearly_gtin_agent_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date', 'brand_id, gtin', 'agent_scans');
SELECT scan_layer_attach('scan_daily_brand_totals', 'scan_daily_totals', 'day', 'day', '', 'scans,bot_scans');

-- Recompute these layers from the rollups below them (which the rebuild functions of 0007
-- and 0009 refill: their inserts fill these layers through the triggers as well).
CREATE FUNCTION scan_yearly_rollups_rebuild() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE scan_yearly_gtin_totals, scan_yearly_country_totals, scan_yearly_agent_totals,
             scan_yearly_gtin_agent_totals, scan_daily_totals;
    INSERT INTO scan_yearly_gtin_totals (organization_id, year, brand_id, gtin, scans, bot_scans)
    SELECT organization_id, date_trunc('year', month::timestamp)::date, brand_id, gtin, sum(scans),
           sum(bot_scans)
    FROM scan_monthly_gtin_totals
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_yearly_country_totals
        (organization_id, year, brand_id, country_code, scans, bot_scans)
    SELECT organization_id, date_trunc('year', month::timestamp)::date, brand_id, country_code,
           sum(scans), sum(bot_scans)
    FROM scan_monthly_country_totals
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_yearly_agent_totals
        (organization_id, year, brand_id, traffic_class, category, agent, operator, verification,
         scans)
    SELECT organization_id, date_trunc('year', month::timestamp)::date, brand_id, traffic_class,
           category, agent, operator, verification, sum(scans)
    FROM scan_monthly_agent_totals
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 2, 1, 3, 4, 5, 6, 7, 8;
    INSERT INTO scan_yearly_gtin_agent_totals (organization_id, year, brand_id, gtin, agent_scans)
    SELECT organization_id, date_trunc('year', month::timestamp)::date, brand_id, gtin,
           sum(agent_scans)
    FROM scan_monthly_gtin_agent_totals
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4;
    INSERT INTO scan_daily_totals (organization_id, day, scans, bot_scans)
    SELECT organization_id, day, sum(scans), sum(bot_scans)
    FROM scan_daily_brand_totals
    GROUP BY 1, 2
    ORDER BY 2, 1;
$$;

SELECT scan_yearly_rollups_rebuild();

GRANT SELECT ON scan_yearly_gtin_totals, scan_yearly_country_totals, scan_yearly_agent_totals,
                scan_yearly_gtin_agent_totals, scan_daily_totals
    TO scan_analytics_reader;
