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

-- Each learner's interests as interest_daily counts them: a run moves the days of a learner whose
-- interests changed in app.users since from the old interests to the new ones.
CREATE TABLE mart.learner_interests (
  user_id   text PRIMARY KEY,
  interests text[] NOT NULL
);
INSERT INTO mart.learner_interests (user_id, interests)
SELECT username, interests FROM app.users WHERE interests <> '{}';
DELETE FROM mart.interest_daily;
INSERT INTO mart.interest_daily (event_date, interest, learners, events)
SELECT l.event_date, interest, count(*), sum(l.events)
FROM mart.learner_daily l JOIN mart.learner_interests i USING (user_id), unnest(i.interests) AS interest
GROUP BY 1, 2;
