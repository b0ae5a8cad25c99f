import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { Db } from "../db/client.ts";
import { tryAgainLater } from "../http/errors.ts";
import { admit, type Counter, limitPer, settle, type ThrottlePolicy } from "./throttle.ts";

const MINUTE = 60;

/** The throttles on logging in and signing up (docs/api.md and SECURITY.md give them). */
export const AUTH_LIMITS = {
  /** Failed logins for one username from one client. */
  loginPerUserAndClient: limitPer(5, 15 * MINUTE),
  /** Failed logins from one client, whatever the username: a school's learners may share an address. */
  loginPerClient: limitPer(30, 15 * MINUTE),
  /**
   * Failed logins for one username from every client: slowed, never stopped, so that attempts
   * from many clients cannot lock a learner out of their account.
   */
  loginPerUser: { free: 10, windowSeconds: 24 * 60 * MINUTE, firstDelaySeconds: 2, maxDelaySeconds: 5 * MINUTE },
  /** Sign-ups from one client (each costs a key derivation). */
  signupPerClient: limitPer(60, 60 * MINUTE),
} satisfies Record<string, ThrottlePolicy>;

const counter = (limit: keyof typeof AUTH_LIMITS, ...parts: string[]): Counter => ({
  key: JSON.stringify([limit, ...parts]),
  policy: AUTH_LIMITS[limit],
});

const loginCounters = (username: string, client: string) => ({
  own: counter("loginPerUserAndClient", username, client),
  shared: [counter("loginPerClient", client), counter("loginPerUser", username)],
});

/**
 * Counts a login as failed before its password is checked (so concurrent attempts cannot pass
 * together); `loginSucceeded` takes that back. 0, or the seconds the client must wait.
 */
export function admitLogin(db: Db, username: string, client: string): Promise<number> {
  const { own, shared } = loginCounters(username, client);
  return admit(db, [own, ...shared]);
}

/** The login was right: the client's failures for this username are forgotten, and this one is not counted. */
export function loginSucceeded(db: Db, username: string, client: string): Promise<void> {
  const { own, shared } = loginCounters(username, client);
  return settle(db, { cleared: [own], refunded: shared });
}

/** Counts a sign-up from `client`: 0, or the seconds it must wait. */
export const admitSignup = (db: Db, client: string): Promise<number> => admit(db, [counter("signupPerClient", client)]);

/** The 429 of a throttle: `what` was tried too often, and the client must wait `retryAfter` seconds. */
export const tooMany = (c: Context<AppEnv>, what: string, retryAfter: number) =>
  tryAgainLater(c, 429, `too many ${what}; try again in ${retryAfter} s`, retryAfter);
