-- The gold marts: what the events say about recommendations, search, retention and interests,
-- written by the ETL in the transaction that publishes the silver days they come from.
-- "learner": the signed-in username, or, for an anonymous event, the one learner who signed in
-- during the same browser session (session_id) that day.

-- Every event by type, anonymous ones included; learners = distinct learners among them.
CREATE TABLE mart.daily_type_events (
  event_date date   NOT NULL,
  type       text   NOT NULL,
  events     bigint NOT NULL,
  learners   bigint NOT NULL,
  PRIMARY KEY (event_date, type)
);

-- Events with a props.category, by type; learners = distinct learners among them.
CREATE TABLE mart.daily_category_events (
  event_date date   NOT NULL,
  category   text   NOT NULL,
  type       text   NOT NULL,
  events     bigint NOT NULL,
  learners   bigint NOT NULL,
  PRIMARY KEY (event_date, category, type)
);

-- Recommendation lists shown (recommendation_request) and opens from them (course_open with the
-- list's rec_id), on the open's day.
CREATE TABLE mart.recommendation_daily (
  event_date date   NOT NULL,
  category   text   NOT NULL,
  requests   bigint NOT NULL,
  opens      bigint NOT NULL,
  PRIMARY KEY (event_date, category)
);
CREATE TABLE mart.recommendation_positions (
  event_date date    NOT NULL,
  category   text    NOT NULL,
  position   integer NOT NULL,
  opens      bigint  NOT NULL,
  PRIMARY KEY (event_date, category, position)
);

-- Searches the worker answered (search_query with a search_id), those that found nothing, and
-- opens of their results (course_open and video_open with the search's search_id).
CREATE TABLE mart.search_daily (
  event_date  date   PRIMARY KEY,
  searches    bigint NOT NULL,
  zero_result bigint NOT NULL,
  opens       bigint NOT NULL
);
CREATE TABLE mart.zero_result_queries (
  event_date date   NOT NULL,
  query      text   NOT NULL,
  searches   bigint NOT NULL,
  PRIMARY KEY (event_date, query)
);

-- Weekly cohorts (the Monday, UTC, of a learner's first event) and how many of each were active
-- week_offset weeks later.
CREATE TABLE mart.retention_weekly (
  cohort_week date    NOT NULL,
  week_offset integer NOT NULL,
  learners    bigint  NOT NULL,
  PRIMARY KEY (cohort_week, week_offset)
);

-- Learners and their events by each of their current interests (app.users.interests).
CREATE TABLE mart.interest_daily (
  event_date date   NOT NULL,
  interest   text   NOT NULL,
  learners   bigint NOT NULL,
  events     bigint NOT NULL,
  PRIMARY KEY (event_date, interest)
);

-- What the marts above are computed from, kept per day so that a run recomputes only the days it
-- touched: each learner's events a day, the recommendation lists and searches (by id, with their
-- day) and the opens naming them (an open may come days after its list, or arrive before it).
CREATE TABLE mart.learner_daily (
  event_date date   NOT NULL,
  user_id    text   NOT NULL,
  events     bigint NOT NULL,
  PRIMARY KEY (event_date, user_id)
);
CREATE TABLE mart.recommendation_lists (
  rec_id     uuid PRIMARY KEY,
  event_date date NOT NULL,
  category   text NOT NULL,
  course_ids text[] NOT NULL
);
CREATE INDEX recommendation_lists_event_date_idx ON mart.recommendation_lists (event_date);
CREATE TABLE mart.recommendation_list_opens (
  event_date date    NOT NULL,
  rec_id     uuid    NOT NULL,
  position   integer NOT NULL,
  opens      bigint  NOT NULL,
  PRIMARY KEY (event_date, rec_id, position)
);
CREATE INDEX recommendation_list_opens_rec_id_idx ON mart.recommendation_list_opens (rec_id);
CREATE TABLE mart.searches (
  search_id  uuid    PRIMARY KEY,
  event_date date    NOT NULL,
  results    integer NOT NULL
);
CREATE INDEX searches_event_date_idx ON mart.searches (event_date);
CREATE TABLE mart.search_opens (
  event_date date   NOT NULL,
  search_id  uuid   NOT NULL,
  opens      bigint NOT NULL,
  PRIMARY KEY (event_date, search_id)
);
CREATE INDEX search_opens_search_id_idx ON mart.search_opens (search_id);

-- What GET /api/recommendations learns from: per course of a category, how often lists of the
-- last LIMITS.maxEventAgeDays days showed it and how often it was opened from them.
CREATE TABLE mart.course_open_rates (
  category    text   NOT NULL,
  course_id   text   NOT NULL,
  impressions bigint NOT NULL,
  opens       bigint NOT NULL,
  PRIMARY KEY (category, course_id)
);
