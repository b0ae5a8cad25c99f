-- The incremental ETL (late events up to LIMITS.maxEventAgeDays).
--   etl.bronze_objects: every bronze object whose usable lines are in silver, with the event
--     dates they hold; written in the transaction that publishes them. An object not in it is new.
--   etl.silver_files: the current files of each silver partition (a partition may hold several;
--     no id is in two of them); replaces etl.partitions, which allowed one file a day.
--   etl.silver_garbage: silver objects to delete: files uploaded by a run that has not committed
--     (yet, or ever) and files a committed run superseded. Whoever runs next deletes them.
--   etl.runs.mode: incremental (absorb what arrived), sweep (also look for objects that arrived
--     in older bronze days) or rebuild (`run --date`: the day again from its bronze).
CREATE TABLE etl.bronze_objects (
  key         text PRIMARY KEY,
  bytes       bigint      NOT NULL,
  lines       bigint      NOT NULL,
  rejected    bigint      NOT NULL,
  quarantined boolean     NOT NULL DEFAULT false,
  event_dates date[]      NOT NULL,
  absorbed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bronze_objects_event_dates_idx ON etl.bronze_objects USING gin (event_dates);

CREATE TABLE etl.silver_files (
  object_key text PRIMARY KEY,
  event_date date        NOT NULL,
  bytes      bigint      NOT NULL,
  rows       bigint      NOT NULL,
  sha256     text        NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX silver_files_event_date_idx ON etl.silver_files (event_date);
INSERT INTO etl.silver_files (object_key, event_date, bytes, rows, sha256, written_at)
  SELECT object_key, event_date, bytes, rows, sha256, written_at FROM etl.partitions;
DROP TABLE etl.partitions;

CREATE TABLE etl.silver_garbage (
  object_key text PRIMARY KEY,
  since      timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE etl.runs
  ADD COLUMN mode text NOT NULL DEFAULT 'incremental' CHECK (mode IN ('incremental', 'sweep', 'rebuild'));
