// The worker and the ETL together: events sent to the worker's deployable bundle in workerd (its
// real entry point) come out of the real ETL into silver, whatever their content, and the SDK's
// late and mis-clocked events land on the days they happened.
import { isDeepStrictEqual } from "node:util";
import { addDays, DAY_MS, utcDay } from "@growit/contract";
import fc from "fast-check";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOYED_SESSION_SECRET } from "../bench/deployed-worker.ts";
import { type FetchLike, memoryStorage } from "../web/src/lib/events/env.ts";
import { createTracker } from "../web/src/lib/events/tracker.ts";
import { type Pipeline, startPipeline } from "./pipeline.ts";

const SEAL_KEY = "ingest-to-silver seal";
/** The property's runs: each sends one batch and runs the ETL, so that a failure shrinks to one batch. */
const RUNS = 25;
let pipeline: Pipeline;

/** The session cookie a signed-in browser carries (the worker trusts its signature on ingest). */
async function cookieFor(username: string): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `growit_session=${await sign({ sub: username, role: "learner", exp }, DEPLOYED_SESSION_SECRET, "HS256")}`;
}

/** What the cron does when bronze arrives, then the ETL's run of the queue; throws on a failed run. */
const runEtl = () => pipeline.runEtl({ mode: "incremental" });

/** Silver's rows for these ids, read from every current silver file. */
async function silverRowsOf(ids: readonly string[]) {
  const silver = await pipeline.silver();
  if (!silver || ids.length === 0) return [];
  const rows = await pipeline.duck.connection.runAndReadAll(
    `SELECT id, props, strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, strftime(client_ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS client_ts,
       CAST(event_date AS VARCHAR) AS event_date, user_id
     FROM ${silver}
     WHERE id IN (${ids.map((id) => `'${id}'`).join(", ")})`,
  );
  return rows.getRowObjectsJson() as Array<Record<string, string | null>>;
}

beforeAll(async () => {
  pipeline = await startPipeline({ name: "ingest-to-silver", ports: { s3: 9030, worker: 8796 }, sealKey: SEAL_KEY });
}, 120_000);

afterAll(() => pipeline?.close());

/** Text of every plane, lone surrogates and NULs among it. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 3 }),
  fc.constantFrom("", "\u0000", "a\u0000b", "\ud83d\ude00", "\ud83d", "\ude00x", "null", "1e400"),
);
const key = fc.oneof(text, fc.constantFrom("__proto__", "constructor", "prototype", "", "toString"));
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 2 ** 53 + 1, 1e21, 1e-7),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 6 }),
    fc.dictionary(key, tie("value"), { maxKeys: 6 }),
  ),
}));
/** A page_view with arbitrary further props: deep, wide, huge and tiny. */
const event = fc.record({
  id: fc.uuid({ version: 7 }),
  extra: fc.oneof(
    fc.dictionary(key, value, { maxKeys: 8 }),
    fc.array(value, { minLength: 40, maxLength: 200 }).map((wide) => ({ wide })),
    fc.integer({ min: 1, max: 40 }).map((depth) => {
      let deep: unknown = "bottom";
      for (let i = 0; i < depth; i++) deep = { d: deep };
      return { deep };
    }),
  ),
});

