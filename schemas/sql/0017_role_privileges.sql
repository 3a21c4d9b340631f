-- Privileges the roles lacked.
--
-- The rollups' maintenance functions, for their owner only. PostgreSQL lets PUBLIC execute
-- a new function; these rebuild, truncate or move the rollups, and nothing but the owner's
-- statements has reason to call them: the sink and the migrations run as the owner, the API
-- calls none of them. A trigger runs its trigger function whatever the writer may execute,
-- but the functions that one calls (the *_apply, scan_layer_*, scan_trailing_* below) are
-- checked against the writing role: a writer other than the owner needs EXECUTE on them.
REVOKE EXECUTE ON FUNCTION
    scan_rollups_apply(scan_rollup_delta[]),
    scan_rollups_rebuild(),
    scan_read_rollups_apply(scan_rollup_delta[]),
    scan_read_rollups_rebuild(),
    scan_agent_rollups_apply(scan_agent_delta[]),
    scan_agent_rollups_rebuild(),
    scan_hourly_totals_apply(scan_hourly_delta[]),
    scan_hourly_totals_rebuild(),
    scan_place_totals_apply(scan_place_delta[]),
    scan_place_totals_rebuild(),
    scan_yearly_rollups_rebuild(),
    scan_layer_rows(text, text, text, text, text),
    scan_layer_upsert(text, text, text, text, text),
    scan_daily_gtin_days(date, date),
    scan_trailing_changes(text, date, date, text),
    scan_trailing_insert(integer, date, text, text),
    scan_trailing_of_days(date, date, text),
    scan_trailing_roll(date)
FROM PUBLIC;

-- The API's readiness reads which migrations the database has: one behind the API's code
-- would fail its statements.
GRANT SELECT ON schema_migrations TO scan_analytics_reader;
