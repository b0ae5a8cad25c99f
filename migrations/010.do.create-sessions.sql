-- A row per session the worker started, so that logging out revokes it on the server, and account
-- and analyst routes see the account as it is now: its current role, or that it is gone.
CREATE TABLE app.sessions (
  id         uuid PRIMARY KEY,
  username   text NOT NULL REFERENCES app.users (username) ON DELETE CASCADE ON UPDATE CASCADE,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_username_idx ON app.sessions (username);
