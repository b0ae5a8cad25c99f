import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  addDays,
  bronzeDayOf,
  bronzeDaysOf,
  etlRejectsKey,
  horizonDays,
  type RejectRecord,
  type RunRow,
  type S3,
  type S3Object,
  silverFileKey,
  unabsorbedBronze,
  utcDay,
  uuidv7,
} from "@growit/contract";
import type pg from "pg";
import { type FetchedObject, type FetchProgress, fetchBronze } from "./bronze-fetch.ts";
import type { Duck } from "./duck.ts";
import { eachLimited } from "./each-limited.ts";
import { countErasedLines, erasedNames, namesLearner, rewriteWithout, sealRootOf } from "./erasure.ts";
import { refreshExports } from "./exports.ts";
import { type GoldDay, goldRows } from "./gold.ts";
import { checkObject, objectReject } from "./line-check.ts";
import {
  type BronzeFile,
  bronzeFileName,
  dropErasedCopies,
  type ExistingFile,
  loadCopies,
  type MergedDay,
  mergeCopies,
  objectContents,
} from "./merge.ts";
import { queryable } from "./postgres.ts";
import { type AbsorbedObject, type DayRun, type Publication, publish, type RecordedRun } from "./publish.ts";
import { type SilverCache, type SilverFileRecord, sidecarOf } from "./silver-cache.ts";
import { uploadFile } from "./upload-file.ts";

/** Points where tests stop a run on purpose, to check that the next run converges. */
export interface RunHooks {
  /** After the new silver files are uploaded, before anything is published. */
  afterSilverUpload?: () => Promise<void> | void;
  /** After the publishing transaction commits, before superseded files are deleted. */
  afterPublish?: () => Promise<void> | void;
  /** After an erasure rewrote one bronze or rejects object and counted what it removed. */
  afterErasedObject?: () => Promise<void> | void;
}

export interface AbsorbContext {
  s3: S3;
  /** A client of the pool holding the silver writer's lock; everything is published through it. */
  client: pg.PoolClient;
  duck: Duck;
  cache: SilverCache;
  /** Scratch space; the run works in a subdirectory of its own and removes it. */
  tempDir: string;
  downloadConcurrency: number;
  /** See EtlConfig.sealSecret. */
  sealSecret?: string;
  /** Names this process in the runs it records. */
  worker: string;
  hooks?: RunHooks;
  onProgress?: (progress: FetchProgress) => void;
  now?: () => Date;
}

/**
 * Seconds spent in each stage of a run. The stages follow one another, but for the uploads, which
 * go on beside publish once gold is computed (publishing waits for them before it commits), and
 * gold, which goes on beside publishing's first statements: publish is the time it takes beyond gold.
 */
export type StageSeconds = Record<"fetch" | "merge" | "gold" | "upload" | "publish" | "exports", number>;

export interface AbsorbResult {
  /** Each day the run recorded, with its attempt and counts; the run's own day first. */
  days: Array<{ day: string } & RecordedRun>;
  stages: StageSeconds;
  /** The whole run, from its fetch to its exports. */
  seconds: number;
  sealedObjects: number;
}

const JSONL = "application/x-ndjson";
const PARQUET = "application/vnd.apache.parquet";

/** Deletes the silver objects etl.silver_garbage names: superseded files, and uploads no run published. */
export async function collectGarbage(s3: S3, client: pg.PoolClient, concurrency: number): Promise<void> {
  const garbage = await client.query<{ object_key: string }>("SELECT object_key FROM etl.silver_garbage");
  const keys = garbage.rows.map((r) => r.object_key);
  // Their names go only once every object is deleted: a deletion that failed is tried again next run.
  await eachLimited(keys, concurrency, (key) => s3.delete(key));
  if (keys.length > 0) await client.query("DELETE FROM etl.silver_garbage WHERE object_key = ANY($1)", [keys]);
}

/**
 * The event dates whose published ids a new copy may repeat: the horizon, and the day either side
 * of it (an event may lie a little in the future, or have been received just before midnight).
 */
const indexedDays = (today: string): string[] => [
  addDays(horizonDays(today)[0] as string, -1),
  ...horizonDays(today),
  addDays(today, 1),
];

