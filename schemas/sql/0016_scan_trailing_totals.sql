-- The ranking of a whole organization over the last N days, kept as it stands:
--   scan_trailing_gtin_totals  scans and bot scans per organization and GTIN over the N days
--       ending on `through` (no brand: a whole organization's ranking sums a GTIN's brands),
--       for each N of scan_trailing_windows: the API's "last 7, 30 and 90 days" (since =
--       until - 7, 30 or 90, both inclusive: 8, 31 and 91 days), its default window and the
--       dashboard's choices, and 30 days to the day (since = until - 29), as a client that
--       counts the days it asks for sends them.
-- The windows that end today are the ones asked most, and covering one from days, weeks and
-- months means summing about three times as many rows as it has GTINs. Here the ranking is
-- the first rows of an index (api/queries.py reads them when one of the layer's windows is
-- the request's, and the cover otherwise: the layer is never required).
-- Kept by statement-level triggers on scan_daily_gtin_totals (0007), inside the statements
-- that hold the advisory lock of 0003. Before a statement, a window whose last day is not
-- today (UTC, at the start of the transaction) is moved to today: the window it held, plus
-- the days it gains, less the days it loses (a full sum when it held nothing, or nothing in
-- common), all read as they stand before the statement, as the window does. After it, the
-- statement's changes (new - old) to the days of each window are added to it (an INSERT ...
-- ON CONFLICT DO UPDATE fires the triggers of both INSERT and UPDATE; the windows move
-- before either adds its rows). So the first write of a day moves them, and until then the
-- API reads the cover. Rows whose counts fall to zero stay (readers skip them), as in the
-- layers below.

CREATE TABLE scan_trailing_windows (
    days    integer PRIMARY KEY CHECK (days BETWEEN 1 AND 366),
    through date  -- the last day of the window the layer holds; NULL while it holds none
);

CREATE TABLE scan_trailing_gtin_totals (
    days            integer NOT NULL,
    through         date    NOT NULL,
    organization_id text    NOT NULL,
    gtin            text    NOT NULL,
    scans           bigint  NOT NULL,
    bot_scans       bigint  NOT NULL,
    PRIMARY KEY (days, through, organization_id, gtin)
);

-- The ranking itself: the first entries of an organization's window are its top GTINs.
CREATE INDEX scan_trailing_gtin_totals_ranking_idx
    ON scan_trailing_gtin_totals (days, through, organization_id, scans DESC, gtin) INCLUDE (bot_scans);

-- The rows of scan_daily_gtin_totals from `first` to `last`, found through its primary key
-- (organization, day, ...) one organization at a time, the organizations read by skipping
-- through the same key: a range of days alone would otherwise be a scan of every day kept.
CREATE FUNCTION scan_daily_gtin_days(first date, last date) RETURNS SETOF scan_daily_gtin_totals
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE orgs (id) AS (
        SELECT min(organization_id) FROM scan_daily_gtin_totals
        UNION ALL
        SELECT (SELECT min(organization_id) FROM scan_daily_gtin_totals WHERE organization_id > id)
        FROM orgs WHERE id IS NOT NULL
    )
    SELECT d.* FROM orgs, LATERAL (
        SELECT * FROM scan_daily_gtin_totals
        WHERE organization_id = orgs.id AND day >= first AND day <= last
        OFFSET 0  -- kept a subquery: an index scan for each organization, not a join of the table
    ) AS d
$$;

