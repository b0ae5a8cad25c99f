-- The ETL run ledger (one row per date and attempt) and pipeline heartbeats.
CREATE TABLE etl.runs (
  id           bigserial PRIMARY KEY,
  event_date   date NOT NULL,
  attempt      int  NOT NULL,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  queued_at    timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz,
  worker       text,
  error        text,
  bronze_lines bigint,
  duplicates   bigint,
  rejected     bigint,
  silver_rows  bigint,
  mart_rows    bigint,
  bytes        bigint,
  seconds      numeric,
  UNIQUE (event_date, attempt)
);
-- Workers claim the oldest queued run: ... WHERE status = 'queued' ORDER BY queued_at, id
-- FOR UPDATE SKIP LOCKED.
CREATE INDEX runs_queued_idx ON etl.runs (queued_at, id) WHERE status = 'queued';

CREATE TABLE etl.heartbeats (
  name    text PRIMARY KEY,
  beat_at timestamptz NOT NULL DEFAULT now()
);
