// Erasure through every layer, on a real s3rver and Postgres: a learner's lines in sealed bronze
// objects (some late), their rejects, silver, the marts and the exports; the rest stays as it was.
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import {
  bronzeEventsObject,
  bronzeObjectKey,
  bronzeSealKey,
  DAY_MS,
  DEFAULT_RUN_RETRY_POLICY,
  dayStart,
  type EventEnvelope,
  enqueueRun,
  isGzipEncoding,
  PREFIX,
  type RejectRecord,
  rejectedObjectKey,
  S3,
  SEAL_HEADER,
  sealBronze,
  utcDay,
  uuidv7,
} from "@growit/contract";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshBucket, query, resetDatabase, testConfig, withEtl as withConfiguredEtl } from "../test/fixtures.ts";
import type { EtlConfig } from "./config.ts";
import { type Duck, openDuck } from "./duck.ts";
import { namesLearner, withoutLearners } from "./erasure.ts";
import type { Etl, EtlOptions } from "./etl.ts";
import { getObjectStream } from "./s3-get.ts";

const SEAL_SECRET = "erasure test seal";
const JSONL = "application/x-ndjson";
const today = utcDay(new Date());
const scratch = join(tmpdir(), `growit-etl-erasure-${process.pid}`);
const OTHERS = ["minji", "jisoo", "hana"];

let config: EtlConfig;
let s3: S3;
let duck: Duck;

const withEtl = <T>(work: (etl: Etl) => Promise<T>, options: Partial<EtlOptions> = {}): Promise<T> =>
  withConfiguredEtl(config, work, options);

/**
 * The cron's daily sweep and `etl run --pending`: due runs, then pending erasures. A sweep, as the
 * tests put objects into past bronze days, which only a sweep lists once newer ones are absorbed.
 */
async function runEtl(options: Partial<EtlOptions> = {}) {
  await enqueueRun({ query }, today, "sweep");
  return withEtl(async (etl) => {
    const outcomes = await etl.runPending();
    await etl.eraseRequested({ backoff: false });
    return outcomes;
  }, options);
}

/** Stores `lines` at `key` as the worker does: compressed and sealed. */
async function putSealed(key: string, lines: readonly string[]) {
  const lineBytes = new TextEncoder().encode(`${lines.join("\n")}\n`);
  const { body, headers } = await bronzeEventsObject(key, lineBytes, await bronzeSealKey(SEAL_SECRET));
  await s3.put(key, body, JSONL, headers);
}

/** The bronze objects whose seal does not hold for their bytes as stored, or that are no longer compressed. */
async function brokenSeals(): Promise<string[]> {
  const broken: string[] = [];
  for (const key of await s3.list(PREFIX.bronze)) {
    const stored = await getObjectStream(s3, key);
    const bytes = new Uint8Array(await buffer(stored));
    const seal = stored.headers[SEAL_HEADER];
    if (seal === undefined) continue;
    const holds = seal === (await sealBronze(await bronzeSealKey(SEAL_SECRET), key, bytes));
    if (!holds || !isGzipEncoding(stored.headers["content-encoding"])) broken.push(key);
  }
  return broken;
}

let serial = 0;
/** An event of `username` that happened `daysAgo` days before today (at 09:00 plus a few seconds) and was received `lateDays` after. */
function event(username: string | null, daysAgo: number, lateDays = 0, props: Record<string, unknown> = {}) {
  const ts = dayStart(today) - daysAgo * DAY_MS + 9 * 3_600_000 + serial++ * 1000;
  const e: EventEnvelope = {
    id: uuidv7(ts),
    type: "page_view",
    ts: new Date(ts).toISOString(),
    username,
    props: { path: `/p/${serial}`, session_id: `s-${username ?? "anon"}-${daysAgo}`, ...props },
    received_at: new Date(ts + lateDays * DAY_MS + 500).toISOString(),
    source: "web",
  };
  return e;
}

/**
 * A learner's bronze over several days, mixed into the objects other learners' lines are in:
 * sealed objects, a late event (received days after it happened), a line the ETL rejects, and a
 * rejects object of the worker naming the learner.
 */
