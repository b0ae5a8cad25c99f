// A learner's data rights through the real parts: the worker's deployable bundle in workerd (its
// real entry point) on a real Postgres and s3rver, and the real ETL. Sign up, act, run the ETL,
// export, delete the account, run the ETL: the export held exactly the learner's events, and then
// the username is in no object of the bucket and no row of Postgres but its erasure request, while
// every other learner's silver and mart rows are as they were.
import { DAY_MS, uuidv7 } from "@growit/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Pipeline, startPipeline } from "./pipeline.ts";

const SEAL_KEY = "data-rights seal";
const PASSWORD = "a learner's long password";
let pipeline: Pipeline;

/** A browser's session with the worker: its cookie, kept across requests. */
class Learner {
  cookie = "";
  constructor(readonly username: string) {}

  async request(path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
    const response = await fetch(`${pipeline.worker.url}${path}`, {
      method: init.method ?? (init.json === undefined ? "GET" : "POST"),
      headers: {
        ...(init.json === undefined ? {} : { "content-type": "application/json" }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    const set = response.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0]?.replace(/^[^=]*=$/, "") ?? "";
    return response;
  }

  async signUp(): Promise<void> {
    const json = { username: this.username, password: PASSWORD, full_name: this.username, interests: ["data"] };
    const response = await this.request("/api/auth/signup", { json });
    expect(response.status, await response.clone().text()).toBe(201);
  }

  /** Sends events that happened `daysAgo` days ago; returns the ids the worker accepted. */
  async act(daysAgo: number, count: number, invalid = 0): Promise<string[]> {
    const ts = new Date(Date.now() - daysAgo * DAY_MS).toISOString();
    const events = [
      ...Array.from({ length: count }, (_, i) => ({
        id: uuidv7(),
        type: i % 2 ? "search_query" : "page_view",
        ts,
        props: i % 2 ? { query: `${this.username} looks for pandas`, category: "data" } : { path: `/p/${i}` },
      })),
      ...Array.from({ length: invalid }, () => ({ id: uuidv7(), type: "no_such_type", ts, props: {} })),
    ];
    const response = await this.request("/api/events", { json: { events } });
    expect(response.status, await response.clone().text()).toBe(202);
    const answer = (await response.json()) as { accepted: number; rejected: unknown[] };
    expect(answer).toMatchObject({ accepted: count });
    return events.slice(0, count).map((e) => e.id);
  }
}

/** The cron's queueing, then the ETL's run of the queue and of the erasure requests. */
const runEtl = () => pipeline.runEtl({ mode: "sweep", erasures: true });

/** Every silver row, as text, by id. */
async function silverRows(): Promise<Array<Record<string, unknown>>> {
  const silver = await pipeline.silver();
  if (!silver) return [];
  const rows = await pipeline.duck.connection.runAndReadAll(
    `SELECT * REPLACE (CAST(ts AS VARCHAR) AS ts, CAST(client_ts AS VARCHAR) AS client_ts,
       CAST(event_date AS VARCHAR) AS event_date, CAST(received_at AS VARCHAR) AS received_at)
     FROM ${silver} ORDER BY id`,
  );
  return rows.getRowObjectsJson() as Array<Record<string, unknown>>;
}

/** Every mart's rows that name a learner other than `username`, table by table. */
async function otherLearnersMartRows(username: string): Promise<Record<string, unknown[]>> {
  const tables = await pipeline.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.columns
      WHERE table_schema = 'mart' AND column_name = 'user_id' ORDER BY 1`,
  );
  const rows: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    rows[name] = await pipeline.query(`SELECT * FROM ${name} t WHERE user_id <> $1 ORDER BY t::text`, [username]);
  }
  return rows;
}

/** Keys of the objects whose bytes hold `text`. */
async function objectsHolding(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const key of await pipeline.s3.list(""))
    if (Buffer.from(await pipeline.s3.getBytes(key)).includes(text)) found.push(key);
  return found;
}

/** `schema.table: row` for every row outside app.erasures whose text holds `text`. */
async function rowsHolding(text: string): Promise<string[]> {
  const tables = await pipeline.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'
        AND (table_schema, table_name) <> ('app', 'erasures')`,
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const rows = await pipeline.query<{ row: string }>(
      `SELECT t::text AS row FROM ${name} t WHERE strpos(t::text, $1) > 0`,
      [text],
    );
    found.push(...rows.map((r) => `${name}: ${r.row}`));
  }
  return found;
}

/** The JSON lines of an export. */
async function exportOf(learner: Learner): Promise<Array<Record<string, unknown>>> {
  const response = await learner.request("/api/me/export");
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="growit-/);
  return (await response.text())
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  pipeline = await startPipeline({
    name: "data-rights",
    ports: { s3: 9040, worker: 8797, relay: 5492 },
    sealKey: SEAL_KEY,
  });
}, 180_000);

afterAll(() => pipeline?.close());

describe("a learner's data rights", () => {
  it("exports exactly the learner's events, then erases them from every layer and leaves the others' as they were", async () => {
    const learner = new Learner(`erase-me-${uuidv7().slice(-8)}`);
    const others = [new Learner(`stays-${uuidv7().slice(-8)}`), new Learner(`stays-${uuidv7().slice(-8)}`)];
    for (const who of [learner, ...others]) await who.signUp();
    const sent: string[] = [];
    for (const daysAgo of [3, 1, 0]) {
      sent.push(...(await learner.act(daysAgo, 4, 1)));
      for (const other of others) await other.act(daysAgo, 3);
    }
    await runEtl();
    // Sent after the run: still only in bronze when the learner exports.
    const unabsorbed = await learner.act(0, 2);

    const exported = await exportOf(learner);
    expect(exported[0]).toMatchObject({ record: "account", username: learner.username });
    expect(JSON.stringify(exported[0])).not.toMatch(/password/);
    const events = exported.slice(1, -1);
    expect(events.every((e) => e.record === "event")).toBe(true);
    expect(exported.at(-1)).toEqual({
      record: "end",
      events: events.length,
      silver: events.filter((e) => e.stage === "silver").length,
      bronze: events.filter((e) => e.stage === "bronze").length,
    });
    // The learner's own events, and the sign-up the worker recorded for them.
    const fromBrowser = events.filter((e) => e.source === "web");
    expect(fromBrowser.map((e) => e.id).sort()).toEqual([...sent, ...unabsorbed].sort());
    expect(events.filter((e) => e.source === "server").map((e) => e.type)).toEqual(["signup"]);
    expect(
      events
        .filter((e) => e.stage === "bronze")
        .map((e) => e.id)
        .sort(),
    ).toEqual([...unabsorbed].sort());

    const silverBefore = await silverRows();
    expect(
      silverBefore
        .filter((r) => r.user_id === learner.username)
        .map((r) => r.id)
        .sort(),
    ).toEqual(
      events
        .filter((e) => e.stage === "silver")
        .map((e) => e.id)
        .sort(),
    );
    const othersSilver = silverBefore.filter((r) => r.user_id !== learner.username);
    const othersMarts = await otherLearnersMartRows(learner.username);
    expect(othersMarts["mart.daily_events"]?.length).toBeGreaterThan(0);

    const erased = await learner.request("/api/me", { method: "DELETE", json: { password: PASSWORD } });
    expect(erased.status, await erased.clone().text()).toBe(202);
    await runEtl();

    const [request] = await pipeline.query<{ status: string; bronze_lines: string; rejected_lines: string }>(
      "SELECT status, bronze_lines, rejected_lines FROM app.erasures WHERE username = $1",
      [learner.username],
    );
    expect(request).toMatchObject({ status: "done", bronze_lines: String(events.length) });
    expect(Number(request?.rejected_lines)).toBe(3);
    expect(await objectsHolding(learner.username)).toEqual([]);
    expect(await rowsHolding(learner.username)).toEqual([]);
    expect((await silverRows()).filter((r) => r.user_id !== learner.username)).toEqual(othersSilver);
    expect(await otherLearnersMartRows(learner.username)).toEqual(othersMarts);
    // The exports are part of the bucket scanned above; the mart's export lost only the learner.
    expect(await learner.request("/api/me")).toHaveProperty("status", 401);
  });
});
