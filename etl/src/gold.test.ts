import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addDays,
  bronzeObjectKey,
  dayStart,
  enqueueRun,
  GOLD_MARTS,
  type GoldMart,
  goldMartKey,
  S3,
  utcDay,
  uuidv7,
} from "@growit/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshBucket, query, RecordingReporter, resetDatabase, testConfig } from "../test/fixtures.ts";
import type { EtlConfig } from "./config.ts";
import { type Duck, openDuck } from "./duck.ts";
import { Etl } from "./etl.ts";

// A data set whose gold marts are known: recommendation lists opened at known positions (one
// open the next day, one naming no list), searches with and without results and opens of
// their results, an anonymous visitor who logs in (their earlier events become theirs), and
// learners active across three weeks with interests.

const today = utcDay(new Date());
/** The Monday (UTC) three weeks back: weeks w0, w1, w2 all lie within the horizon. */
const w0 = (() => {
  const start = addDays(today, -21);
  const weekday = (new Date(dayStart(start)).getUTCDay() + 6) % 7;
  return addDays(start, -weekday);
})();
const A = w0;
const A1 = addDays(w0, 1);
const W1 = addDays(w0, 7);
const W2 = addDays(w0, 14);

const suffix = crypto.randomUUID().slice(0, 6);
const alice = `alice_${suffix}`;
const bob = `bob_${suffix}`;
const carol = `carol_${suffix}`;
const dave = `dave_${suffix}`;
const s = { s1: "", s2: "", s3: "", s4: "", s5: "", s6: "", s7: "", s8: "", s9: "" };
for (const key of Object.keys(s) as (keyof typeof s)[]) s[key] = crypto.randomUUID();
const [R1, R2, R3, RX, Q1, Q2, Q3, Q4] = Array.from({ length: 8 }, () => crypto.randomUUID());

type Row = [day: string, type: string, user: string | null, session: string | null, props: object, server?: boolean];
const EVENTS: Row[] = [
  [A, "recommendation_request", alice, s.s1, { category: "data", rec_id: R1, course_ids: ["c1", "c2"] }, true],
  [A, "course_open", alice, s.s1, { category: "data", course_id: "c1", rec_id: R1, position: 1 }],
  [A, "course_open", alice, s.s1, { category: "data", course_id: "c2", rec_id: R1, position: 2 }],
  [A, "recommendation_request", null, s.s2, { category: "data", rec_id: R2, course_ids: ["c1"] }, true],
  [A, "course_open", null, s.s2, { category: "data", course_id: "c1", rec_id: R2, position: 1 }],
  [A, "login", dave, s.s2, {}, true],
  [A, "recommendation_request", bob, s.s3, { category: "ai", rec_id: R3, course_ids: ["a1", "a2", "a3"] }, true],
  [A, "course_open", alice, s.s1, { category: "data", course_id: "c9", rec_id: RX, position: 1 }],
  [A, "search_query", alice, s.s1, { query: "sql", results: 5, search_id: Q1 }, true],
  [A, "search_query", alice, s.s1, { query: "sql" }],
  [A, "search_query", null, s.s2, { query: "zzz", results: 0, search_id: Q2 }, true],
  [A, "search_query", bob, s.s3, { query: "zzz", results: 0, search_id: Q3 }, true],
  [A, "search_query", bob, s.s3, { query: "rust", results: 2, search_id: Q4 }, true],
  [A, "course_open", alice, s.s1, { category: "data", course_id: "c3", search_id: Q1 }],
  [A, "video_open", alice, s.s1, { category: "data", video_id: "v1", search_id: Q1 }],
  [A, "page_view", null, null, { path: "/" }],
  [A1, "course_open", bob, s.s4, { category: "ai", course_id: "a3", rec_id: R3, position: 3 }],
  [A1, "video_open", bob, s.s4, { category: "ai", video_id: "v2", search_id: Q4 }],
  [W1, "page_view", alice, s.s5, { path: "/" }],
  [W1, "page_view", carol, s.s6, { path: "/" }],
  [W2, "page_view", alice, s.s7, { path: "/" }],
  [W2, "page_view", bob, s.s8, { path: "/" }],
  [W2, "page_view", carol, s.s9, { path: "/" }],
];

