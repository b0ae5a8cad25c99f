-- A run that absorbs late events adds to the counts of (day, learner) rows that are already there.
-- Room left on each page lets Postgres update such a row in place, as a heap-only tuple that needs
-- no new index entries; on full pages every updated row moved and wrote its index entries again.
-- Pages written from now on keep the room.
ALTER TABLE mart.daily_events SET (fillfactor = 80);
ALTER TABLE mart.learner_activity SET (fillfactor = 80);
ALTER TABLE mart.learner_daily SET (fillfactor = 80);
