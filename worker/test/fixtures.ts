import { env, SELF } from "cloudflare:test";
import { S3 } from "@growit/contract";
import { inject } from "vitest";
import { app } from "../src/app.ts";
import { openDb } from "../src/db/client.ts";
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
  const db = openDb({ ...env, DATABASE_URL: admin.toString(), NEON_WS_PROXY: inject("neonWsProxy") });
  try {
    await db.query(`CREATE DATABASE ${name} TEMPLATE ${template.pathname.slice(1)}`);
  } finally {
    await db.close();
  }
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

/** Runs one query on `env`'s database. */
export async function sql<T = Record<string, unknown>>(env: Env, text: string, params: unknown[] = []): Promise<T[]> {
  const db = openDb(env);
  try {
    return await db.query<T>(text, params);
  } finally {
    await db.close();
  }
}

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
  constructor(readonly env?: Env) {}

  async request(path: string, init: RequestOptions = {}) {
    const headers: Record<string, string> = { ...init.headers };
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
    if (setCookie) this.cookie = setCookie.split(";")[0]?.replace(/^growit_session=$/, "") ?? "";
    return response;
  }
}

/** A client for the bucket the worker's own bindings write to (what SELF's requests store). */
export const selfBucket = (): S3 =>
  new S3(s3ConfigFromEnv({ ...env, S3_ENDPOINT: inject("s3Endpoint"), S3_BUCKET: SELF_BUCKET }));
