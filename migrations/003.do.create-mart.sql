-- The gold mart: events per (day, user). Anonymous events are not counted here.
CREATE TABLE mart.daily_events (
  event_date date   NOT NULL,
  user_id    text   NOT NULL,
  cnt        bigint NOT NULL,
  PRIMARY KEY (event_date, user_id)
);