async function silverFilesOf(client: pg.PoolClient, days: readonly string[]): Promise<SilverFileRecord[]> {
  const result = await client.query<SilverFileRecord>(
    `SELECT object_key AS key, to_char(event_date, 'YYYY-MM-DD') AS day, bytes::float8 AS bytes, rows::float8 AS rows, sha256
     FROM etl.silver_files WHERE event_date = ANY($1::date[]) ORDER BY object_key`,
    [days],
  );
  return result.rows;
}

/** Which of `days` the gold marts hold the state of whole (etl.gold_days). */
async function daysWithGold(client: pg.PoolClient, days: readonly string[]): Promise<Set<string>> {
  const result = await client.query<{ day: string }>(
    "SELECT to_char(event_date, 'YYYY-MM-DD') AS day FROM etl.gold_days WHERE event_date = ANY($1::date[])",
    [days],
  );
  return new Set(result.rows.map((r) => r.day));
}

/** What the ETL writes for the rejected lines of one object, or for an object it could not read at all. */
function rejectsOf(object: FetchedObject, quarantine: string | undefined, rejectedAt: string): RejectRecord[] {
  if (quarantine === undefined) return object.rejects;
  const reason = `object could not be read, so none of its lines were used: ${quarantine}`;
  return [...object.rejects, objectReject(object.key, rejectedAt, reason)];
}

/**
 * Brings silver, the mart and the exports up to date with every bronze object not absorbed yet,
 * and for a rebuild also remakes `run.day` from all of its bronze. The work follows what arrived:
 * only the new objects are read, only the partitions of the dates their events fall on are
 * touched, and only the id index's buckets of their ids are looked into. Every step before the
 * publishing transaction can be redone: a run killed anywhere converges on the next one.
 */
