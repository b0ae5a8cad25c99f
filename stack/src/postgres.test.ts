import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./postgres.ts";

const PORT = 5443; // next to the fixed 5433, so a running `npm start` does not interfere
const dir = mkdtempSync(join(tmpdir(), "growit-pg-"));

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client(url);
  await client.connect();
  return client;
}

describe("embedded postgres (PGlite over pglite-socket)", () => {
  let pgl: EmbeddedPostgres;
  beforeAll(async () => {
    pgl = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), port: PORT });
  });
  afterAll(async () => {
    await pgl?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers a pg client on its port", async () => {
    expect(pgl.url).toBe(`postgres://postgres@127.0.0.1:${PORT}/postgres`);
    const c = await connect(pgl.url);
    const r = await c.query("select 1 + $1::int as n", [41]);
    expect(r.rows[0].n).toBe(42);
    await c.end();
  });

  it("serves several concurrent clients without mixing their statements or transactions", async () => {
    const setup = await connect(pgl.url);
    await setup.query("create table conc (k int, v int)");
    const clients = await Promise.all([1, 2, 3, 4, 5].map(() => connect(pgl.url)));
    let wrong = 0;
    await Promise.all(
      clients.map(async (c, k) => {
        for (let i = 0; i < 30; i++) {
          await c.query("begin");
          await c.query("insert into conc values ($1, $2)", [k, i]);
          const r = await c.query("select count(*)::int as n, $2::text as tag from conc where k = $1", [k, `c${k}`]);
          if (r.rows[0].n !== Math.ceil(i / 2) + 1 || r.rows[0].tag !== `c${k}`) wrong++;
          await c.query(i % 2 === 0 ? "commit" : "rollback");
        }
      }),
    );
    expect(wrong).toBe(0);
    const total = await setup.query("select count(*)::int as n from conc");
    expect(total.rows[0].n).toBe(5 * 15);
    await Promise.all(clients.map((c) => c.end()));
    await setup.end();
  });

  it("rolls back what a client left open when it disconnects, and goes on serving others", async () => {
    const a = await connect(pgl.url);
    await a.query("create table left_open (x int)");
    await a.query("begin");
    await a.query("insert into left_open values (1)");
    a.on("error", () => {});
    // b (even its startup) waits while a holds the database in its transaction;
    // then a's connection dies without COMMIT.
    const b = new pg.Client(pgl.url);
    const waiting = b.connect().then(() => b.query("select count(*)::int as n from left_open"));
    await new Promise((r) => setTimeout(r, 200));
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const r = await waiting;
    expect(r.rows[0].n).toBe(0);
    await b.end();
  });

  it("keeps its data across a stop and start", async () => {
    const c = await connect(pgl.url);
    await c.query("create table kept (x text)");
    await c.query("insert into kept values ('survives')");
    await c.end();
    await pgl.stop();
    pgl = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), port: PORT });
    const d = await connect(pgl.url);
    expect((await d.query("select x from kept")).rows).toEqual([{ x: "survives" }]);
    await d.end();
  });
});
