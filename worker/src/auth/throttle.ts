import type { Db } from "../db/client.ts";

/** Failed logins allowed per username and per client within the window. */
export const LOGIN_THROTTLE = { maxFailures: 5, windowSeconds: 15 * 60 } as const;

interface Recent {
  by_user: number;
  by_client: number;
  user_oldest: number | null;
  client_oldest: number | null;
  now: number;
}

/** Seconds until `username` from `client` may try again, or 0 when not throttled. */
export async function loginRetryAfter(db: Db, username: string, client: string): Promise<number> {
  const [recent] = await db.query<Recent>(
    `SELECT count(*) FILTER (WHERE username = $1)::int AS by_user,
            count(*) FILTER (WHERE client = $2)::int AS by_client,
            extract(epoch FROM min(failed_at) FILTER (WHERE username = $1))::float8 AS user_oldest,
            extract(epoch FROM min(failed_at) FILTER (WHERE client = $2))::float8 AS client_oldest,
            extract(epoch FROM now())::float8 AS now
       FROM app.login_failures
      WHERE failed_at > now() - make_interval(secs => $3) AND (username = $1 OR client = $2)`,
    [username, client, LOGIN_THROTTLE.windowSeconds],
  );
  if (!recent) return 0;
  const waits = [
    recent.by_user >= LOGIN_THROTTLE.maxFailures ? recent.user_oldest : null,
    recent.by_client >= LOGIN_THROTTLE.maxFailures ? recent.client_oldest : null,
  ]
    .filter((oldest): oldest is number => oldest !== null)
    .map((oldest) => Math.ceil(oldest + LOGIN_THROTTLE.windowSeconds - recent.now));
  return waits.length ? Math.max(1, ...waits) : 0;
}

/** Counts a failed login (throttled attempts are not counted, so a lock-out ends on time). */
export async function recordLoginFailure(db: Db, username: string, client: string): Promise<void> {
  await db.query(
    `WITH expired AS (DELETE FROM app.login_failures WHERE failed_at < now() - interval '1 day')
     INSERT INTO app.login_failures (username, client) VALUES ($1, $2)`,
    [username, client],
  );
}

export async function clearLoginFailures(db: Db, username: string): Promise<void> {
  await db.query("DELETE FROM app.login_failures WHERE username = $1", [username]);
}
