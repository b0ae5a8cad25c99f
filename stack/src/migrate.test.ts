import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./local.ts";
import { MIGRATIONS_DIR, migrate } from "./migrate.ts";
import { withClient } from "./pg-client.ts";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./postgres.ts";
import { createScratchDatabase } from "./test-db.ts";

const run = promisify(execFile);
// Later migrations are added by other parts; the first four are the base schema.
const ALL = readdirSync(MIGRATIONS_DIR)
  .filter((f) => /^\d+\.do\..*\.sql$/.test(f))
  .sort();
const BASE = [
  "001.do.create-schemas.sql",
  "002.do.create-app-tables.sql",
  "003.do.create-mart.sql",
  "004.do.create-etl-ledger.sql",
];

function schemaContract(label: string, setup: () => Promise<string>) {
  describe(label, () => {
    let url = "";
    beforeAll(async () => {
      url = await setup();
    });

    it("applies every migration once", async () => {
      expect(ALL.slice(0, 4)).toEqual(BASE);
      expect(await migrate(url)).toEqual(ALL);
      expect(await migrate(url)).toEqual([]);
    });

    it("creates the tables docs/architecture.md lists, with their constraints", async () => {
      await withClient(url, async (c) => {
        const tables = await c.query(
          `select table_schema || '.' || table_name as t from information_schema.tables
           where table_schema in ('app','mart','etl') order by 1`,
        );
        expect(tables.rows.map((r) => r.t)).toEqual(
          expect.arrayContaining([
            "app.categories",
            "app.courses",
            "app.users",
            "app.videos",
            "etl.heartbeats",
            "etl.runs",
            "mart.daily_events",
          ]),
        );
        await c.query("insert into app.users (username, password_hash, full_name) values ('minji', 'h', 'Minji')");
        const u = await c.query("select role, interests, created_at is not null as ts from app.users");
        expect(u.rows).toEqual([{ role: "learner", interests: [], ts: true }]);
        await expect(
          c.query("insert into app.users (username, password_hash, full_name, role) values ('x', 'h', 'X', 'admin')"),
        ).rejects.toThrow(/check/i);
        await expect(
          c.query("insert into app.courses values ('c1', 'nope', 't', 'p', '1h', 'beginner', 'u')"),
        ).rejects.toThrow(/foreign key/i);
        await c.query("insert into mart.daily_events values ('2026-11-25', 'minji', 3)");
        await expect(c.query("insert into mart.daily_events values ('2026-11-25', 'minji', 1)")).rejects.toThrow(
          /duplicate key/i,
        );
        await c.query("insert into etl.runs (event_date, attempt) values ('2026-11-25', 1), ('2026-11-24', 1)");
        await expect(c.query("insert into etl.runs (event_date, attempt) values ('2026-11-25', 1)")).rejects.toThrow(
          /duplicate key/i,
        );
        await expect(
          c.query("insert into etl.runs (event_date, attempt, status) values ('2026-11-23', 1, 'lost')"),
        ).rejects.toThrow(/check/i);
        // The queue claim the ETL worker will run.
        const claimed = await c.query(
          `update etl.runs set status = 'running', started_at = now(), worker = 'w1'
           where id = (select id from etl.runs where status = 'queued' order by queued_at, id
                       for update skip locked limit 1)
           returning event_date::text as d`,
        );
        expect(claimed.rows).toEqual([{ d: "2026-11-25" }]);
        await c.query("insert into etl.heartbeats (name) values ('cron')");
      });
    });
  });
}

let scratch: { url: string; drop(): Promise<void> } | undefined;
schemaContract("migrations on PostgreSQL (TEST_DATABASE_URL)", async () => {
  scratch = await createScratchDatabase();
  return scratch.url;
});

const dir = mkdtempSync(join(tmpdir(), "growit-migrate-"));
let embedded: EmbeddedPostgres | undefined;
schemaContract("migrations on PGlite (pglite-socket)", async () => {
  embedded = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), port: 5445 });
  return embedded.url;
});

describe("npm run migrate", () => {
  it("migrates DATABASE_URL and says so, without printing the password", async () => {
    if (!scratch) throw new Error("needs the PostgreSQL scratch database");
    const { stdout } = await run(join(REPO_ROOT, "node_modules/.bin/tsx"), ["stack/src/migrate-cli.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: scratch.url },
    });
    expect(stdout).toContain("up to date");
    const password = new URL(scratch.url).password;
    if (password) expect(stdout).not.toContain(`:${password}@`);
  });

  it("fails with a message when DATABASE_URL is unset", async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    await expect(
      run(join(REPO_ROOT, "node_modules/.bin/tsx"), ["stack/src/migrate-cli.ts"], { cwd: REPO_ROOT, env }),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("DATABASE_URL is not set") });
  });
});

afterAll(async () => {
  await scratch?.drop();
  await embedded?.stop();
  rmSync(dir, { recursive: true, force: true });
});
