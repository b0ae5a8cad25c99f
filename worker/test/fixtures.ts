import { env, SELF } from "cloudflare:test";
import { DECOY_HASH, type Role, S3 } from "@growit/contract";
import { inject } from "vitest";
import { app } from "../src/app.ts";
import { createSession, SESSION_COOKIE } from "../src/auth/session.ts";
import { type Db, openDb } from "../src/db/client.ts";
import { s3ConfigFromEnv } from "../src/storage/s3.ts";
import { SELF_BUCKET } from "./self-bucket.ts";
import { TEST_DATABASE_PREFIX } from "./test-database-prefix.ts";

/**
 * A database of this test file's own, copied from the migrated template the global
 * setup made, so that files running side by side never see each other's rows.
 */
async function ownDatabase(): Promise<string> {
  const template = new URL(inject("databaseUrl"));
  const name = `${TEST_DATABASE_PREFIX}${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new URL(template);
  admin.pathname = "/postgres";
  await sql(
    { ...env, DATABASE_URL: admin.toString(), NEON_WS_PROXY: inject("neonWsProxy") },
    `CREATE DATABASE ${name} TEMPLATE ${template.pathname.slice(1)}`,
  );
  const own = new URL(template);
  own.pathname = `/${name}`;
  return own.toString();
}

/**
 * An environment for one test file: a fresh bucket on the test s3rver, a fresh copy of
 * the migrated database through the Neon relay, and a client to look into the bucket.
 */
export async function testEnv(name: string): Promise<{ env: Env; s3: S3 }> {
  const bucket = `${name}-${crypto.randomUUID().slice(0, 8)}`;
  const testEnv: Env = {
    ...env,
    S3_ENDPOINT: inject("s3Endpoint"),
    S3_BUCKET: bucket,
    DATABASE_URL: await ownDatabase(),
    NEON_WS_PROXY: inject("neonWsProxy"),
  };
  const s3 = new S3(s3ConfigFromEnv(testEnv));
  const created = await s3.send("", { method: "PUT" });
  if (!created.ok) throw new Error(`creating bucket ${bucket}: HTTP ${created.status} ${await created.text()}`);
  return { env: testEnv, s3 };
}

/** Runs `work` with a connection to `target`'s database, closed after it. */
export async function withDb<T>(target: Env, work: (db: Db) => Promise<T>): Promise<T> {
  const db = openDb(target);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** Runs one query on `target`'s database. */
export const sql = <T = Record<string, unknown>>(target: Env, text: string, params: unknown[] = []): Promise<T[]> =>
  withDb(target, (db) => db.query<T>(text, params));

/** Every JSON line stored under `prefix`, by object key. */
export async function objectsUnder(s3: S3, prefix: string): Promise<Map<string, unknown[]>> {
  const objects = new Map<string, unknown[]>();
  for (const key of await s3.list(prefix)) {
    const text = await s3.getText(key);
    objects.set(
      key,
      text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line)),
    );
  }
  return objects;
}

/** Every event stored in bronze so far. */
export async function bronzeEvents(s3: S3): Promise<Array<Record<string, unknown>>> {
  return [...(await objectsUnder(s3, "bronze/app/")).values()].flat() as Array<Record<string, unknown>>;
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  headers?: Record<string, string>;
}

/**
 * A browser-like client: keeps the session cookie between requests. By default it calls the
 * worker through its real entry point (SELF: the module workerd loaded at start, with the
 * bindings of vitest.config.ts); given an environment, it calls the Hono app with that
 * environment instead, for route logic that needs a bucket and database of its own.
 */
export class Browser {
  cookie = "";
  /**
   * The address the worker sees it connect from (`cf-connecting-ip`), its own unless a test sets
   * one, so that the throttles of tests sharing SELF's database do not add up.
   */
  address = `10.${[...crypto.getRandomValues(new Uint8Array(3))].join(".")}`;
  constructor(readonly env?: Env) {}

  async request(path: string, init: RequestOptions = {}) {
    const headers: Record<string, string> = { "cf-connecting-ip": this.address, ...init.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (init.json !== undefined) headers["content-type"] = "application/json";
    const request = {
      method: init.method ?? (init.json === undefined ? "GET" : "POST"),
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    };
    const response = this.env
      ? await app.request(path, request, this.env)
      : await SELF.fetch(new URL(path, "http://localhost").toString(), request);
    const setCookie = response.headers.get("set-cookie");
    // A cleared cookie (`name=`) leaves the jar empty.
    if (setCookie) this.cookie = setCookie.split(";")[0]?.replace(/^[^=]*=$/, "") ?? "";
    return response;
  }
}

/** A client for the bucket the worker's own bindings write to (what SELF's requests store). */
export const selfBucket = (): S3 =>
  new S3(s3ConfigFromEnv({ ...env, S3_ENDPOINT: inject("s3Endpoint"), S3_BUCKET: SELF_BUCKET }));

/**
 * A browser signed in as a new account with `role` (no password: it can never log in), whose
 * session is recorded like one a login starts; by default through SELF, given an environment
 * in that environment's database.
 */
export async function signedIn(role: Role, target?: Env): Promise<{ browser: Browser; username: string }> {
  const username = `${role}-${crypto.randomUUID().slice(0, 8)}`;
  const where = target ?? env;
  const token = await withDb(where, async (db) => {
    await db.query("INSERT INTO app.users (username, password_hash, full_name, role) VALUES ($1, $2, $1, $3)", [
      username,
      DECOY_HASH,
      role,
    ]);
    return createSession(db, where.SESSION_SECRET, { username, role });
  });
  const browser = new Browser(target);
  browser.cookie = `${SESSION_COOKIE}=${token}`;
  return { browser, username };
}

/** A username no other test uses (tests through SELF share its database). */
export const uniqueName = (prefix = "u") => `${prefix}${crypto.randomUUID().slice(0, 8)}`;

export const PASSWORD = "correct horse battery";

/** Signs `username` up as a learner with PASSWORD (fields in `extra` replace the defaults). */
export const signUp = (browser: Browser, username: string, extra: Record<string, unknown> = {}) =>
  browser.request("/api/auth/signup", {
    json: { username, password: PASSWORD, full_name: "김민지", interests: ["data", "ai"], ...extra },
  });

/** Logs in as `username` with `password`. */
export const logIn = (browser: Browser, username: string, password: string, headers: Record<string, string> = {}) =>
  browser.request("/api/auth/login", { json: { username, password }, headers });
