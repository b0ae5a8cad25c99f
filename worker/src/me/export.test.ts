// Through the worker's real entry point (SELF), with the silver files of export-fixture.ts in its
// bucket as the ETL would have published them, and bronze objects the ETL has and has not absorbed.
import { env } from "cloudflare:test";
import { bronzeObjectKey, ExportRecord, MAX_BRONZE_LINE_BYTES, uuidv7 } from "@growit/contract";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { EXPORT_LEARNERS, exportFixtureFiles } from "../../test/export-fixture.ts";
import { Browser, selfBucket, signedIn, signUp, sql, testEnv, uniqueName } from "../../test/fixtures.ts";
import { EXPORT_LIMIT_PERIOD_SECONDS } from "../http/rate-limit.ts";
import { DAY_ATTEMPTS } from "./export-records.ts";

const { a: A, b: B } = EXPORT_LEARNERS;
const fixtureRows = exportFixtureFiles().flatMap((f) => f.rows);
const silverIdsOf = (user: string) => fixtureRows.filter((r) => r.user_id === user).map((r) => r.id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A bronze line as the worker stores it (an event made a second before it was received). */
function line(fields: Record<string, unknown>): string {
  const receivedAt = (fields.received_at as string | undefined) ?? new Date().toISOString();
  const ts = new Date(Date.parse(receivedAt) - 1_000).toISOString();
  const event = { id: uuidv7(), type: "page_view", ts, username: A, props: { path: "/" }, source: "web" };
  return JSON.stringify({ ...event, received_at: receivedAt, ...fields });
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

let browserA: Browser;
let browserB: Browser;
/** A's events that only bronze holds, as the export must pick them: id -> the object of the winning copy. */
const pendingA = new Map<string, string>();
let pendingB = "";
let absorbedA = "";

beforeAll(async () => {
  browserA = new Browser();
  browserB = new Browser();
  expect((await signUp(browserA, A)).status).toBe(201);
  expect((await signUp(browserB, B)).status).toBe(201);
  for (const file of inject("exportFixture")) {
    await sql(
      env,
      "INSERT INTO etl.silver_files (object_key, event_date, bytes, rows, sha256) VALUES ($1, $2, $3, $4, 'x')",
      [file.key, file.day, file.bytes, file.rows],
    );
  }
  for (const user of [A, B])
    for (const day of ["2026-03-02", "2026-03-03"])
      await sql(env, "INSERT INTO mart.learner_daily (event_date, user_id, events) VALUES ($1, $2, 1)", [day, user]);

  const s3 = selfBucket();
  // Absorbed two hours ago: its lines are in silver (or were rejected), never exported from bronze.
  const absorbed = bronzeObjectKey(minutesAgo(120), crypto.randomUUID());
  absorbedA = uuidv7();
  const absorbedBody = `${line({ id: absorbedA, received_at: minutesAgo(120).toISOString() })}\n`;
  await s3.put(absorbed, absorbedBody, "application/x-ndjson");
  await sql(
    env,
    "INSERT INTO etl.bronze_objects (key, bytes, lines, rejected, event_dates) VALUES ($1, $2, 1, 0, $3)",
    [absorbed, absorbedBody.length, [new Date().toISOString().slice(0, 10)]],
  );

  const first = bronzeObjectKey(minutesAgo(30), crypto.randomUUID());
  const second = bronzeObjectKey(minutesAgo(20), crypto.randomUUID());
  const [n1, n2] = [uuidv7(), uuidv7()];
  const inSilver = silverIdsOf(A)[0] as string;
  pendingB = uuidv7();
  await s3.put(
    first,
    [
      line({ id: n1, received_at: minutesAgo(30).toISOString() }),
      line({
        id: n2,
        type: "course_open",
        props: { category: "data", course_id: "c-1" },
        received_at: minutesAgo(30).toISOString(),
      }),
      // A re-sent copy of an event silver holds: silver's row is the one exported.
      line({ id: inSilver, received_at: minutesAgo(30).toISOString() }),
      // Lines the ETL would reject: no event object, and props a page_view may not have. (Other
      // tests read this bucket's lines as JSON, so nothing here is worse.)
      JSON.stringify([A]),
      line({ props: {} }),
      // An event of A's but for its length (JSON allows the spaces): a reject, passed over unread.
      line({ received_at: minutesAgo(30).toISOString() }).replace(/}$/, `${" ".repeat(MAX_BRONZE_LINE_BYTES)}}`),
      line({ username: "someone-else", props: { path: `/${A}` } }),
      line({ id: pendingB, username: B }),
    ].join("\n"),
    "application/x-ndjson",
  );
  await s3.put(
    second,
    [
      // Copies of both: the earliest received wins, as in the ETL.
      line({ id: n1, received_at: minutesAgo(25).toISOString() }),
      line({
        id: n2,
        type: "course_open",
        props: { category: "data", course_id: "c-1" },
        received_at: minutesAgo(35).toISOString(),
      }),
    ].join("\n"),
    "application/x-ndjson",
  );
  pendingA.set(n1, first).set(n2, second);
});

/** The body's records, and whether reading it failed (a body broken off). */
async function readExport(response: Response): Promise<{ records: ExportRecord[]; broken: boolean }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  let broken = false;
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read())
      text += decoder.decode(read.value, { stream: true });
  } catch {
    broken = true;
  }
  const records = text
    .split("\n")
    .filter(Boolean)
    .map((l) => ExportRecord.parse(JSON.parse(l)));
  return { records, broken };
}

