-- What the gold marts' learner counts are kept up to date from, so that a run adding events to a
-- day changes the day's marts by what it adds, instead of reading the whole day again:
-- each learner's events a day by type and category (anonymous events of a session included once
-- the session has one signed-in learner), who signed in during each browser session, and the
-- anonymous events of each session (they move to a learner when the session gets one, and away
-- when it gets a second).
CREATE TABLE mart.learner_activity (
  event_date date   NOT NULL,
  user_id    text   NOT NULL,
  type       text   NOT NULL,
  category   text,
  events     bigint NOT NULL,
  UNIQUE NULLS NOT DISTINCT (event_date, user_id, type, category)
);
CREATE TABLE mart.session_learners (
  event_date date NOT NULL,
  session_id text NOT NULL,
  user_id    text NOT NULL,
  PRIMARY KEY (event_date, session_id, user_id)
);
CREATE TABLE mart.anonymous_session_events (
  event_date date   NOT NULL,
  session_id text   NOT NULL,
  type       text   NOT NULL,
  category   text,
  events     bigint NOT NULL,
  UNIQUE NULLS NOT DISTINCT (event_date, session_id, type, category)
);

-- A learner's days, for the retention of the learners a run gave a new day (or took one from).
CREATE INDEX learner_daily_user_id_idx ON mart.learner_daily (user_id);

-- The days whose state above is whole. A day published before it existed has its gold marts
-- computed again from all of its silver when a run next touches it.
CREATE TABLE etl.gold_days (event_date date PRIMARY KEY);

-- The learners' interests interest_daily was last computed with (a fingerprint of app.users'
-- usernames and interests): when they change, the mart is computed again whole.
CREATE TABLE etl.gold_interests (
  only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  fingerprint text NOT NULL
);
