-- Who scanned, beside what was scanned: every daily count of scan_daily_summary (and of the
-- sink's per-partition partials) is split further by
--   traffic_class  human, ai_agent or bot (is_bot is false exactly for human);
--   category       what kind of agent (docs/agents.md), '' for people;
--   agent          the declared agent's name from the project's agent catalog, 'other' for
--                  any other declared agent or automation, '' for people;
--   operator       who runs the agent, '' when unknown or for people;
--   verification   verified, unverified or spoofed (its client IP against the operator's
--                  published ranges), '' for people.
-- Text columns hold '' rather than NULL because they are part of the primary key.
-- Rows written before this migration keep is_bot; their traffic_class is derived from it
-- (human or bot) and their agent columns stay ''.
-- The rollups of 0003 and 0007 sum over these columns and are unchanged.

ALTER TABLE scan_daily_summary DISABLE TRIGGER USER;

ALTER TABLE scan_daily_summary
    ADD COLUMN traffic_class text NOT NULL DEFAULT 'human',
    ADD COLUMN category      text NOT NULL DEFAULT '',
    ADD COLUMN agent         text NOT NULL DEFAULT '',
    ADD COLUMN operator      text NOT NULL DEFAULT '',
    ADD COLUMN verification  text NOT NULL DEFAULT '';
UPDATE scan_daily_summary SET traffic_class = 'bot' WHERE is_bot;
ALTER TABLE scan_daily_summary
    ADD CONSTRAINT scan_daily_summary_traffic_class_check
        CHECK (traffic_class IN ('human', 'ai_agent', 'bot') AND is_bot = (traffic_class <> 'human')),
    ADD CONSTRAINT scan_daily_summary_verification_check
        CHECK (verification IN ('', 'verified', 'unverified', 'spoofed')),
    DROP CONSTRAINT scan_daily_summary_pkey,
    ADD PRIMARY KEY (organization_id, day, brand_id, gtin, country_code, device_class, is_bot,
                     traffic_class, category, agent, operator, verification);

ALTER TABLE scan_daily_summary ENABLE TRIGGER USER;

-- The agent questions (agent_scans, by_traffic_class, top_agents) read only automated rows.
CREATE INDEX scan_daily_summary_agents_idx
    ON scan_daily_summary (organization_id, day)
    INCLUDE (brand_id, gtin, traffic_class, category, agent, operator, verification, scans)
    WHERE is_bot;

ALTER TABLE scan_daily_partials
    ADD COLUMN traffic_class text NOT NULL DEFAULT 'human',
    ADD COLUMN category      text NOT NULL DEFAULT '',
    ADD COLUMN agent         text NOT NULL DEFAULT '',
    ADD COLUMN operator      text NOT NULL DEFAULT '',
    ADD COLUMN verification  text NOT NULL DEFAULT '';
UPDATE scan_daily_partials SET traffic_class = 'bot' WHERE is_bot;
ALTER TABLE scan_daily_partials
    DROP CONSTRAINT scan_daily_partials_pkey,
    ADD PRIMARY KEY (organization_id, day, brand_id, gtin, country_code, device_class, is_bot,
                     traffic_class, category, agent, operator, verification, partition);