describe("from the worker to silver", () => {
  it("takes any props: every accepted event reaches silver once, props JSON-equal to what was sent; every refused one has a reason", async () => {
    const cookie = await cookieFor("prop-tester");
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 8 }), async (generated) => {
        const now = new Date().toISOString();
        const events = generated.map((e) => ({
          id: e.id,
          type: "page_view",
          ts: now,
          props: { ...e.extra, path: "/property" },
        }));
        // JSON.stringify writes a lone surrogate as its \u escape, as a client's JSON would.
        const body = JSON.stringify({ events, sent_at: now });
        const response = await fetch(`${pipeline.worker.url}/api/events`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie },
          body,
        });
        expect(response.status, await response.clone().text()).toBe(202);
        const answer = (await response.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
        const refusedIndexes = new Set(answer.rejected.map((r) => r.index));
        for (const r of answer.rejected) expect(r.reason, JSON.stringify(r)).toMatch(/\S/);
        const sent = JSON.parse(body).events as Array<{ id: string; props: unknown }>;
        const kept = sent.filter((_, i) => !refusedIndexes.has(i));
        expect(answer.accepted).toBe(kept.length);
        accepted += kept.length;
        refused += refusedIndexes.size;
        await runEtl();
        const rows = await silverRowsOf(kept.map((e) => e.id));
        expect(rows).toHaveLength(kept.length);
        for (const e of kept) {
          const row = rows.find((r) => r.id === e.id);
          expect(isDeepStrictEqual(JSON.parse(row?.props ?? "null"), e.props), `${e.id}: ${row?.props}`).toBe(true);
        }
      }),
      { seed: 20261202, numRuns: RUNS, endOnFailure: true },
    );
    // The generators reach both sides of the contract.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it("an SDK offline for three days delivers every event on reconnecting, each on the day it happened; the mart is exact", async () => {
    const username = "offline-learner";
    const cookie = await cookieFor(username);
    const realNow = Date.now();
    let clock = realNow - 3 * DAY_MS;
    let online = false;
    const sentIds = new Set<string>();
    const fetchOnline: FetchLike = async (url, init) => {
      if (!online) throw new TypeError("Failed to fetch");
      for (const e of (JSON.parse(init.body) as { events: { id: string }[] }).events) sentIds.add(e.id);
      return fetch(url, { ...init, headers: { ...init.headers, cookie } });
    };
    const tracker = createTracker({
      endpoint: `${pipeline.worker.url}/api/events`,
      storage: memoryStorage(),
      fetch: fetchOnline,
      now: () => clock,
      isOnline: () => online,
      locks: undefined,
      sendBeacon: undefined,
      window: undefined,
      document: undefined,
    });
    const perDay = new Map<string, number>();
    try {
      for (let day = 0; day < 3; day++) {
        for (let i = 0; i <= day; i++) {
          tracker.track("page_view", { path: `/offline/${day}/${i}` });
          const date = utcDay(new Date(clock));
          perDay.set(date, (perDay.get(date) ?? 0) + 1);
        }
        clock += DAY_MS;
      }
      clock = Date.now();
      online = true;
      await tracker.flush();
      expect(tracker.stats()).toMatchObject({ queued: 0, dropped: 0, rejected: 0 });
    } finally {
      tracker.close();
    }
    await runEtl();
    const mart = await pipeline.query<{ event_date: string; cnt: number }>(
      "SELECT to_char(event_date, 'YYYY-MM-DD') AS event_date, cnt::int AS cnt FROM mart.daily_events WHERE user_id = $1 ORDER BY 1",
      [username],
    );
    expect(mart).toEqual([...perDay].sort().map(([event_date, cnt]) => ({ event_date, cnt })));
    expect(new Set(mart.map((m) => m.event_date)).has(addDays(utcDay(new Date(realNow)), -3))).toBe(true);
    expect(await silverRowsOf([...sentIds])).toHaveLength(6);
  });

  it("a client clock two hours fast: events land at the corrected time, the client's own kept beside it", async () => {
    const cookie = await cookieFor("fast-clock");
    const skew = 2 * 3600_000;
    const sentIds: string[] = [];
    const tracker = createTracker({
      endpoint: `${pipeline.worker.url}/api/events`,
      storage: memoryStorage(),
      fetch: (url, init) => {
        for (const e of (JSON.parse(init.body) as { events: { id: string }[] }).events) sentIds.push(e.id);
        return fetch(url, { ...init, headers: { ...init.headers, cookie } });
      },
      now: () => Date.now() + skew,
      locks: undefined,
      sendBeacon: undefined,
      window: undefined,
      document: undefined,
    });
    const before = Date.now();
    try {
      tracker.track("page_view", { path: "/fast-clock" });
      await tracker.flush();
    } finally {
      tracker.close();
    }
    const after = Date.now();
    await runEtl();
    const [row] = await silverRowsOf(sentIds);
    const ts = Date.parse(row?.ts ?? "");
    expect(ts).toBeGreaterThanOrEqual(before - 1);
    expect(ts).toBeLessThanOrEqual(after);
    expect(Date.parse(row?.client_ts ?? "") - ts).toBeGreaterThanOrEqual(skew - (after - before) - 1);
    expect(row?.event_date).toBe(utcDay(new Date(ts)));
  });
});
