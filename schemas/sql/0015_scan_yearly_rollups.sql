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

-- Each layer above another: its source, its period column, that period as computed from a
-- source row, the key columns between organization and counts ('' for none), the count
-- columns (comma-separated). Filled by `scan_layer_attach`, read by the rebuild.
CREATE TABLE scan_layers (
    layer    text PRIMARY KEY,
    source   text NOT NULL,
    period   text NOT NULL,
    computed text NOT NULL,
    keys     text NOT NULL,
    counts   text NOT NULL
);

-- A query of `rows` (a table, or a trigger's transition table) as changes to add to a layer:
-- organization, period (p), keys and counts, the counts negated when `sign` is '-'.
CREATE FUNCTION scan_layer_rows(computed text, keys text, counts text, rows text, sign text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('SELECT organization_id, %s AS p%s, %s FROM %s',
                  computed, CASE WHEN keys = '' THEN '' ELSE ', ' || keys END,
                  (SELECT string_agg(sign || c, ', ') FROM unnest(string_to_array(counts, ',')) AS c),
                  rows)
$$;

-- The statement that adds `changes` (a query as `scan_layer_rows` writes one) to `layer`,
-- a row per organization, period and key, zero sums left out.
CREATE FUNCTION scan_layer_upsert(layer text, period text, keys text, counts text, changes text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        'INSERT INTO %1$I AS t (organization_id, %2$I%3$s, %4$s)'
        ' SELECT organization_id, p%3$s, %5$s FROM (%6$s) AS d'
        ' GROUP BY organization_id, p%3$s HAVING %7$s'
        ' ORDER BY organization_id, p%3$s'
        ' ON CONFLICT (organization_id, %2$I%3$s) DO UPDATE SET %8$s',
        layer, period, CASE WHEN keys = '' THEN '' ELSE ', ' || keys END,
        replace(counts, ',', ', '),
        (SELECT string_agg(format('sum(%I)', c), ', ') FROM unnest(string_to_array(counts, ',')) AS c),
        changes,
        (SELECT string_agg(format('sum(%I) <> 0', c), ' OR ')
         FROM unnest(string_to_array(counts, ',')) AS c),
        (SELECT string_agg(format('%1$I = t.%1$I + EXCLUDED.%1$I', c), ', ')
         FROM unnest(string_to_array(counts, ',')) AS c))
$$;

-- Adds a statement's changes of the table it is attached to into the layer above (the
-- arguments are the layer's row of scan_layers, but its source). The statement is built
-- here, where the transition tables are visible.
CREATE FUNCTION scan_layer_add() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    computed text := TG_ARGV[2];
    keys     text := TG_ARGV[3];
    counts   text := TG_ARGV[4];
    changes  text;
BEGIN
    changes := CASE TG_OP
        WHEN 'INSERT' THEN scan_layer_rows(computed, keys, counts, 'new_rows', '')
        WHEN 'DELETE' THEN scan_layer_rows(computed, keys, counts, 'old_rows', '-')
        ELSE scan_layer_rows(computed, keys, counts, 'new_rows', '')
             || ' UNION ALL ' || scan_layer_rows(computed, keys, counts, 'old_rows', '-')
    END;
    EXECUTE scan_layer_upsert(TG_ARGV[0], TG_ARGV[1], keys, counts, changes);
    RETURN NULL;
END $$;

CREATE FUNCTION scan_layer_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('TRUNCATE %I', TG_ARGV[0]);
    RETURN NULL;
END $$;

-- Keeps `layer` the sum of `source` by the period `computed` from a source row: records it in
-- scan_layers and adds triggers on `source` for each kind of change and for TRUNCATE.
CREATE FUNCTION scan_layer_attach(layer text, source text, period text, computed text, keys text,
                                  counts text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    kind record;
BEGIN
    INSERT INTO scan_layers VALUES (layer, source, period, computed, keys, counts);
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
            layer || '_' || kind.suffix, kind.event, source, kind.tables, layer, period, computed,
            keys, counts);
    END LOOP;
    EXECUTE format(
        'CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION scan_layer_truncate(%L)',
        layer || '_truncate', source, layer);
END $$;

SELECT scan_layer_attach('scan_yearly_gtin_totals', 'scan_monthly_gtin_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date', 'brand_id, gtin', 'scans,bot_scans');
SELECT scan_layer_attach('scan_yearly_country_totals', 'scan_monthly_country_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date', 'brand_id, country_code',
                         'scans,bot_scans');
SELECT scan_layer_attach('scan_yearly_agent_totals', 'scan_monthly_agent_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date',
                         'brand_id, traffic_class, category, agent, operator, verification', 'scans');
SELECT scan_layer_attach('scan_yearly_gtin_agent_totals', 'scan_monthly_gtin_agent_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date', 'brand_id, gtin', 'agent_scans');
SELECT scan_layer_attach('scan_daily_totals', 'scan_daily_brand_totals', 'day', 'day', '', 'scans,bot_scans');

-- Recompute every layer of scan_layers from the rollups below it (the rebuild functions of
-- 0007 and 0009 refill them too: their inserts go through the triggers).
CREATE FUNCTION scan_yearly_rollups_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    l scan_layers;
BEGIN
    FOR l IN SELECT * FROM scan_layers ORDER BY layer LOOP
        EXECUTE format('TRUNCATE %I', l.layer);
        EXECUTE scan_layer_upsert(l.layer, l.period, l.keys, l.counts,
                                  scan_layer_rows(l.computed, l.keys, l.counts, quote_ident(l.source), ''));
    END LOOP;
END $$;

SELECT scan_yearly_rollups_rebuild();

GRANT SELECT ON scan_yearly_gtin_totals, scan_yearly_country_totals, scan_yearly_agent_totals,
                scan_yearly_gtin_agent_totals, scan_daily_totals
    TO scan_analytics_reader;
