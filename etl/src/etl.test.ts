import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addDays,
  bronzeObjectKey,
  bronzeSealKey,
  EXPORT_KEYS,
  enqueueRun,
  etlRejectsKey,
  GOLD_MART_NAMES,
  goldMartKey,
  horizonDays,
  type Manifest,
  type RejectRecord,
  S3,
  SEAL_HEADER,
  SILVER_COLUMNS,
  sealBronze,
  utcDay,
  uuidv7,
} from "@growit/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDataset, type Dataset, expectedMart } from "../test/bronze-dataset.ts";
import { freshBucket, query, resetDatabase, testConfig, withEtl as withConfiguredEtl } from "../test/fixtures.ts";
import type { EtlConfig } from "./config.ts";
import { type Duck, openDuck } from "./duck.ts";
import type { Etl, EtlOptions } from "./etl.ts";

const SEED_QUERY_1 = `SELECT event_date, SUM(cnt) AS total_events FROM mart.daily_events WHERE event_date >= CURRENT_DATE - INTERVAL '7 days' GROUP BY event_date ORDER BY event_date;`;
const SEED_QUERY_2 = `SELECT user_id, SUM(cnt) AS events_last_30d FROM mart.daily_events WHERE event_date >= CURRENT_DATE - INTERVAL '30 days' GROUP BY user_id ORDER BY events_last_30d DESC LIMIT 5;`;
const SEAL_SECRET = "etl test seal";
const JSONL = "application/x-ndjson";

let config: EtlConfig;
let s3: S3;
let dataset: Dataset;
let duck: Duck;
const today = utcDay(new Date());
const scratch = join(tmpdir(), `growit-etl-readback-${process.pid}`);

const withEtl = <T>(work: (etl: Etl) => Promise<T>, options: Partial<EtlOptions> = {}): Promise<T> =>
  withConfiguredEtl(config, work, options);

/** What the cron does when bronze arrives: queue today, then let the ETL bring everything up to date. */
async function runQueued(options: Partial<EtlOptions> = {}) {
  await enqueueRun({ query }, today, "incremental");
  return withEtl((etl) => etl.runPending(), options);
}

const martRows = () =>
  query<{ event_date: string; user_id: string; cnt: number }>(
    "SELECT to_char(event_date, 'YYYY-MM-DD') AS event_date, user_id, cnt::int AS cnt FROM mart.daily_events ORDER BY event_date, user_id",
  );

/** The rows of the mart's export, as martRows gives the mart's. */
async function exportedMart() {
  const path = join(scratch, "daily_events.parquet");
  await writeFile(path, await s3.getBytes(EXPORT_KEYS.dailyEvents));
  const rows = await duck.connection.runAndReadAll(
    `SELECT CAST(event_date AS VARCHAR) AS event_date, user_id, CAST(cnt AS INTEGER) AS cnt FROM read_parquet('${path}') ORDER BY event_date, user_id`,
  );
  return rows.getRowObjectsJson();
}

const silverFiles = (day?: string) =>
  query<{ key: string; day: string }>(
    `SELECT object_key AS key, to_char(event_date, 'YYYY-MM-DD') AS day FROM etl.silver_files
     WHERE $1::date IS NULL OR event_date = $1::date ORDER BY object_key`,
    [day ?? null],
  );

/** Every silver row of `day`, across the partition's files, in a stable order; and each file's row order. */
async function silverRows(day: string) {
  const paths: string[] = [];
  for (const [i, file] of (await silverFiles(day)).entries()) {
    const path = join(scratch, `${day}-${i}.parquet`);
    await writeFile(path, await s3.getBytes(file.key));
    paths.push(path);
  }
  if (paths.length === 0) return [];
  const rows = await duck.connection.runAndReadAll(
    `SELECT id, type, strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, CAST(event_date AS VARCHAR) AS event_date,
       user_id, props, category, query, strftime(received_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS received_at, source, bronze_object
     FROM read_parquet([${paths.map((p) => `'${p}'`).join(", ")}]) ORDER BY id`,
  );
  return rows.getRowObjectsJson();
}

/** Every object the ETL wrote, with its bytes, to compare runs. */
async function outputs(): Promise<Map<string, string>> {
  const keys = [...(await s3.list("silver/")), ...(await s3.list("bronze/_rejected/")), ...(await s3.list("exports/"))];
  const result = new Map<string, string>();
  for (const key of keys) result.set(key, Buffer.from(await s3.getBytes(key)).toString("base64"));
  return result;
}

