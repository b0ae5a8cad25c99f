-- Users and the learning catalog (the catalog content is seeded by a later migration).
CREATE TABLE app.users (
  username      text PRIMARY KEY,
  password_hash text NOT NULL,
  full_name     text NOT NULL,
  interests     text[] NOT NULL DEFAULT '{}',
  role          text NOT NULL DEFAULT 'learner' CHECK (role IN ('learner', 'analyst')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app.categories (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  description text NOT NULL,
  icon        text NOT NULL,
  accent      text NOT NULL
);

CREATE TABLE app.courses (
  id          text PRIMARY KEY,
  category_id text NOT NULL REFERENCES app.categories (id),
  title       text NOT NULL,
  provider    text NOT NULL,
  duration    text NOT NULL,
  level       text NOT NULL CHECK (level IN ('beginner', 'intermediate', 'advanced')),
  url         text NOT NULL
);
CREATE INDEX courses_category_id_idx ON app.courses (category_id);

CREATE TABLE app.videos (
  id          text PRIMARY KEY,
  category_id text NOT NULL REFERENCES app.categories (id),
  title       text NOT NULL,
  channel     text NOT NULL,
  url         text NOT NULL
);
CREATE INDEX videos_category_id_idx ON app.videos (category_id);
