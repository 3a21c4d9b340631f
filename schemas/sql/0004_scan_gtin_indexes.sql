-- The read API sums the countries and devices of an organization's top GTINs
-- over a window: one short index range per GTIN instead of the whole window.
CREATE INDEX scan_daily_summary_gtin_day_idx
    ON scan_daily_summary (organization_id, gtin, day);
CREATE INDEX scan_monthly_summary_gtin_month_idx
    ON scan_monthly_summary (organization_id, gtin, month);
