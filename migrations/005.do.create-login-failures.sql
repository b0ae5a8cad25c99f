-- Failed logins, for throttling (5 per username or client within 15 minutes).
CREATE TABLE app.login_failures (
  id        bigserial PRIMARY KEY,
  username  text NOT NULL,
  client    text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_username_idx ON app.login_failures (username, failed_at);
CREATE INDEX login_failures_client_idx ON app.login_failures (client, failed_at);
CREATE INDEX login_failures_failed_at_idx ON app.login_failures (failed_at);
