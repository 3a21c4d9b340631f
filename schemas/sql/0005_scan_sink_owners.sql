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