async function putHistory(learner: string, tag: string) {
  for (const daysAgo of [5, 3, 1]) {
    const at = new Date(dayStart(today) - daysAgo * DAY_MS + 10 * 3_600_000);
    const lines = [
      ...OTHERS.map((other) => JSON.stringify(event(other, daysAgo))),
      JSON.stringify(event(learner, daysAgo, 0, { category: "data" })),
      JSON.stringify(event(null, daysAgo)),
      JSON.stringify(event(learner, daysAgo)),
    ];
    await putSealed(bronzeObjectKey(at, `${tag}-${daysAgo}`), lines);
  }
  // Late: happened 4 days ago, received yesterday, in an object of the learner alone.
  const lateAt = new Date(dayStart(today) - DAY_MS + 11 * 3_600_000);
  await putSealed(bronzeObjectKey(lateAt, `${tag}-late`), [JSON.stringify(event(learner, 4, 3))]);
  // Unsealed, with a line the ETL rejects (a bad id) that names the learner.
  const bad = { ...event(learner, 2), id: "not-a-uuid" };
  const twoDaysAgo = new Date(dayStart(today) - 2 * DAY_MS + 12 * 3_600_000);
  const mixed = bronzeObjectKey(twoDaysAgo, `${tag}-mixed`);
  await s3.put(mixed, `${JSON.stringify(event("hana", 2))}\n${JSON.stringify(bad)}\n`, JSONL);
  const workerReject: RejectRecord = {
    reason: "type must be one of …",
    rejected_at: twoDaysAgo.toISOString(),
    stage: "worker",
    index: 0,
    username: learner,
    event: { id: uuidv7(), type: "nope", ts: twoDaysAgo.toISOString(), props: {} },
  };
  const anonymousReject: RejectRecord = { ...workerReject, index: 1 };
  delete anonymousReject.username;
  await s3.put(
    rejectedObjectKey(twoDaysAgo, `${tag}-worker`),
    `${JSON.stringify(workerReject)}\n${JSON.stringify(anonymousReject)}\n`,
    JSONL,
  );
}

/** Signs the learner up as the API does (their interests feed mart.learner_interests). */
const signUp = (username: string) =>
  query(
    `INSERT INTO app.users (username, password_hash, full_name, interests, created_at)
     VALUES ($1, 'x', $1, '{data}', now() - interval '10 days')`,
    [username],
  );

/** What DELETE /api/me does in Postgres. */
const requestErasure = (username: string) =>
  query(
    `WITH account AS (DELETE FROM app.users WHERE username = $1 RETURNING username, created_at)
     INSERT INTO app.erasures (username, account_created_at) SELECT username, created_at FROM account`,
    [username],
  );

/** Every object in the bucket whose bytes hold `text`. */
async function objectsHolding(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const key of await s3.list("")) {
    if (Buffer.from(await s3.getBytes(key)).includes(text)) found.push(key);
  }
  return found;
}

/** Every row of every table outside app.erasures whose text holds `text`, as `schema.table: row`. */
async function rowsHolding(text: string): Promise<string[]> {
  const tables = await query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_schema IN ('app', 'mart', 'etl') AND table_type = 'BASE TABLE' AND table_name <> 'erasures'`,
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const rows = await query<{ row: string }>(`SELECT t::text AS row FROM ${name} t WHERE strpos(t::text, $1) > 0`, [
      text,
    ]);
    found.push(...rows.map((r) => `${name}: ${r.row}`));
  }
  return found;
}

/** Silver's rows, as text, sorted by id. */
async function silverRows(): Promise<Array<Record<string, unknown>>> {
  const files = await query<{ key: string }>("SELECT object_key AS key FROM etl.silver_files ORDER BY 1");
  const paths: string[] = [];
  for (const [i, { key }] of files.entries()) {
    const path = join(scratch, `silver-${Date.now()}-${i}.parquet`);
    await writeFile(path, await s3.getBytes(key));
    paths.push(path);
  }
  if (paths.length === 0) return [];
  const rows = await duck.connection.runAndReadAll(
    `SELECT * REPLACE (CAST(ts AS VARCHAR) AS ts, CAST(client_ts AS VARCHAR) AS client_ts,
       CAST(event_date AS VARCHAR) AS event_date, CAST(received_at AS VARCHAR) AS received_at)
     FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}], union_by_name = true) ORDER BY id`,
  );
  return rows.getRowObjectsJson() as Array<Record<string, unknown>>;
}

/** The learner-level marts' rows of learners other than `learner`, and every aggregate mart whole. */
async function martsOf(learner: string) {
  const tables = [
    "mart.daily_events",
    "mart.learner_daily",
    "mart.learner_activity",
    "mart.session_learners",
    "mart.learner_interests",
  ];
  const result: Record<string, unknown[]> = {};
  for (const table of tables) {
    result[table] = await query(`SELECT * FROM ${table} t WHERE user_id <> $1 ORDER BY t::text`, [learner]);
  }
  return result;
}

/** Every mart as it stands, to compare with what a rebuild from bronze makes of the same days. */
async function allMarts() {
  const tables = await query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_schema = 'mart' ORDER BY 1`,
  );
  const result: Record<string, unknown[]> = {};
  for (const { name } of tables) result[name] = await query(`SELECT * FROM ${name} t ORDER BY t::text`);
  return result;
}