export async function absorb(context: AbsorbContext, run: RunRow): Promise<AbsorbResult> {
  const started = performance.now();
  let mark = started;
  const lap = () => {
    const now = performance.now();
    const seconds = Math.round(now - mark) / 1000;
    mark = now;
    return seconds;
  };
  const { s3, client, duck, cache } = context;
  const now = context.now?.() ?? new Date();
  await collectGarbage(s3, client, context.downloadConcurrency);
  // A rebuild lists what arrived and the bronze days that can hold its day, not the whole horizon:
  // objects put into other older days wait for the cron's daily sweep, as they would without it.
  const arrived = await unabsorbedBronze(s3, queryable(client), {
    now,
    sweep: run.mode === "sweep",
    ...(run.mode === "rebuild" ? { alsoDays: bronzeDaysOf(run.day, utcDay(now)) } : {}),
  });
  const isNew = new Set(arrived.map((o) => o.key));
  const rebuildKeys = run.mode === "rebuild" ? (await silverFilesOf(client, [run.day])).map((f) => f.key) : [];
  const again: S3Object[] =
    run.mode === "rebuild"
      ? (
          await client.query<{ key: string; bytes: string }>(
            "SELECT key, bytes FROM etl.bronze_objects WHERE $1::date = ANY(event_dates) AND NOT quarantined",
            [run.day],
          )
        ).rows
          .filter((o) => !isNew.has(o.key))
          .map((o) => ({ key: o.key, size: Number(o.bytes), etag: "", lastModified: now }))
      : [];
  const objects = [...arrived, ...again].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const dir = join(context.tempDir, `run-${run.day}-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  // Work that goes on beside the publication: waited for before the run's folder is removed and
  // DuckDB is used again, whatever fails first.
  const beside: Promise<void>[] = [];
  try {
    const fetched = await fetchBronze({
      s3,
      objects,
      dir,
      concurrency: context.downloadConcurrency,
      ...(context.sealSecret ? { sealSecret: context.sealSecret } : {}),
      ...(context.onProgress ? { onProgress: context.onProgress } : {}),
    });
    const fetchSeconds = lap();
    // A cold cache (a new machine) downloads every published file of the horizon: as many at once
    // as bronze objects, not all of them.
    const cached = async (records: readonly SilverFileRecord[]): Promise<ExistingFile[]> => {
      const files: ExistingFile[] = [];
      await eachLimited(records, context.downloadConcurrency, async (file, index) => {
        const path = await cache.pathOf(s3, file);
        files[index] = { key: file.key, day: file.day, path, sidecar: sidecarOf(path) };
      });
      return files;
    };
    const files: BronzeFile[] = fetched.objects.flatMap((o, index) =>
      o.file !== null ? [{ index, key: o.key, path: o.file }] : [],
    );
    const rejectedAt = new Date().toISOString();
    // An object DuckDB refused although its lines passed (a seal over a line DuckDB cannot store, a
    // duplicate key): checked again from its stored bytes, every line put in normal form.
    const loaded = await loadCopies(duck.connection, dir, files, async ({ index, key }) => {
      const { usable, ...checked } = checkObject({ key, bytes: await s3.getBytes(key), rejectedAt, normalize: true });
      const object = fetched.objects[index] as FetchedObject;
      Object.assign(object, checked);
      delete object.uncounted;
      if (checked.usableLines === 0) return null;
      await mkdir(join(dir, "normalized"), { recursive: true });
      const path = bronzeFileName(join(dir, "normalized"), index);
      await writeFile(path, usable);
      return path;
    });
    for (const [index, object] of fetched.objects.entries()) {
      if (object.uncounted) object.lines = object.usableLines = loaded.lines.get(index) ?? 0;
    }
    // A device still sending as an erased learner: its lines are dropped and taken out of bronze.
    const erased = await erasedNames(client, now);
    const dropped = await dropErasedCopies(duck.connection, erased);
    const erasedNameList = erased.map((e) => e.username);
    const rewrite = { s3, sealRoot: dropped.objects.size > 0 ? await sealRootOf(context.sealSecret) : null };
    for (const index of dropped.objects) {
      const object = fetched.objects[index] as FetchedObject;
      const { left } = await rewriteWithout(rewrite, object.key, erasedNameList, JSONL);
      object.bytes = left?.bytes ?? 0;
      object.lines = left?.lines ?? 0;
    }
    // The ledger records the dates of the lines an object still holds, which a rebuild of them reads:
    // one an erased learner's lines were dropped from may hold fewer, or be gone.
    const eventDates =
      dropped.objects.size > 0 ? (await objectContents(duck.connection)).eventDates : loaded.eventDates;
    await countErasedLines(client, dropped.byLearner);
    const merged: MergedDay[] =
      files.length > 0 || run.mode === "rebuild"
        ? await mergeCopies({
            connection: duck.connection,
            dir,
            existingFiles: async (days) => {
              const byDay = new Map<string, ExistingFile[]>();
              for (const file of await cached(await silverFilesOf(client, days))) {
                byDay.set(file.day, [...(byDay.get(file.day) ?? []), file]);
              }
              return byDay;
            },
            indexedFiles: async () => cached(await silverFilesOf(client, indexedDays(utcDay(now)))),
            ...(run.mode === "rebuild" ? { rebuild: { day: run.day, keys: rebuildKeys } } : {}),
          })
        : [];
    const mergeSeconds = lap();

    const rejected = fetched.objects.map((o, index) =>
      rejectsOf(o, loaded.quarantined.get(index), rejectedAt).filter(
        (r) => !erasedNameList.some((name) => namesLearner(JSON.stringify(r), name)),
      ),
    );
    const written = merged.flatMap((m) =>
      m.file ? [{ day: m.day, file: m.file, key: silverFileKey(m.day, uuidv7()) }] : [],
    );
    // Named before they are uploaded, so that the uploads of a run that never publishes are deleted later.
    if (written.length > 0) {
      await client.query(
        "INSERT INTO etl.silver_garbage (object_key) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
        [written.map((w) => w.key)],
      );
    }

    // A day only added to (its partition compacted or not) brings its gold marts up to date from
    // the rows the run added alone, when they hold the day's state whole; every other day whose
    // silver changed is computed again whole.
    // DuckDB computes them while Postgres runs the publication's first statements.
    const changed = merged.filter((m) => m.file || m.replaces.length > 0);
    const withGold = await daysWithGold(
      client,
      changed.map((m) => m.day),
    );
    const goldStarted = performance.now();
    let goldSeconds = 0;
    const gold = goldRows(
      duck.connection,
      changed.map(
        (m): GoldDay =>
          m.added && withGold.has(m.day)
            ? { day: m.day, mode: "add", files: [m.added] }
            : { day: m.day, mode: "replace", files: m.silverFiles },
      ),
    ).then((rows) => {
      goldSeconds = Math.round(performance.now() - goldStarted) / 1000;
      return rows;
    });
    beside.push(settled(gold));

    // The uploads start once DuckDB has computed the gold rows, which then have the cores they share
    // with Postgres running the publication's first statements; the uploads go on while Postgres
    // publishes those rows, on one core, and the publication commits only once they are stored.
    // When gold fails the run fails before it publishes, and nothing is uploaded.
    const uploaded = gold.then(async () => {
      const started = performance.now();
      await eachLimited(
        [...fetched.objects.keys()].filter((index) => (rejected[index]?.length ?? 0) > 0),
        context.downloadConcurrency,
        async (index) => {
          const lines = (rejected[index] as RejectRecord[]).map((r) => `${JSON.stringify(r)}\n`).join("");
          await s3.put(etlRejectsKey((fetched.objects[index] as FetchedObject).key), lines, JSONL);
        },
      );
      await eachLimited(written, context.downloadConcurrency, (w) =>
        uploadFile(s3, w.key, { path: w.file.path, bytes: w.file.bytes, sha256: w.file.sha256, contentType: PARQUET }),
      );
      await context.hooks?.afterSilverUpload?.();
      return Math.round(performance.now() - started) / 1000;
    });
    beside.push(settled(uploaded));

    const absorbed: AbsorbedObject[] = fetched.objects.flatMap((o, index) =>
      isNew.has(o.key)
        ? [
            {
              key: o.key,
              bytes: o.bytes,
              lines: o.lines,
              rejected: rejected[index]?.length ?? 0,
              quarantined: loaded.quarantined.has(index),
              eventDates: eventDates.get(index) ?? [],
            },
          ]
        : [],
    );
    const publication: Publication = {
      runId: run.id,
      worker: context.worker,
      files: written.map((w) => ({
        key: w.key,
        day: w.day,
        bytes: w.file.bytes,
        rows: w.file.rows,
        sha256: w.file.sha256,
      })),
      superseded: merged.flatMap((m) => m.replaces),
      gold,
      mart: merged.map((m) => ({ day: m.day, ...m.mart })).filter((m) => m.mode === "replace" || m.userIds.length > 0),
      objects: absorbed,
      runs: dayRuns(run.day, merged, absorbed),
      startedAt: started,
    };
    let uploadSeconds = 0;
    const published = await publish(client, publication, {
      beforeCommit: async () => {
        uploadSeconds = await uploaded;
      },
    });
    await context.hooks?.afterPublish?.();
    for (const w of written) await cache.adopt(w.file);
    await collectGarbage(s3, client, context.downloadConcurrency);
    // Gold went on beside the publication's first statements: the stage is the rest of it.
    const publishSeconds = Math.max(0, lap() - goldSeconds);
    await refreshExports({
      client,
      connection: duck.connection,
      s3,
      dir,
      published,
    });
    if (published.generation !== null) {
      const current = await client.query<{ sha256: string }>("SELECT sha256 FROM etl.silver_files");
      await cache.prune(new Set(current.rows.map((r) => r.sha256)));
    }
    const stages = {
      fetch: fetchSeconds,
      merge: mergeSeconds,
      gold: goldSeconds,
      upload: uploadSeconds,
      publish: publishSeconds,
      exports: lap(),
    };
    const days = [...published.runs].map(([day, recordedRun]) => ({ day, ...recordedRun }));
    return {
      days,
      stages,
      seconds: Math.round(performance.now() - started) / 1000,
      sealedObjects: fetched.sealedObjects,
    };
  } finally {
    await Promise.all(beside);
    await rm(dir, { recursive: true, force: true });
  }
}

/** `work` once it has settled, whatever its outcome; a failure no one awaits yet is then not unhandled. */
const settled = (work: Promise<unknown>): Promise<void> =>
  work.then(
    () => {},
    () => {},
  );

/**
 * The runs to record: the run's own day, every event date the merge touched, and every bronze day
 * an absorbed object arrived in (its rejects and bytes are counted there).
 */
function dayRuns(own: string, merged: readonly MergedDay[], absorbed: readonly AbsorbedObject[]): DayRun[] {
  const runs = new Map<string, DayRun>();
  const runOf = (day: string) => {
    let entry = runs.get(day);
    if (!entry) {
      entry = { day, bronze_objects: 0, bronze_lines: 0, rejected: 0, duplicates: 0, bytes: 0 };
      runs.set(day, entry);
    }
    return entry;
  };
  runOf(own);
  for (const m of merged) {
    const entry = runOf(m.day);
    entry.bronze_lines += m.copies;
    entry.duplicates += m.duplicates;
  }
  for (const o of absorbed) {
    const entry = runOf(bronzeDayOf(o.key) ?? own);
    entry.bronze_objects++;
    entry.rejected += o.rejected;
    entry.bytes += o.bytes;
  }
  return [...runs.values()];
}
