-- Which ownership of a worker partition may write its counts. A worker that takes a
-- partition over raises the epoch; the stream processors' sink writes a partition's
-- counts only while the stored epoch is its own, so a worker that lost the partition
-- cannot overwrite the new owner's newer counts.

CREATE TABLE scan_sink_owners (
    worker_group text    NOT NULL,
    partition    integer NOT NULL CHECK (partition >= 0),
    epoch        bigint  NOT NULL,
    PRIMARY KEY (worker_group, partition)
);

-- The counts of each worker partition: one scan's key (day, organization, brand, GTIN,
-- country, device class, bot flag) is counted on the partition of its client IP, so several
-- partitions hold parts of one key. scan_daily_summary holds their sum, recomputed by the sink
-- for every key it writes, in the same transaction.
CREATE TABLE scan_daily_partials (
    partition       integer NOT NULL CHECK (partition >= 0),
    day             date    NOT NULL,
    organization_id text    NOT NULL,
    brand_id        text    NOT NULL,
    gtin            text    NOT NULL,
    country_code    text    NOT NULL,
    device_class    text    NOT NULL,
    is_bot          boolean NOT NULL,
    scans           bigint  NOT NULL CHECK (scans >= 0),
    PRIMARY KEY (organization_id, day, brand_id, gtin, country_code, device_class, is_bot, partition)
);
