-- Learners' erasure requests (DELETE /api/me). The account and its sessions are gone when the row
-- is written; the ETL then removes the learner's lines and rows from bronze, the rejects, silver,
-- the marts and the exports, and marks the request done with what it removed. The username stays
-- here, and only here: sign-up refuses it for the horizon, and the ETL drops late lines naming it.
CREATE TABLE app.erasures (
  id                 bigserial PRIMARY KEY,
  username           text        NOT NULL,
  -- The account's lifetime bounds the bronze days that can hold its rejects.
  account_created_at timestamptz NOT NULL,
  requested_at       timestamptz NOT NULL DEFAULT now(),
  status             text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  attempts           integer     NOT NULL DEFAULT 0,
  tried_at           timestamptz,
  last_error         text,
  completed_at       timestamptz,
  bronze_objects     bigint,
  bronze_lines       bigint,
  rejected_lines     bigint,
  silver_rows        bigint,
  mart_rows          bigint
);
CREATE INDEX erasures_username_idx ON app.erasures (username, requested_at);
CREATE INDEX erasures_pending_idx ON app.erasures (requested_at) WHERE status = 'pending';