const EXPECTED: Record<GoldMart, unknown[][]> = {
  daily_type_events: [
    [A, "course_open", 5, 2],
    [A, "login", 1, 1],
    [A, "page_view", 1, 0],
    [A, "recommendation_request", 3, 3],
    [A, "search_query", 5, 3],
    [A, "video_open", 1, 1],
    [A1, "course_open", 1, 1],
    [A1, "video_open", 1, 1],
    [W1, "page_view", 2, 2],
    [W2, "page_view", 3, 3],
  ],
  daily_category_events: [
    [A, "ai", "recommendation_request", 1, 1],
    [A, "data", "course_open", 5, 2],
    [A, "data", "recommendation_request", 2, 2],
    [A, "data", "video_open", 1, 1],
    [A1, "ai", "course_open", 1, 1],
    [A1, "ai", "video_open", 1, 1],
  ],
  recommendation_daily: [
    [A, "ai", 1, 0],
    [A, "data", 2, 3],
    [A1, "ai", 0, 1],
  ],
  recommendation_positions: [
    [A, "data", 1, 2],
    [A, "data", 2, 1],
    [A1, "ai", 3, 1],
  ],
  search_daily: [
    [A, 4, 2, 2],
    [A1, 0, 0, 1],
  ],
  zero_result_queries: [[A, "zzz", 2]],
  retention_weekly: [
    [w0, 0, 3],
    [w0, 1, 1],
    [w0, 2, 2],
    [W1, 0, 1],
    [W1, 1, 1],
  ],
  interest_daily: [
    [A, "ai", 1, 8],
    [A, "data", 2, 11],
    [A1, "data", 1, 2],
    [W1, "ai", 2, 2],
    [W1, "data", 1, 1],
    [W2, "ai", 2, 2],
    [W2, "data", 2, 2],
  ],
};

/** A mart's rows for this test's days, in a stable order, numbers as numbers. */
async function martRows(mart: GoldMart): Promise<unknown[][]> {
  const columns = Object.entries(GOLD_MARTS[mart]).map(([name, type]) =>
    type === "DATE" ? `to_char(${name}, 'YYYY-MM-DD')` : type === "VARCHAR" ? name : `${name}::int`,
  );
  const days = [w0, A1, W1, W2];
  const first = Object.keys(GOLD_MARTS[mart])[0] as string;
  const rows = await query<Record<string, unknown>>(
    `SELECT ${columns.map((c, i) => `${c} AS c${i}`).join(", ")} FROM mart.${mart}
     WHERE ${first} = ANY($1::date[]) ORDER BY ${columns.map((_, i) => `c${i}`).join(", ")}`,
    [days],
  );
  return rows.map((r) => Object.values(r));
}

let config: EtlConfig;
let s3: S3;
let duck: Duck;
const scratch = join(tmpdir(), `growit-etl-gold-${process.pid}`);

async function runQueued() {
  await enqueueRun({ query }, today, "incremental");
  const etl = await Etl.open(config, { reporter: new RecordingReporter() });
  try {
    return await etl.runPending();
  } finally {
    await etl.close();
  }
}

/**
 * Stores the events as bronze, one object per day they arrived: a minute after they happened,
 * or, for `late` ones, now (in today's folder, as the worker stores what it receives).
 */
async function storeBronze(rows: readonly Row[], late = false) {
  const byDay = new Map<string, string[]>();
  for (const [i, [day, type, user, session, props, server]] of rows.entries()) {
    const at = Date.parse(`${day}T10:00:00.000Z`) + i * 1000;
    const receivedAt = late ? Date.now() : at + 60_000;
    const ts = new Date(at).toISOString();
    const line = JSON.stringify({
      id: uuidv7(at),
      type,
      ts,
      ...(server ? {} : { client_ts: ts }),
      username: user,
      props: session ? { ...props, session_id: session } : props,
      received_at: new Date(receivedAt).toISOString(),
      source: server ? "server" : "web",
    });
    const arrived = late ? today : day;
    byDay.set(arrived, [...(byDay.get(arrived) ?? []), line]);
  }
  for (const [day, lines] of byDay) {
    await s3.put(
      bronzeObjectKey(late ? new Date() : new Date(`${day}T10:05:00.000Z`), crypto.randomUUID()),
      `${lines.join("\n")}\n`,
      "application/x-ndjson",
    );
  }
}

