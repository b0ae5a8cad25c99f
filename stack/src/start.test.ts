// Integration test of `npm start` (without the web build step): the real
// s3rver, PGlite socket server, relay, migrations and wrangler dev, on the
// fixed ports, with data in a temp GROWIT_DATA_DIR.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3 as S3Client, uuidv7 } from "@growit/contract";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDotenv } from "./dev-vars.ts";
import { EMBEDDED_PG, NEON_RELAY, REPO_ROOT, S3, WORKER } from "./local.ts";
import { isPortFree, waitForPortFree } from "./ports.ts";
import { type Started, startStack, stopStack, waitForOpen } from "./stack-process.ts";
import { upgradeStatus } from "./test-upgrade.ts";

const FIXED_PORTS = [S3.port, EMBEDDED_PG.port, NEON_RELAY.port, WORKER.port];
const dataDir = mkdtempSync(join(tmpdir(), "growit-start-"));

async function query<T>(sql: string): Promise<T[]> {
  const c = new pg.Client(EMBEDDED_PG.url);
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

describe("npm start", () => {
  let stack: Started | undefined;

  beforeAll(async () => {
    for (const port of FIXED_PORTS) {
      if (!(await isPortFree(port))) throw new Error(`port ${port} is taken: stop the running stack before this test`);
    }
    stack = startStack(dataDir);
    await waitForOpen(stack);
  });

  afterAll(async () => {
    if (stack && stack.child.exitCode === null) await stopStack(stack);
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe("startup", () => {
    it("prints where everything is, without secrets", () => {
      const out = stack?.output() ?? "";
      expect(out).toContain(`open      ${WORKER.url}`);
      expect(out).toContain(`DATABASE_URL=${EMBEDDED_PG.url}`);
      expect(out).toContain(S3.endpoint);
      expect(out).toContain(NEON_RELAY.address);
      const vars = parseDotenv(readFileSync(join(REPO_ROOT, ".dev.vars"), "utf8"));
      for (const name of ["SESSION_SECRET", "BRONZE_SEAL_KEY"]) {
        expect(vars.get(name)).toMatch(/.{32,}/);
        expect(out).not.toContain(vars.get(name));
      }
      const [, relaySecret] = /^127\.0\.0\.1:5480\/([0-9a-f]{64})$/.exec(vars.get("NEON_WS_PROXY") ?? "") ?? [];
      expect(relaySecret, "NEON_WS_PROXY holds the relay's secret").toBeDefined();
      expect(out).not.toContain(relaySecret);
      expect(statSync(join(REPO_ROOT, ".dev.vars")).mode & 0o777).toBe(0o600);
    });

    it("has the relay refuse a web page's upgrade even with the secret", async () => {
      const proxy = parseDotenv(readFileSync(join(REPO_ROOT, ".dev.vars"), "utf8")).get("NEON_WS_PROXY");
      const url = `ws://${proxy}/v1?address=${EMBEDDED_PG.host}:${EMBEDDED_PG.port}`;
      expect(await upgradeStatus(url, { origin: "https://evil.example" })).toBe(403);
      expect(await upgradeStatus(url)).toBe(101);
    });

    it("creates the demo accounts, which can log in through the worker and the Neon driver", async () => {
      expect(stack?.output()).toContain("accounts  demo / growit-demo (learner), analyst / growit-analyst (analyst)");
      const login = await fetch(`${WORKER.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "analyst", password: "growit-analyst" }),
      });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({ username: "analyst", role: "analyst" });
      const categories = await fetch(`${WORKER.url}/api/categories`);
      expect(((await categories.json()) as { categories: unknown[] }).categories.length).toBeGreaterThanOrEqual(8);
    });

    it("answers /api/health with S3 and Postgres ok", async () => {
      const res = await fetch(WORKER.healthUrl);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok" });
    });

    it("has migrated the embedded Postgres", async () => {
      const rows = await query<{ t: string }>(
        "select table_schema || '.' || table_name as t from information_schema.tables where table_schema in ('app','mart','etl')",
      );
      expect(rows.map((r) => r.t)).toEqual(
        expect.arrayContaining(["app.users", "app.categories", "mart.daily_events", "etl.runs", "etl.heartbeats"]),
      );
    });

    it("refuses a second start while the ports are taken, naming the port", async () => {
      const second = startStack(dataDir);
      expect(await second.exit).toBe(1);
      expect(second.output()).toContain(
        `port ${S3.port} (S3 server) is in use (another npm start?): stop it or free the port`,
      );
      expect(second.output()).toContain(`port ${WORKER.port}`);
    });
  });

  describe("events round-trip", () => {
    it("stores POSTed events as one bronze object in s3://growit, stamped by the worker", async () => {
      const bucket = new S3Client({ ...S3 });
      const before = new Set(await bucket.list("bronze/app/"));
      const events = [
        { id: uuidv7(), type: "page_view", ts: new Date().toISOString(), props: { path: "/" } },
        { id: uuidv7(), type: "search_query", ts: new Date().toISOString(), props: { query: "데이터 분석" } },
      ];
      const res = await fetch(`${WORKER.url}/api/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ events }),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 2, rejected: [] });
      const added = (await bucket.list("bronze/app/")).filter((key) => !before.has(key));
      expect(added).toHaveLength(1);
      const lines = (await bucket.getText(added[0] as string))
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines).toEqual(
        events.map((e) => ({ ...e, client_ts: e.ts, username: null, received_at: expect.any(String), source: "web" })),
      );
    });
  });

  describe("the pipeline", () => {
    it("turns a learner's events into mart rows once the cron fires and the ETL worker runs", async () => {
      const login = await fetch(`${WORKER.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "demo", password: "growit-demo" }),
      });
      const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
      const events = Array.from({ length: 3 }, () => ({
        id: uuidv7(),
        type: "page_view",
        ts: new Date().toISOString(),
        props: { path: "/pipeline" },
      }));
      const sent = await fetch(`${WORKER.url}/api/events`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie },
        body: JSON.stringify({ events }),
      });
      expect(sent.status).toBe(202);

      const cron = await fetch(`${WORKER.url}/__scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);
      expect(cron.status).toBe(200);
      const deadline = Date.now() + 30_000;
      let count = 0;
      while (count < 3 && Date.now() < deadline) {
        const [row] = await query<{ cnt: string | null }>(
          "SELECT sum(cnt)::text AS cnt FROM mart.daily_events WHERE user_id = 'demo' AND event_date = current_date",
        );
        count = Number(row?.cnt ?? 0);
        if (count < 3) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      // The demo user's login is an event too; the three page views are there with it.
      expect(count).toBeGreaterThanOrEqual(3);
      // The worker sealed the objects it wrote, and the ETL worker took them as checked.
      await expect.poll(() => stack?.output(), { timeout: 10_000 }).toMatch(/"msg":"day done".*"sealed_objects":[1-9]/);
    });
  });

  describe("stop and restart", () => {
    it("stops everything on SIGINT and releases every port", async () => {
      await query("insert into etl.heartbeats (name) values ('start-test')");
      if (!stack) throw new Error("not started");
      expect(await stopStack(stack)).toBe(0);
      expect(stack.output()).toContain("[growit] stopped");
      for (const port of FIXED_PORTS) await waitForPortFree(port, 10_000);
    });

    it("finds its data again on the next start", async () => {
      stack = startStack(dataDir);
      await waitForOpen(stack);
      expect(stack.output()).toContain("database schema up to date");
      const rows = await query<{ name: string }>("select name from etl.heartbeats where name = 'start-test'");
      expect(rows).toEqual([{ name: "start-test" }]);
      expect(await stopStack(stack)).toBe(0);
      for (const port of FIXED_PORTS) await waitForPortFree(port, 10_000);
    });
  });
});
