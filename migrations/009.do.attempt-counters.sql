-- Throttle counters for logins and sign-ups (worker/src/auth/throttle.ts), replacing the log of
-- failed logins: checking whether an attempt is due and counting it is one upsert of a row per
-- key, whose CHECK refuses the attempt that comes too early, so concurrent attempts cannot all
-- pass a check that read the count before any of them wrote it.
--
-- Times are epoch seconds (double precision) so that `not_before` can be a generated column.
-- Each row carries the policy it is counted under, which the worker sends with every attempt.
DROP TABLE app.login_failures;

CREATE TABLE app.attempt_counters (
  key            text PRIMARY KEY,
  free           integer NOT NULL,
  window_seconds double precision NOT NULL,
  first_delay    double precision NOT NULL,
  max_delay      double precision NOT NULL,
  -- Attempts counted since window_start.
  attempts       integer NOT NULL,
  window_start   double precision NOT NULL,
  last_at        double precision NOT NULL,
  -- When the last counted attempt became due; it may not have come earlier.
  due_at         double precision NOT NULL,
  -- When the next attempt is due: at once while attempts < free, then after a delay that doubles
  -- with each attempt (the exponent is bounded so that power() cannot overflow), but never after
  -- the window's end, when the counter starts again.
  not_before     double precision GENERATED ALWAYS AS (
    CASE WHEN attempts < free THEN last_at
         ELSE least(window_start + window_seconds,
                    last_at + least(first_delay * power(2, least(attempts - free, 60)), max_delay))
    END
  ) STORED,
  CONSTRAINT attempt_counters_due CHECK (last_at >= due_at)
);
CREATE INDEX attempt_counters_window_end_idx ON app.attempt_counters ((window_start + window_seconds));