const erasureRow = (username: string) =>
  query<Record<string, unknown>>(
    `SELECT status, attempts, last_error, bronze_objects::int, bronze_lines::int, rejected_lines::int,
       silver_rows::int, mart_rows::int FROM app.erasures WHERE username = $1`,
    [username],
  );

beforeAll(async () => {
  await resetDatabase();
  await query("DELETE FROM app.users WHERE role = 'learner'");
  config = { ...testConfig(await freshBucket()), sealSecret: SEAL_SECRET };
  s3 = new S3(config.s3);
  duck = await openDuck({ memoryLimit: "256MB", tempDir: join(scratch, "duck") });
});

afterAll(async () => {
  duck.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("erasing a learner's data", () => {
  const learner = "erased.learner-1";

  it("removes the learner from bronze, the rejects, silver, the marts and the exports, and nothing else", async () => {
    for (const name of [learner, ...OTHERS]) await signUp(name);
    await putHistory(learner, "one");
    expect((await runEtl()).filter((o) => o.status !== "done")).toEqual([]);
    const silverBefore = await silverRows();
    const learnerRows = silverBefore.filter((r) => r.user_id === learner);
    expect(learnerRows).toHaveLength(7);
    const othersBefore = silverBefore.filter((r) => r.user_id !== learner);
    const martsBefore = await martsOf(learner);
    expect(await objectsHolding(learner)).not.toEqual([]);

    await requestErasure(learner);
    // A device still signed in sends after the request: its line is dropped, the others' kept.
    const stillSending = event(learner, 0);
    const newcomer = event("jisoo", 0);
    await putSealed(bronzeObjectKey(new Date(), "after"), [JSON.stringify(stillSending), JSON.stringify(newcomer)]);
    // Another device of the learner's sends alone: its object is left empty, and deleted.
    const aloneKey = bronzeObjectKey(new Date(), "alone");
    await putSealed(aloneKey, [JSON.stringify(event(learner, 0))]);
    await runEtl();
    expect(await s3.list(aloneKey)).toEqual([]);

    expect(await erasureRow(learner)).toEqual([
      {
        status: "done",
        attempts: 1,
        last_error: null,
        // Beside the learner's history, the lines two devices sent after the request.
        bronze_objects: 7,
        bronze_lines: 10,
        rejected_lines: 2,
        silver_rows: 7,
        mart_rows: expect.any(Number),
      },
    ]);
    expect(await objectsHolding(learner)).toEqual([]);
    expect(await rowsHolding(learner)).toEqual([]);
    // The objects rewritten without the learner are stored as the worker stores them.
    expect(await brokenSeals()).toEqual([]);
    const silverAfter = await silverRows();
    expect(silverAfter.filter((r) => r.id === stillSending.id)).toEqual([]);
    // Other learners' silver rows are byte for byte what they were, beside the one that arrived since.
    expect(silverAfter.filter((r) => r.id !== newcomer.id)).toEqual(othersBefore);
    expect(silverAfter.some((r) => r.id === newcomer.id)).toBe(true);
    // Today's rows gained the newcomer's event; every other day's rows of other learners are as they were.
    const martsAfter = await martsOf(learner);
    const notToday = (rows: unknown[] = []) =>
      rows.filter((r) => !("event_date" in (r as object)) || utcDay((r as { event_date: Date }).event_date) !== today);
    for (const [table, rows] of Object.entries(martsBefore)) {
      expect(notToday(martsAfter[table]), table).toEqual(notToday(rows));
    }
  });

  it("leaves the marts as a rebuild of every day from the cleaned bronze makes them, and reruns change nothing", async () => {
    const marts = await allMarts();
    const silver = await silverRows();
    await runEtl();
    expect(await allMarts()).toEqual(marts);
    const days = [...new Set(silver.map((r) => r.event_date as string))].sort();
    const outcomes = await withEtl((etl) => etl.runDays(days));
    expect(outcomes.filter((o) => o.status !== "done")).toEqual([]);
    expect(await allMarts()).toEqual(marts);
    expect(await silverRows()).toEqual(silver);
  });

  it("is carried out by the queue worker (`etl work`) between runs", async () => {
    const name = "queued.learner";
    await signUp(name);
    await putHistory(name, "queued");
    await runEtl();
    await requestErasure(name);
    const stop = new AbortController();
    const working = withEtl((etl) => etl.work({ pollMs: 100, retry: DEFAULT_RUN_RETRY_POLICY, signal: stop.signal }));
    try {
      await vi.waitFor(async () => expect(await erasureRow(name)).toMatchObject([{ status: "done" }]), {
        timeout: 60_000,
        interval: 250,
      });
    } finally {
      stop.abort();
      await working;
    }
    expect(await objectsHolding(name)).toEqual([]);
    expect(await rowsHolding(name)).toEqual([]);
  });

  it("finishes an erasure killed at any point on the next run", async () => {
    let serialName = 0;
    const killPoint = fc.oneof(
      // Five bronze objects and two rejects objects of the learner's are rewritten, one after the other.
      fc.record({ point: fc.constant("afterErasedObject" as const), killedAt: fc.integer({ min: 1, max: 7 }) }),
      // The queued run's own absorb is the hook's first call; the learner's four days' rebuilds follow.
      fc.record({
        point: fc.constantFrom("afterSilverUpload" as const, "afterPublish" as const),
        killedAt: fc.integer({ min: 2, max: 5 }),
      }),
    );
    const pointsKilledAt = new Set<string>();
    await fc.assert(
      fc.asyncProperty(killPoint, async ({ point, killedAt }) => {
        pointsKilledAt.add(point);
        const crashed = `crash_learner-${serialName}`;
        await signUp(crashed);
        // Object names are the worker's (a time and a UUID): they never hold a username.
        await putHistory(crashed, `crash${serialName++}`);
        await runEtl();
        await requestErasure(crashed);
        let calls = 0;
        const kill = () => {
          calls++;
          if (calls === killedAt) throw new Error("killed");
        };
        await runEtl({ hooks: { [point]: kill } });
        expect(await erasureRow(crashed)).toMatchObject([
          { status: "pending", attempts: 1, last_error: expect.stringMatching(/killed/) },
        ]);

        await runEtl();
        expect(await erasureRow(crashed)).toEqual([
          {
            status: "done",
            attempts: 2,
            last_error: null,
            bronze_objects: 5,
            bronze_lines: 8,
            rejected_lines: 2,
            silver_rows: 7,
            mart_rows: expect.any(Number),
          },
        ]);
        expect(await objectsHolding(crashed)).toEqual([]);
        expect(await rowsHolding(crashed)).toEqual([]);
      }),
      { seed: 20261205, numRuns: 6, endOnFailure: true },
    );
    expect([...pointsKilledAt].sort()).toEqual(["afterErasedObject", "afterPublish", "afterSilverUpload"]);
  });
});

describe("withoutLearners", () => {
  const names = ["ann", "bob", "a.b-c_1"];
  const line = fc.oneof(
    fc
      .record({ username: fc.option(fc.constantFrom(...names), { nil: null }), n: fc.integer() })
      .map((v) => JSON.stringify(v)),
    fc
      .record({ stage: fc.constant("etl"), event: fc.constantFrom(...names).map((n) => `{"username":"${n}", broken`) })
      .map((v) => JSON.stringify(v)),
    fc.string().filter((s) => !s.includes("\n")),
  );

  it("keeps every line not naming the learner byte for byte, in order, and only those", () => {
    fc.assert(
      fc.property(fc.array(line), fc.constantFrom(...names), fc.boolean(), (lines, name, crlf) => {
        const text = lines.map((l) => `${l}${crlf ? "\r\n" : "\n"}`).join("");
        const { bytes, removed } = withoutLearners(new TextEncoder().encode(text), [name]);
        const kept = lines.filter((l) => !namesLearner(l.trimEnd(), name) || l.trim() === "");
        expect(new TextDecoder().decode(bytes)).toBe(kept.map((l) => `${l}${crlf ? "\r\n" : "\n"}`).join(""));
        expect(removed).toBe(lines.length - kept.length);
      }),
      { seed: 20261205, numRuns: 300 },
    );
  });

  it("tells the learner's lines from a lookalike's", () => {
    expect(namesLearner(JSON.stringify({ username: "ann" }), "ann")).toBe(true);
    expect(namesLearner(JSON.stringify({ username: "anne" }), "ann")).toBe(false);
    expect(namesLearner(JSON.stringify({ stage: "etl", event: '{"username": "ann", "id": 1' }), "ann")).toBe(true);
    expect(namesLearner(JSON.stringify({ stage: "worker", username: "ann", event: {} }), "ann")).toBe(true);
    expect(namesLearner(JSON.stringify({ props: { query: "ann" } }), "ann")).toBe(false);
  });
});
