-- The ranking of a whole organization over months: every GTIN of the organization and
-- month, with the counts, in one index, so that a long window's per-GTIN pass is an
-- index-only scan of the organization's months instead of a scan of the whole monthly
-- GTIN layer (every organization's rows) or of its heap. Windows narrowed to one brand
-- read the primary key (organization, month, brand, GTIN) as before.
CREATE INDEX scan_monthly_gtin_totals_ranking_idx
    ON scan_monthly_gtin_totals (organization_id, month) INCLUDE (gtin, scans, bot_scans);