const horizonStart = horizonDays(today)[0] as string;
/** The winners the incremental runs reach: those received within the horizon. */
const withinHorizon = (d: Dataset): Dataset => ({
  ...d,
  winners: new Map([...d.winners].filter(([, e]) => e.received_at.slice(0, 10) >= horizonStart)),
});

beforeAll(async () => {
  await resetDatabase();
  config = { ...testConfig(await freshBucket()), sealSecret: SEAL_SECRET };
  s3 = new S3(config.s3);
  duck = await openDuck({ memoryLimit: "256MB", tempDir: join(scratch, "duck") });
  dataset = buildDataset();
  for (const [key, body] of dataset.objects) await s3.put(key, body, JSONL);
});

afterAll(async () => {
  duck.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("the incremental ETL over a generated data set", () => {
  it("absorbs everything that arrived within the horizon in one run: the mart is exact", async () => {
    const outcomes = await runQueued();
    expect(outcomes.filter((o) => o.status !== "done")).toEqual([]);
    expect(await martRows()).toEqual(expectedMart(withinHorizon(dataset)));

    const weekAgo = addDays(today, -7);
    const perDay = new Map<string, number>();
    for (const row of expectedMart(withinHorizon(dataset))) {
      if (row.event_date >= weekAgo) perDay.set(row.event_date, (perDay.get(row.event_date) ?? 0) + row.cnt);
    }
    const q1 = await query<{ event_date: Date; total_events: string }>(SEED_QUERY_1);
    expect(
      q1.map((r) => [
        utcDay(new Date(r.event_date.getTime() - r.event_date.getTimezoneOffset() * 60_000)),
        Number(r.total_events),
      ]),
    ).toEqual([...perDay].sort());
    const q2 = await query<{ user_id: string; events_last_30d: string }>(SEED_QUERY_2);
    expect(q2).toHaveLength(5);
  });

  it("rebuilds a day beyond the horizon from its bronze when asked (run --date)", async () => {
    const old = dataset.eventDays[0] as string;
    expect(old < horizonStart).toBe(true);
    const outcomes = await withEtl((etl) => etl.runDays([addDays(old, 3)]));
    expect(outcomes.filter((o) => o.status !== "done")).toEqual([]);
    expect(await martRows()).toEqual(expectedMart(dataset));
  });

  it("writes silver with the contract's columns, one row per id, each event in its own event_date", async () => {
    for (const day of dataset.eventDays) {
      const files = await silverFiles(day);
      expect(files.length, day).toBeGreaterThan(0);
      const path = join(scratch, "schema.parquet");
      await writeFile(path, await s3.getBytes((files[0] as { key: string }).key));
      const schema = (await duck.connection.runAndReadAll(`DESCRIBE SELECT * FROM '${path}'`)).getRowObjectsJson();
      expect(schema.map((c) => [c.column_name, c.column_type])).toEqual(SILVER_COLUMNS.map((c) => [c.name, c.type]));
      const expected = [...dataset.winners.values()]
        .filter((e) => e.ts.startsWith(day))
        .map((e) => ({ id: e.id, ts: e.ts, event_date: day, user_id: e.username, props: JSON.stringify(e.props) }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      const rows = (await silverRows(day)).map(({ id, ts, event_date, user_id, props }) => ({
        id,
        ts,
        event_date,
        user_id,
        props,
      }));
      expect(rows, day).toEqual(expected);
    }
  });

  it("keeps every rejected line beside its object, with its line number and reason", async () => {
    for (const [key, lines] of dataset.rejects) {
      const records = (await s3.getText(etlRejectsKey(key)))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as RejectRecord);
      expect(records.map((r) => r.line)).toEqual(lines);
      for (const record of records) {
        expect(record).toMatchObject({ stage: "etl", object: key });
        expect(record.reason).toMatch(
          /^(not JSON|id must be a UUID|type must be one of|type login is emitted|ts is more than 30 days)/,
        );
      }
    }
    const absorbed = await query<{ n: string }>("SELECT count(*) AS n FROM etl.bronze_objects");
    expect(Number(absorbed[0]?.n)).toBe(dataset.objects.size);
  });

  it("exports the mart and a manifest of every current silver file", async () => {
    const manifest = JSON.parse(await s3.getText(EXPORT_KEYS.manifest)) as Manifest;
    const files = await silverFiles();
    expect(manifest.files.map((f) => f.key).sort()).toEqual(
      [EXPORT_KEYS.dailyEvents, ...GOLD_MART_NAMES.map(goldMartKey), ...files.map((f) => f.key)].sort(),
    );
    const listed = new Map((await s3.listObjects("")).map((o) => [o.key, o.size]));
    for (const file of manifest.files) expect(listed.get(file.key)).toBe(file.bytes);
    // At rest, the silver prefix holds exactly the current files.
    expect((await s3.list("silver/")).sort()).toEqual(files.map((f) => f.key).sort());
  });

  it("changes no byte when run again with nothing new", async () => {
    const before = { mart: await martRows(), objects: await outputs() };
    const outcomes = await runQueued();
    expect(outcomes).toMatchObject([{ day: today, status: "done", counts: { bronze_lines: 0 } }]);
    expect(await martRows()).toEqual(before.mart);
    expect(await outputs()).toEqual(before.objects);
  });

  it("adds late events to their own days only, as small files, and drops a copy re-sent ten days later", async () => {
    const target = [addDays(today, -2), addDays(today, -3), addDays(today, -10)];
    const untouched = new Map(
      (await silverFiles()).filter((f) => !target.includes(f.day)).map((f) => [f.key, f.day] as const),
    );
    const filesBefore = await Promise.all(target.map(async (d) => (await silverFiles(d)).length));
    const resent = [...dataset.winners.values()].find((e) => e.ts.startsWith(target[2] as string) && e.username);
    if (!resent) throw new Error("the data set has no event to re-send");
    const now = new Date();
    const late = target.map((day, i) => ({
      id: uuidv7(Date.parse(`${day}T12:00:00Z`) + i),
      type: "page_view",
      ts: `${day}T12:00:0${i}.000Z`,
      client_ts: `${day}T12:00:0${i}.000Z`,
      username: "late-learner",
      props: { path: `/late/${i}` },
      received_at: now.toISOString(),
      source: "web",
    }));
    const copy = { ...resent, received_at: now.toISOString() };
    const key = bronzeObjectKey(now, crypto.randomUUID());
    await s3.put(key, [...late, copy].map((l) => `${JSON.stringify(l)}\n`).join(""), JSONL);
    const martBefore = await martRows();

    const outcomes = await runQueued();
    expect(outcomes.filter((o) => o.status !== "done")).toEqual([]);
    expect(outcomes.map((o) => o.day).sort()).toEqual([...new Set([...target, today])].sort());
    const mart = await martRows();
    expect(mart).toEqual(
      [...martBefore, ...target.map((day) => ({ event_date: day, user_id: "late-learner", cnt: 1 }))].sort((a, b) =>
        a.event_date + a.user_id < b.event_date + b.user_id ? -1 : 1,
      ),
    );
    // The export, patched with the late days alone, holds the mart as it now is.
    expect(await exportedMart()).toEqual(mart);
    // One small file more in each late day's partition; every other day's files are as they were.
    expect(await Promise.all(target.map(async (d) => (await silverFiles(d)).length))).toEqual(
      filesBefore.map((n) => n + 1),
    );
    for (const [fileKey, day] of untouched) expect((await silverFiles(day)).map((f) => f.key)).toContain(fileKey);
    const rows = await silverRows(target[2] as string);
    expect(rows.filter((r) => r.id === resent.id)).toMatchObject([{ received_at: resent.received_at }]);
    const runs = await query<{ duplicates: string; bronze_lines: string }>(
      "SELECT duplicates, bronze_lines FROM etl.runs WHERE event_date = $1 ORDER BY attempt DESC LIMIT 1",
      [target[2]],
    );
    expect(runs[0]).toMatchObject({ bronze_lines: "2", duplicates: "1" });
  });

  it("rebuilds a day from scratch to the same rows as the incremental runs made", async () => {
    const day = addDays(today, -10);
    expect((await silverFiles(day)).length).toBeGreaterThan(1);
    const incremental = await silverRows(day);
    const martBefore = await martRows();
    const outcomes = await withEtl((etl) => etl.runDays([day]));
    expect(outcomes.filter((o) => o.status !== "done")).toEqual([]);
    expect(await silverFiles(day)).toHaveLength(1);
    expect(await silverRows(day)).toEqual(incremental);
    expect(await martRows()).toEqual(martBefore);
    // Again: the same bytes as the file it replaces, which the cache already holds.
    expect((await withEtl((etl) => etl.runDays([day]))).filter((o) => o.status !== "done")).toEqual([]);
    expect(await silverRows(day)).toEqual(incremental);
  });

  it("fails a run whose bronze object is gone with an error naming it, and converges once it is back", async () => {
    const day = addDays(today, -10);
    const rows = await silverRows(day);
    const held = await query<{ key: string }>(
      "SELECT key FROM etl.bronze_objects WHERE $1::date = ANY(event_dates) ORDER BY key",
      [day],
    );
    expect(held.length).toBeGreaterThan(2);
    // The first in key order: its download fails while the others' are under way.
    const gone = (held[0] as { key: string }).key;
    const body = await s3.getBytes(gone);
    await s3.delete(gone);
    const failed = await withEtl((etl) => etl.runDays([day]));
    expect(failed).toMatchObject([
      { day, status: "failed", error: expect.stringContaining(`${gone} answered HTTP 404`) },
    ]);
    expect(await silverRows(day)).toEqual(rows);

    await s3.put(gone, body, JSONL);
    expect((await withEtl((etl) => etl.runDays([day]))).filter((o) => o.status !== "done")).toEqual([]);
    expect(await silverRows(day)).toEqual(rows);
  });

  it("lists for a rebuild only the bronze days that can hold its day: an object put into an older day waits for the sweep", async () => {
    const older = addDays(today, -20);
    const receivedAt = new Date(`${older}T12:00:00Z`);
    const event = {
      id: uuidv7(receivedAt.getTime() - 1000),
      type: "page_view",
      ts: `${older}T11:59:59.000Z`,
      username: "sweep-learner",
      props: { path: "/older" },
      received_at: receivedAt.toISOString(),
      source: "web",
    };
    const key = bronzeObjectKey(receivedAt, crypto.randomUUID());
    await s3.put(key, `${JSON.stringify(event)}\n`, JSONL);
    const absorbed = async () =>
      (await query<{ key: string }>("SELECT key FROM etl.bronze_objects WHERE key = $1", [key])).length;

    const rebuilt = await withEtl((etl) => etl.runDays([addDays(today, -2)]));
    expect(rebuilt.filter((o) => o.status !== "done")).toEqual([]);
    expect(await absorbed()).toBe(0);

    await enqueueRun({ query }, today, "sweep");
    const swept = await withEtl((etl) => etl.runPending());
    expect(swept.filter((o) => o.status !== "done")).toEqual([]);
    expect(await absorbed()).toBe(1);
    expect((await martRows()).filter((r) => r.user_id === "sweep-learner")).toEqual([
      { event_date: older, user_id: "sweep-learner", cnt: 1 },
    ]);
  });

  it("converges after a run stopped after its upload, or after its publish", async () => {
    for (const stop of ["afterSilverUpload", "afterPublish"] as const) {
      const day = addDays(today, -1);
      const event = {
        id: uuidv7(Date.now()),
        type: "page_view",
        ts: `${day}T13:00:00.000Z`,
        username: "stopper",
        props: { path: `/${stop}` },
        received_at: new Date().toISOString(),
        source: "web",
      };
      await s3.put(bronzeObjectKey(new Date(), crypto.randomUUID()), `${JSON.stringify(event)}\n`, JSONL);
      const stopped = await runQueued({
        hooks: {
          [stop]: () => {
            throw new Error(`injected stop ${stop}`);
          },
        },
      });
      expect(stopped).toMatchObject([{ status: "failed", error: `injected stop ${stop}` }]);
      const next = await runQueued();
      expect(next.length).toBeGreaterThan(0);
      expect(next.filter((o) => o.status !== "done")).toEqual([]);
      const count = (await martRows()).find((r) => r.event_date === day && r.user_id === "stopper")?.cnt;
      expect(count).toBe(stop === "afterSilverUpload" ? 1 : 2);
      expect((await s3.list("silver/")).sort()).toEqual((await silverFiles()).map((f) => f.key).sort());
      expect(await query("SELECT * FROM etl.silver_garbage")).toEqual([]);
      // A run stopped after its publish left the export behind: the next one writes it whole.
      expect(await exportedMart()).toEqual(await martRows());
    }
  });
});

describe("content that cannot be read never stops a run", () => {
  it("rejects the bad lines of a foreign object (invalid UTF-8, a truncated last line) and keeps its good ones", async () => {
    const day = addDays(today, -4);
    const good = (n: number) =>
      JSON.stringify({
        id: uuidv7(Date.parse(`${day}T08:00:00Z`) + n),
        type: "page_view",
        ts: `${day}T08:00:0${n}.000Z`,
        username: "foreign",
        props: { path: `/good/${n}` },
        received_at: `${day}T08:00:0${n}.500Z`,
        source: "web",
      });
    // Line 2 is JSON but for one byte that is not UTF-8 inside a string; line 3 has a NUL byte; the
    // last line is cut short.
    const [before, after] = good(2).split("/good/2") as [string, string];
    const body = Buffer.concat([
      Buffer.from(`${good(1)}\n${before}/bad`),
      Buffer.from([0xff]),
      Buffer.from(`${after}\n${good(5).replace("/good/5", "/nul\u0000")}\n${good(3)}\n${good(4).slice(0, 40)}`),
    ]);
    const key = `bronze/app/${today.replaceAll("-", "/")}/from-another-writer.jsonl`;
    await s3.put(key, new Uint8Array(body), JSONL);
    const outcomes = await runQueued();
    expect(outcomes.filter((o) => o.status !== "done")).toEqual([]);
    expect((await martRows()).find((r) => r.event_date === day && r.user_id === "foreign")?.cnt).toBe(2);
    const rejects = (await s3.getText(etlRejectsKey(key)))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as RejectRecord);
    expect(rejects.map((r) => r.line)).toEqual([2, 3, 5]);
    expect(rejects[0]?.reason).toMatch(/UTF-8/);
  });

  it("checks again every line of an object DuckDB refused (sealed over a lone surrogate, or with a duplicate key)", async () => {
    const day = addDays(today, -5);
    const now = new Date();
    const line = (n: number, path: string) =>
      `{"id":"${uuidv7(now.getTime() + n)}","type":"page_view","ts":"${day}T09:00:0${n}.000Z","username":"refused","props":{"path":"${path}"},"received_at":"${now.toISOString()}","source":"web"}\n`;
    const root = await bronzeSealKey(SEAL_SECRET);
    const put = async (body: string, sealed: boolean) => {
      const key = bronzeObjectKey(now, crypto.randomUUID());
      const bytes = new TextEncoder().encode(body) as Uint8Array<ArrayBuffer>;
      await s3.put(key, bytes, JSONL, sealed ? { [SEAL_HEADER]: await sealBronze(root, key, bytes) } : {});
      return key;
    };
    // Sealed, so taken as checked, yet DuckDB refuses its lone surrogate: a worker bug must not stop the pipeline.
    const sealed = await put(line(1, "/ok") + line(2, "/\\ud800"), true);
    // JSON.parse keeps the last of two keys and finds the line canonical; DuckDB refuses it.
    await put(line(3, "/first").replace('"props":', '"props":{"path":"/dropped"},"props":'), false);
    const outcomes = await runQueued();
    expect(outcomes.filter((o) => o.status !== "done")).toEqual([]);
    expect((await martRows()).find((r) => r.event_date === day && r.user_id === "refused")?.cnt).toBe(2);
    const rejects = (await s3.getText(etlRejectsKey(sealed)))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rejects).toMatchObject([
      { stage: "etl", object: sealed, line: 2, reason: expect.stringMatching(/lone surrogate/) },
    ]);
    const ledger = await query<{ quarantined: boolean }>("SELECT quarantined FROM etl.bronze_objects WHERE key = $1", [
      sealed,
    ]);
    expect(ledger).toEqual([{ quarantined: false }]);
  });
});

describe("etl run on a day without bronze", () => {
  it("publishes nothing and succeeds", async () => {
    const outcomes = await withEtl((etl) => etl.runDays(["2001-01-01"]));
    expect(outcomes.filter((o) => o.day === "2001-01-01")).toMatchObject([
      { day: "2001-01-01", status: "done", counts: { silver_rows: 0, bronze_lines: 0 } },
    ]);
    expect(await s3.list("silver/events/event_date=2001-01-01/")).toEqual([]);
  });
});
