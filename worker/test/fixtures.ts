import { env } from "cloudflare:test";
import { S3 } from "@growit/contract";
import { inject } from "vitest";
import { app } from "../src/app.ts";
import { openDb } from "../src/db/client.ts";
import { s3ConfigFromEnv } from "../src/storage/s3.ts";
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

/** A browser-like client for `app`: keeps the session cookie between requests. */
export class Browser {
  cookie = "";
  constructor(readonly env: Env) {}

  async request(path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (init.json !== undefined) headers["content-type"] = "application/json";
    const response = await app.request(
      path,
      {
        method: init.method ?? (init.json === undefined ? "GET" : "POST"),
        headers,
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      },
      this.env,
    );
    const setCookie = response.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0]?.replace(/^growit_session=$/, "") ?? "";
    return response;
  }
}
