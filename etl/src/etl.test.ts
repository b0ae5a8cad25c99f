import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EXPORT_KEYS,
  etlRejectsKey,
  type Manifest,
  type RejectRecord,
  S3,
  SILVER_COLUMNS,
  silverPartitionKey,
  utcDay,
} from "@growit/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDataset, type Dataset, expectedMart, USERS } from "../test/bronze-dataset.ts";
import { freshBucket, query, RecordingReporter, resetDatabase, testConfig } from "../test/fixtures.ts";
import type { EtlConfig } from "./config.ts";
import { addDays, dayRange } from "./days.ts";
import { openDuck } from "./duck.ts";
import { Etl, type EtlOptions } from "./etl.ts";

const SEED_QUERY_1 = `SELECT event_date, SUM(cnt) AS total_events FROM mart.daily_events WHERE event_date >= CURRENT_DATE - INTERVAL '7 days' GROUP BY event_date ORDER BY event_date;`;
const SEED_QUERY_2 = `SELECT user_id, SUM(cnt) AS events_last_30d FROM mart.daily_events WHERE event_date >= CURRENT_DATE - INTERVAL '30 days' GROUP BY user_id ORDER BY events_last_30d DESC LIMIT 5;`;

let config: EtlConfig;
let s3: S3;
let dataset: Dataset;
let days: string[];
const scratch = join(tmpdir(), `growit-etl-readback-${process.pid}`);

async function withEtl<T>(work: (etl: Etl) => Promise<T>, options: Partial<EtlOptions> = {}): Promise<T> {
  const etl = await Etl.open(config, { reporter: new RecordingReporter(), ...options });
  try {
    return await work(etl);
  } finally {
    await etl.close();
  }
}

const martRows = () =>
  query<{ event_date: string; user_id: string; cnt: number }>(
    "SELECT to_char(event_date, 'YYYY-MM-DD') AS event_date, user_id, cnt::int AS cnt FROM mart.daily_events ORDER BY event_date, user_id",
  );

/** Every object the ETL wrote, with its bytes, to compare runs. */
async function outputs(): Promise<Map<string, string>> {
  const keys = [
    ...(await s3.list("silver/")),
    ...(await s3.list("bronze/_rejected/")),
    ...(await s3.list("exports/mart/")),
  ];
  const result = new Map<string, string>();
  for (const key of keys) result.set(key, Buffer.from(await s3.getBytes(key)).toString("base64"));
  return result;
}