beforeAll(async () => {
  await resetDatabase();
  config = testConfig(await freshBucket());
  s3 = new S3(config.s3);
  duck = await openDuck({ memoryLimit: "256MB", tempDir: join(scratch, "duck") });
  // dave has no account row: a learner without interests.
  for (const [user, interests] of [
    [alice, ["data", "ai"]],
    [bob, ["data"]],
    [carol, ["ai"]],
  ] as const) {
    await query("INSERT INTO app.users (username, password_hash, full_name, interests) VALUES ($1, 'x', $1, $2)", [
      user,
      interests,
    ]);
  }
  await storeBronze(EVENTS);
});

afterAll(async () => {
  duck.close();
  await query("DELETE FROM app.users WHERE username = ANY($1)", [[alice, bob, carol, dave]]);
  await rm(scratch, { recursive: true, force: true });
});

describe("the gold marts", () => {
  it("equal the known answers through the real ETL, and their exports equal them", async () => {
    const outcomes = await runQueued();
    expect(outcomes.filter((o) => o.status !== "done")).toEqual([]);
    // Each course's showings in lists and opens from them, for the recommendations to learn from.
    expect(
      await query(
        `SELECT category, course_id, impressions::int, opens::int FROM mart.course_open_rates
         WHERE category IN ('ai', 'data') ORDER BY 1, 2`,
      ),
    ).toEqual(
      [
        ["ai", "a1", 1, 0],
        ["ai", "a2", 1, 0],
        ["ai", "a3", 1, 1],
        ["data", "c1", 2, 2],
        ["data", "c2", 1, 1],
      ].map(([category, course_id, impressions, opens]) => ({ category, course_id, impressions, opens })),
    );
    for (const mart of Object.keys(EXPECTED) as GoldMart[]) {
      expect(await martRows(mart), mart).toEqual(EXPECTED[mart]);
      const path = join(scratch, `${mart}.parquet`);
      await writeFile(path, await s3.getBytes(goldMartKey(mart)));
      const exported = await duck.connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${path}')`);
      const inMart = await query<{ n: string }>(`SELECT count(*) AS n FROM mart.${mart}`);
      expect(Number(exported.getRows()[0]?.[0]), `${mart} export`).toBe(Number(inMart[0]?.n));
    }
  });

  it("moves an open that arrives late to the list it names, and a rebuild of a day gives the same marts", async () => {
    // An open of anonymous s2's list, on the next day, arrives today.
    await storeBronze(
      [[A1, "course_open", null, s.s4, { category: "data", course_id: "c1", rec_id: R2, position: 2 }]],
      true,
    );
    expect((await runQueued()).filter((o) => o.status !== "done")).toEqual([]);
    const withLate = {
      recommendation_daily: [
        [A, "ai", 1, 0],
        [A, "data", 2, 3],
        [A1, "ai", 0, 1],
        [A1, "data", 0, 1],
      ],
      recommendation_positions: [
        [A, "data", 1, 2],
        [A, "data", 2, 1],
        [A1, "ai", 3, 1],
        [A1, "data", 2, 1],
      ],
    };
    expect(await martRows("recommendation_daily")).toEqual(withLate.recommendation_daily);
    expect(await martRows("recommendation_positions")).toEqual(withLate.recommendation_positions);

    const before = Object.fromEntries(
      await Promise.all((Object.keys(EXPECTED) as GoldMart[]).map(async (m) => [m, await martRows(m)] as const)),
    );
    const etl = await Etl.open(config, { reporter: new RecordingReporter() });
    try {
      expect((await etl.runDays([A])).filter((o) => o.status !== "done")).toEqual([]);
    } finally {
      await etl.close();
    }
    for (const mart of Object.keys(EXPECTED) as GoldMart[]) expect(await martRows(mart), mart).toEqual(before[mart]);
  });
});