-- The rows of `rows` (scan_daily_gtin_days, or a trigger's transition table) from `first` to
-- `last` as changes to a window: organization, GTIN and counts, negated when `sign` is '-'.
CREATE FUNCTION scan_trailing_changes(rows text, first date, last date, sign text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('SELECT organization_id, gtin, %1$sscans AS scans, %1$sbot_scans AS bot_scans'
                  ' FROM %2$s WHERE day >= %3$L AND day <= %4$L', sign, rows, first, last)
$$;

-- The statement that sums `changes` (as scan_trailing_changes writes them) into the `days`
-- window ending on `through`, then `conflict` (the triggers' upsert; nothing for a new window).
CREATE FUNCTION scan_trailing_insert(days integer, through date, changes text, conflict text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        'INSERT INTO scan_trailing_gtin_totals AS t (days, through, organization_id, gtin, scans, bot_scans)'
        ' SELECT %s, %L::date, organization_id, gtin, sum(scans), sum(bot_scans) FROM (%s) AS c'
        ' GROUP BY organization_id, gtin HAVING sum(scans) <> 0 OR sum(bot_scans) <> 0%s',
        days, through, changes, conflict)
$$;

CREATE FUNCTION scan_trailing_of_days(first date, last date, sign text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT scan_trailing_changes(format('scan_daily_gtin_days(%L, %L)', first, last), first, last, sign)
$$;

-- Moves every window whose last day is not `today` to end on it. Takes the advisory lock of
-- 0003 first (the sink's statements already hold it), so no write of the days is missed or
-- counted twice.
CREATE FUNCTION scan_trailing_roll(today date DEFAULT (now() AT TIME ZONE 'UTC')::date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    w       scan_trailing_windows;
    changes text;
BEGIN
    IF NOT EXISTS (SELECT FROM scan_trailing_windows WHERE through IS DISTINCT FROM today) THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7311906422);
    FOR w IN SELECT * FROM scan_trailing_windows WHERE through IS DISTINCT FROM today ORDER BY days LOOP
        IF w.through IS NULL OR w.through > today OR w.through <= today - w.days THEN
            changes := scan_trailing_of_days(today - w.days + 1, today, '');
        ELSE  -- the window it holds, plus the days after it, less the days before the new one
            changes := format('SELECT organization_id, gtin, scans, bot_scans FROM scan_trailing_gtin_totals'
                              ' WHERE days = %s AND through = %L', w.days, w.through)
                       || ' UNION ALL ' || scan_trailing_of_days(w.through + 1, today, '')
                       || ' UNION ALL ' || scan_trailing_of_days(w.through - w.days + 1, today - w.days, '-');
        END IF;
        -- rows of no window held (only a hand-edited scan_trailing_windows leaves any)
        DELETE FROM scan_trailing_gtin_totals WHERE days = w.days AND through IS DISTINCT FROM w.through;
        EXECUTE scan_trailing_insert(w.days, today, changes, '');
        DELETE FROM scan_trailing_gtin_totals WHERE days = w.days AND through <> today;
        UPDATE scan_trailing_windows SET through = today WHERE days = w.days;
    END LOOP;
END $$;

-- Before a statement on scan_daily_gtin_totals: the windows end today.
CREATE FUNCTION scan_trailing_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM scan_trailing_roll();
    RETURN NULL;
END $$;

-- After it: its changes added to each window they fall in.
CREATE FUNCTION scan_trailing_add() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    w       scan_trailing_windows;
    first   date;
    changes text;
BEGIN
    FOR w IN SELECT * FROM scan_trailing_windows WHERE through IS NOT NULL ORDER BY days LOOP
        first := w.through - w.days + 1;
        changes := CASE TG_OP
            WHEN 'INSERT' THEN scan_trailing_changes('new_rows', first, w.through, '')
            WHEN 'DELETE' THEN scan_trailing_changes('old_rows', first, w.through, '-')
            ELSE scan_trailing_changes('new_rows', first, w.through, '')
                 || ' UNION ALL ' || scan_trailing_changes('old_rows', first, w.through, '-')
        END;
        EXECUTE scan_trailing_insert(
            w.days, w.through, changes,
            ' ORDER BY organization_id, gtin ON CONFLICT (days, through, organization_id, gtin)'
            ' DO UPDATE SET scans = t.scans + EXCLUDED.scans, bot_scans = t.bot_scans + EXCLUDED.bot_scans');
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION scan_trailing_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE scan_trailing_gtin_totals;
    UPDATE scan_trailing_windows SET through = NULL;
    RETURN NULL;
END $$;

CREATE TRIGGER scan_trailing_totals_move BEFORE INSERT OR UPDATE OR DELETE ON scan_daily_gtin_totals
    FOR EACH STATEMENT EXECUTE FUNCTION scan_trailing_move();
CREATE TRIGGER scan_trailing_totals_insert AFTER INSERT ON scan_daily_gtin_totals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scan_trailing_add();
CREATE TRIGGER scan_trailing_totals_update AFTER UPDATE ON scan_daily_gtin_totals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION scan_trailing_add();
CREATE TRIGGER scan_trailing_totals_delete AFTER DELETE ON scan_daily_gtin_totals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION scan_trailing_add();
CREATE TRIGGER scan_trailing_totals_truncate AFTER TRUNCATE ON scan_daily_gtin_totals
    FOR EACH STATEMENT EXECUTE FUNCTION scan_trailing_truncate();

INSERT INTO scan_trailing_windows (days) VALUES (8), (30), (31), (91);
SELECT scan_trailing_roll();

GRANT SELECT ON scan_trailing_windows, scan_trailing_gtin_totals TO scan_analytics_reader;
