-- The read API's role: SELECT on the tables the API reads, nothing else. The
-- API sets it as its session role (or logs in as a member of it), so a query
-- that tried to write would be refused by privileges, not only by the read-only
-- transaction. Roles belong to the cluster: a deployment whose migrating role
-- cannot create roles creates it beforehand (`scan-analytics services up` does),
-- and migrations of several databases may run at once, hence the guards.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'scan_analytics_reader') THEN
        BEGIN
            CREATE ROLE scan_analytics_reader NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT pg_has_role(current_user, 'scan_analytics_reader', 'MEMBER') THEN
        BEGIN
            GRANT scan_analytics_reader TO CURRENT_USER;
        EXCEPTION WHEN unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO scan_analytics_reader;
GRANT SELECT ON organization_memberships, brands, products,
                scan_daily_summary, scan_monthly_summary, scan_daily_country_totals
    TO scan_analytics_reader;