const events = <S extends "silver" | "bronze">(records: ExportRecord[], stage: S) =>
  records.filter(
    (r): r is Extract<ExportRecord, { record: "event"; stage: S }> => r.record === "event" && r.stage === stage,
  );

describe("GET /api/me/export", () => {
  it("streams the account, then the learner's silver events, then those only bronze holds, each once", async () => {
    const response = await browserA.request("/api/me/export");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="growit-${A}-${new Date().toISOString().slice(0, 10)}.jsonl"`,
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { records, broken } = await readExport(response);
    expect(broken).toBe(false);

    const [account] = records;
    expect(account).toEqual({
      record: "account",
      username: A,
      full_name: "김민지",
      interests: ["data", "ai"],
      role: "learner",
      created_at: expect.any(String),
      exported_at: expect.any(String),
    });
    expect(JSON.stringify(records)).not.toContain("password");

    const silver = events(records, "silver");
    expect(silver.map((e) => e.id).sort()).toEqual(silverIdsOf(A).sort());
    expect(silver.every((e) => e.user_id === A)).toBe(true);
    // Date by date, and a row as the ETL stored it, its props as an object.
    expect(silver.map((e) => e.event_date)).toEqual([...silver.map((e) => e.event_date)].sort());
    const stored = fixtureRows.find((r) => r.id === silver[0]?.id);
    expect(silver[0]).toEqual({ record: "event", stage: "silver", ...stored, props: JSON.parse(stored?.props ?? "") });

    const bronze = events(records, "bronze");
    expect(bronze.every((e) => e.username === A)).toBe(true);
    // The worker's own signup event, not absorbed yet, is A's too.
    expect(bronze.filter((e) => e.type === "signup")).toHaveLength(1);
    const mine = bronze.filter((e) => e.type !== "signup");
    expect(new Map(mine.map((e) => [e.id, e.bronze_object]))).toEqual(pendingA);
    expect(bronze.some((e) => e.id === absorbedA)).toBe(false);

    const ids = [...silver, ...bronze].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(records.indexOf(silver.at(-1) as ExportRecord)).toBeLessThan(records.indexOf(bronze[0] as ExportRecord));
    expect(records.at(-1)).toEqual({
      record: "end",
      events: ids.length,
      silver: silver.length,
      bronze: bronze.length,
    });
  });

  it("holds none of another learner's events", async () => {
    const { records } = await readExport(await browserB.request("/api/me/export"));
    expect(records[0]).toMatchObject({ record: "account", username: B });
    expect(
      events(records, "silver")
        .map((e) => e.id)
        .sort(),
    ).toEqual(silverIdsOf(B).sort());
    const bronze = events(records, "bronze");
    expect(bronze.map((e) => e.type === "signup" || e.id).filter((id) => id !== true)).toEqual([pendingB]);
    expect(records.some((r) => r.record === "event" && (pendingA.has(r.id) || silverIdsOf(A).includes(r.id)))).toBe(
      false,
    );
  });

  it("answers 401 to a caller without a session", async () => {
    const response = await new Browser().request("/api/me/export");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "sign in first: no valid session" });
  });

  it("ends with an error record and breaks off when a date's silver files keep disappearing", async () => {
    const { browser, username } = await signedIn("learner");
    await sql(
      env,
      "INSERT INTO etl.silver_files (object_key, event_date, bytes, rows, sha256) VALUES ($1, $2, 1000, 1, 'x')",
      [`silver/events/event_date=2026-03-05/part-${uuidv7()}.parquet`, "2026-03-05"],
    );
    await sql(env, "INSERT INTO mart.learner_daily (event_date, user_id, events) VALUES ('2026-03-05', $1, 1)", [
      username,
    ]);
    const response = await browser.request("/api/me/export");
    expect(response.status).toBe(200);
    const { records, broken } = await readExport(response);
    expect(records[0]).toMatchObject({ record: "account", username });
    expect(records.at(-1)).toEqual({
      record: "error",
      error: `the silver files of 2026-03-05 disappeared ${DAY_ATTEMPTS} times while being read`,
    });
    expect(records.some((r) => r.record === "end")).toBe(false);
    expect(broken).toBe(true);
  });

  it("limits exports per account", async () => {
    const { browser, username } = await signedIn("learner");
    // Counts start afresh each window: leave room for this test in one.
    const periodMs = EXPORT_LIMIT_PERIOD_SECONDS * 1000;
    if (periodMs - (Date.now() % periodMs) < 10_000) await sleep(periodMs - (Date.now() % periodMs) + 100);
    for (let i = 0; i < 5; i++) expect((await env.EXPORTS_PER_ACCOUNT.limit({ key: username })).success).toBe(true);
    const response = await browser.request("/api/me/export");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe(String(EXPORT_LIMIT_PERIOD_SECONDS));
    expect(await response.json()).toEqual({
      error: `too many exports from this account; wait ${EXPORT_LIMIT_PERIOD_SECONDS} s`,
      retryable: true,
      retry_after: EXPORT_LIMIT_PERIOD_SECONDS,
    });
  });

  it("answers 503 with retry_after when S3 does not answer before the export starts", async () => {
    const { env: own } = await testEnv(uniqueName("export"));
    const unreachable = { ...own, S3_ENDPOINT: "http://127.0.0.1:1" };
    const { browser } = await signedIn("learner", unreachable);
    const response = await browser.request("/api/me/export");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toEqual({
      error: "storage is unavailable; try again shortly",
      retryable: true,
      retry_after: 1,
    });
  });
});
