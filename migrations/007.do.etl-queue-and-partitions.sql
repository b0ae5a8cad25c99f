-- The ETL queue worker and the exports manifest.
--   etl.runs.not_before: a queued run is not claimed before this time (retries back off);
--     NULL means at once (what the cron's rows use).
--   etl.runs.bronze_objects, silver_bytes: more counts of a run.
--   etl.partitions: the silver partitions as last published (one object per day), which the
--     exports manifest lists; updated in the transaction that replaces the day's mart rows.
ALTER TABLE etl.runs
  ADD COLUMN not_before     timestamptz,
  ADD COLUMN bronze_objects bigint,
  ADD COLUMN silver_bytes   bigint;

CREATE TABLE etl.partitions (
  event_date date PRIMARY KEY,
  object_key text        NOT NULL,
  bytes      bigint      NOT NULL,
  rows       bigint      NOT NULL,
  sha256     text        NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