beforeAll(async () => {
  await resetDatabase();
  config = testConfig(await freshBucket());
  s3 = new S3(config.s3);
  dataset = buildDataset();
  for (const [key, body] of dataset.objects) await s3.put(key, body, "application/x-ndjson");
  const today = utcDay(new Date());
  days = dayRange(addDays(dataset.eventDays[0] as string, -1), today);
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("etl run over a generated data set", () => {
  it("builds exactly the expected mart, and the seed's queries answer from it", async () => {
    const outcomes = await withEtl((etl) => etl.runDays(days));
    expect(outcomes.filter((o) => o.status !== "done")).toEqual([]);
    const expected = expectedMart(dataset);
    expect(await martRows()).toEqual(expected);

    const today = utcDay(new Date());
    const weekAgo = addDays(today, -7);
    const perDay = new Map<string, number>();
    for (const row of expected) {
      if (row.event_date >= weekAgo) perDay.set(row.event_date, (perDay.get(row.event_date) ?? 0) + row.cnt);
    }
    const q1 = await query<{ event_date: Date; total_events: string }>(SEED_QUERY_1);
    expect(
      q1.map((r) => [
        utcDay(new Date(r.event_date.getTime() - r.event_date.getTimezoneOffset() * 60_000)),
        Number(r.total_events),
      ]),
    ).toEqual([...perDay].sort());

    const monthAgo = addDays(today, -30);
    const perUser = new Map<string, number>();
    for (const row of expected) {
      if (row.event_date >= monthAgo) perUser.set(row.user_id, (perUser.get(row.user_id) ?? 0) + row.cnt);
    }
    const top5 = [...perUser].sort((a, b) => b[1] - a[1]).slice(0, 5);
    const q2 = await query<{ user_id: string; events_last_30d: string }>(SEED_QUERY_2);
    expect(q2.map((r) => [r.user_id, Number(r.events_last_30d)])).toEqual(top5);
    expect(q2.map((r) => r.user_id)).toEqual(USERS.slice(0, 5));
  });

  it("writes silver Parquet with the contract's columns and types, one row per id, sorted", async () => {
    const duck = await openDuck({ memoryLimit: "256MB", tempDir: scratch });
    try {
      for (const day of dataset.eventDays) {
        const path = join(scratch, `${day}.parquet`);
        await writeFile(path, await s3.getBytes(silverPartitionKey(day)));
        const schema = (await duck.connection.runAndReadAll(`DESCRIBE SELECT * FROM '${path}'`)).getRowObjectsJson();
        expect(schema.map((c) => [c.column_name, c.column_type])).toEqual(SILVER_COLUMNS.map((c) => [c.name, c.type]));
        const rows = (
          await duck.connection.runAndReadAll(
            `SELECT id, type, strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, CAST(event_date AS VARCHAR) AS event_date,
               user_id, props, category, query, strftime(received_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS received_at, source
             FROM '${path}'`,
          )
        ).getRowObjectsJson();
        const expected = [...dataset.winners.values()]
          .filter((e) => e.ts.startsWith(day))
          .sort((a, b) =>
            (a.username ?? "\uffff") !== (b.username ?? "\uffff")
              ? (a.username ?? "\uffff") < (b.username ?? "\uffff")
                ? -1
                : 1
              : a.ts < b.ts
                ? -1
                : a.ts > b.ts
                  ? 1
                  : a.id < b.id
                    ? -1
                    : 1,
          )
          .map((e) => ({
            id: e.id,
            type: e.type,
            ts: e.ts,
            event_date: day,
            user_id: e.username,
            props: JSON.stringify(e.props),
            category: (e.props as { category?: string }).category ?? null,
            query: (e.props as { query?: string }).query ?? null,
            received_at: e.received_at,
            source: e.source,
          }));
        expect(rows).toEqual(expected);
      }
    } finally {
      duck.close();
    }
  });

  it("keeps every rejected line with its object, line number and reason, and counts the run", async () => {
    for (const [day, count] of dataset.rejects) {
      const records = (await s3.getText(etlRejectsKey(day)))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as RejectRecord);
      expect(records).toHaveLength(count);
      for (const record of records) {
        expect(record).toMatchObject({ stage: "etl", object: expect.stringMatching(/^bronze\/app\//) });
        expect(record.line).toBeGreaterThan(0);
        expect(record.reason).toMatch(
          /^(not JSON|id must be a UUID|type must be one of|type login is emitted|ts is more than)/,
        );
      }
    }
    const runs = await query<{
      day: string;
      status: string;
      bronze_lines: string;
      rejected: string;
      silver_rows: string;
      duplicates: string;
      mart_rows: string;
    }>(
      "SELECT to_char(event_date, 'YYYY-MM-DD') AS day, status, bronze_lines, rejected, silver_rows, duplicates, mart_rows FROM etl.runs ORDER BY event_date",
    );
    expect(runs.map((r) => r.day)).toEqual(days);
    for (const run of runs) {
      const silver = [...dataset.winners.values()].filter((e) => e.ts.startsWith(run.day));
      expect(run).toMatchObject({
        status: "done",
        bronze_lines: String(dataset.lines.get(run.day) ?? 0),
        rejected: String(dataset.rejects.get(run.day) ?? 0),
        silver_rows: String(silver.length),
        mart_rows: String(new Set(silver.filter((e) => e.username).map((e) => e.username)).size),
      });
    }
    // Each dataset day has four duplicate copies, plus the next day's retry of its midnight event.
    expect(runs.find((r) => r.day === dataset.eventDays.at(-1))?.duplicates).toBe("5");
  });

  it("exports the mart and a manifest of every exported file", async () => {
    const manifest = JSON.parse(await s3.getText(EXPORT_KEYS.manifest)) as Manifest;
    expect(manifest.files.map((f) => f.key)).toEqual([
      EXPORT_KEYS.dailyEvents,
      ...dataset.eventDays.map((d) => silverPartitionKey(d)),
    ]);
    const listed = new Map((await s3.listObjects("")).map((o) => [o.key, o.size]));
    for (const file of manifest.files) expect(listed.get(file.key)).toBe(file.bytes);
    expect(manifest.files[0]?.rows).toBe(expectedMart(dataset).length);
  });

  it("changes nothing when a day is run again", async () => {
    const before = { mart: await martRows(), objects: await outputs() };
    const outcomes = await withEtl((etl) => etl.runDays(days));
    expect(outcomes.every((o) => o.status === "done")).toBe(true);
    expect(await martRows()).toEqual(before.mart);
    const after = await outputs();
    expect([...after.keys()]).toEqual([...before.objects.keys()]);
    for (const [key, bytes] of after) {
      // The reject records carry when they were rejected; everything else is byte for byte the same.
      if (!key.startsWith("bronze/_rejected/")) expect(bytes, key).toBe(before.objects.get(key));
    }
  });

  it("converges after a run stopped between the silver upload and the publish", async () => {
    const day = dataset.eventDays.at(-1) as string;
    const before = await martRows();
    // A new late-arriving event for the day, so the stopped run has something to publish.
    const extra = { ...[...dataset.winners.values()].find((e) => e.ts.startsWith(day) && e.username === "sora") };
    const added = { ...extra, id: "0193a0b2-7c1e-7d4a-9f00-00000000beef", received_at: extra.received_at };
    await s3.put(
      `bronze/app/${day.replaceAll("-", "/")}/part-235959999-extra.jsonl`,
      `${JSON.stringify(added)}\n`,
      "application/x-ndjson",
    );
    const stopped = await withEtl((etl) => etl.runDays([day]), {
      hooks: {
        afterSilverUpload: () => {
          throw new Error("injected stop before publish");
        },
      },
    });
    expect(stopped).toMatchObject([{ day, status: "failed", error: "injected stop before publish" }]);
    expect(await martRows()).toEqual(before);

    expect(await withEtl((etl) => etl.runDays([day]))).toMatchObject([{ day, status: "done" }]);
    const after = await martRows();
    const sora = (rows: typeof before) => rows.find((r) => r.event_date === day && r.user_id === "sora")?.cnt ?? 0;
    expect(sora(after)).toBe(sora(before) + 1);
    expect(after.filter((r) => !(r.event_date === day && r.user_id === "sora"))).toEqual(
      before.filter((r) => !(r.event_date === day && r.user_id === "sora")),
    );
    const statuses = await query<{ status: string }>(
      "SELECT status FROM etl.runs WHERE event_date = $1 ORDER BY attempt",
      [day],
    );
    expect(statuses.map((s) => s.status)).toEqual(["done", "done", "failed", "done"]);
  });
});

describe("etl run on a day without bronze", () => {
  it("publishes nothing and succeeds", async () => {
    const outcomes = await withEtl((etl) => etl.runDays(["2001-01-01"]));
    expect(outcomes).toMatchObject([{ status: "done", counts: { silver_rows: 0, bronze_lines: 0 } }]);
    expect(await s3.list(silverPartitionKey("2001-01-01"))).toEqual([]);
  });
});
