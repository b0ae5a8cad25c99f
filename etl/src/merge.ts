import { readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SILVER_COLUMNS, SILVER_ROW_GROUP_ROWS, SILVER_SORT, type SilverColumn, sqlString } from "@growit/contract";
import { COPY_FIELDS, winningRowsSql } from "./dedupe.ts";
import { sha256Of } from "./silver-cache.ts";

/**
 * Where the lines of the `index`-th bronze object (in key order) go: the number in the name is
 * the copy's tie-break, so DuckDB never holds the key itself for every line. DuckDB decompresses a
 * file named `.gz` as it reads it.
 */
export const bronzeFileName = (dir: string, index: number, options: { compressed?: boolean } = {}): string =>
  join(dir, `${String(index).padStart(8, "0")}.jsonl${options.compressed ? ".gz" : ""}`);

/** Every file bronzeFileName names in `dir`, compressed or not. */
const bronzeFiles = (dir: string) => join(dir, "*.jsonl*");

/** The bronze envelope fields DuckDB reads, typed; props stays JSON text. */
const BRONZE_COLUMNS =
  "{id: 'VARCHAR', type: 'VARCHAR', ts: 'TIMESTAMP', client_ts: 'TIMESTAMP', username: 'VARCHAR', props: 'JSON', received_at: 'TIMESTAMP', source: 'VARCHAR'}";

/** DuckDB's reader of bronze files (a path or glob), with each line's file name as `filename`. */
export const readBronzeSql = (files: string): string =>
  `read_json(${sqlString(files)}, format = 'newline_delimited', columns = ${BRONZE_COLUMNS}, filename = true)`;

/** A copy as the merge handles it, from read_json's rows. */
const COPY_SELECT = `CAST(id AS UUID) AS id, type, ts, client_ts, username AS user_id, CAST(props AS VARCHAR) AS props,
  received_at, source, CAST(regexp_extract(filename, '(\\d+)\\.jsonl(\\.gz)?$', 1) AS INTEGER) AS object_order`;

const COPIES_TABLE = `CREATE OR REPLACE TEMP TABLE copies (id UUID, type VARCHAR, ts TIMESTAMP, client_ts TIMESTAMP,
  user_id VARCHAR, props VARCHAR, received_at TIMESTAMP, source VARCHAR, object_order INTEGER)`;

/** How each silver column is made from a row in copy form (the winning copy, with its object's key). */
const SILVER_EXPRESSIONS: Record<SilverColumn, string> = {
  id: "CAST(id AS VARCHAR)",
  type: "type",
  ts: "ts",
  client_ts: "client_ts",
  event_date: "CAST(ts AS DATE)",
  user_id: "user_id",
  props: "props",
  category: "props ->> 'category'",
  query: "props ->> 'query'",
  anonymous_id: "props ->> 'anonymous_id'",
  session_id: "props ->> 'session_id'",
  received_at: "received_at",
  source: "source",
  bronze_object: "bronze_object",
};

/** The select list of a silver row, from a relation in copy form. */
export const SILVER_SELECT = SILVER_COLUMNS.map((c) => `${SILVER_EXPRESSIONS[c.name]} AS ${c.name}`).join(", ");

/** A row of a silver file read back in copy form. */
const SILVER_AS_COPY = `CAST(id AS UUID) AS id, ${COPY_FIELDS.join(", ")}, bronze_object`;

/**
 * The bucket of the id index an id belongs to: the UTC day a UUIDv7 was made on, as days since
 * 1970 (the SDK and the worker make UUIDv7s), else -1, one bucket for every other id. Any function of the id alone would find
 * every copy of it; this one keeps each run's lookups to the days its new ids were made on.
 */
const ID_BUCKET = (id: string) =>
  `CASE WHEN uuid_extract_version(${id}) = 7 THEN epoch_ms(uuid_extract_timestamp(${id})) // 86400000 ELSE -1 END`;

/**
 * A silver file's sidecar: its ids, with what decides a duplicate, as a folder of one Parquet file
 * per id bucket (`bucket=<b>/data_0.parquet`), kept beside the file in the local cache.
 */
const SIDECAR_SELECT = `CAST(id AS UUID) AS id, CAST(ts AS DATE) AS event_date, received_at, bronze_object,
  ${ID_BUCKET("CAST(id AS UUID)")} AS bucket`;
const SIDECAR_FORMAT = "FORMAT parquet, COMPRESSION uncompressed, PARTITION_BY (bucket)";

/** The file of one bucket in a sidecar folder. */
const bucketFile = (sidecar: string, bucket: string) => join(sidecar, `bucket=${bucket}`, "data_0.parquet");

/**
 * The files of `buckets` that a sidecar folder holds. Listed once per folder: late events spread
 * over many days name many buckets, and a check per bucket and file cost more than the lookup.
 */
async function bucketFiles(sidecar: string, buckets: ReadonlySet<string>): Promise<string[]> {
  const held = (await readdir(sidecar)).flatMap((name) => (name.startsWith("bucket=") ? [name.slice(7)] : []));
  return held.filter((bucket) => buckets.has(bucket)).map((bucket) => bucketFile(sidecar, bucket));
}

/** A day's partition is compacted rather than given one more file once it holds this many. */
export const MAX_PARTITION_FILES = 8;

const PARQUET = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${SILVER_ROW_GROUP_ROWS}`;

const list = (paths: readonly string[]) => `[${paths.map(sqlString).join(", ")}]`;
/** `days` as a parenthesized SQL list of DATE literals, for IN. */
const dateList = (days: readonly string[]) => `(${days.map((d) => `DATE ${sqlString(d)}`).join(", ")})`;
const count = (value: unknown): number => Number(value ?? 0);

export interface BronzeFile {
  /** The object's index in key order (the file's number, see bronzeFileName). */
  index: number;
  key: string;
  /** Its file in the directory given to loadCopies. */
  path: string;
}

export interface LoadedCopies {
  /** Objects DuckDB could not read at all, by index, with DuckDB's reason. */
  quarantined: Map<number, string>;
  /** The event dates each loaded object holds, by index. */
  eventDates: Map<number, string[]>;
  /** The lines loaded of each object, by index. */
  lines: Map<number, number>;
}

/**
 * Loads the checked bronze files into the temp table `copies`. One file DuckDB cannot read must
 * not stop the others: when the read of all of them fails, each is read alone; one that fails is
 * handed to `normalize`, which writes its lines again, every one in normal form, to a new file
 * (DuckDB may keep what it read of the old one) and returns that file's path, or null when no line
 * is usable; the new file is read once more, and the object quarantined if it still fails.
 */
export async function loadCopies(
  connection: DuckDBConnection,
  dir: string,
  files: readonly BronzeFile[],
  normalize: (file: BronzeFile) => Promise<string | null> = async () => {
    throw new Error("DuckDB could not read the object, and nothing can normalize it");
  },
) {
  await connection.run("CREATE OR REPLACE TEMP TABLE objects (object_order INTEGER, key VARCHAR)");
  const appender = await connection.createAppender("objects");
  for (const file of files) {
    appender.appendInteger(file.index);
    appender.appendVarchar(file.key);
    appender.endRow();
  }
  appender.closeSync();
  const quarantined = new Map<number, string>();
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE copies AS SELECT ${COPY_SELECT}
      FROM ${readBronzeSql(bronzeFiles(dir))}`);
  } catch {
    await connection.run(COPIES_TABLE);
    const insert = (path: string) =>
      connection.run(`INSERT INTO copies SELECT ${COPY_SELECT} FROM ${readBronzeSql(path)}`);
    for (const file of files) {
      try {
        await insert(file.path);
      } catch {
        try {
          const normalized = await normalize(file);
          if (normalized) await insert(normalized);
        } catch (error) {
          quarantined.set(file.index, error instanceof Error ? error.message : String(error));
        }
      }
    }
  }
  return { quarantined, ...(await objectContents(connection)) } satisfies LoadedCopies;
}

/** The event dates and lines each object holds in `copies`, by index. */
export async function objectContents(
  connection: DuckDBConnection,
): Promise<Pick<LoadedCopies, "eventDates" | "lines">> {
  const dates = await connection.runAndReadAll(`SELECT object_order, CAST(day AS VARCHAR), lines
    FROM (SELECT object_order, CAST(ts AS DATE) AS day, count(*) AS lines FROM copies GROUP BY ALL) ORDER BY ALL`);
  const eventDates = new Map<number, string[]>();
  const lines = new Map<number, number>();
  for (const [order, day, n] of dates.getRows()) {
    eventDates.set(Number(order), [...(eventDates.get(Number(order)) ?? []), day as string]);
    lines.set(Number(order), (lines.get(Number(order)) ?? 0) + count(n));
  }
  return { eventDates, lines };
}

/**
 * Deletes from `copies` the lines of erased learners received before their names were free again
 * (a device still sending after the erasure was asked for), so that none reaches silver; returns
 * the objects that held some, by index, and each learner's lines and objects among them.
 */
export async function dropErasedCopies(
  connection: DuckDBConnection,
  erased: readonly { username: string; until: Date }[],
): Promise<{ objects: Set<number>; byLearner: Map<string, { lines: number; objects: Set<number> }> }> {
  const dropped = { objects: new Set<number>(), byLearner: new Map<string, { lines: number; objects: Set<number> }>() };
  if (erased.length === 0) return dropped;
  const names = erased.map((e) => `(${sqlString(e.username)}, ${timestampLiteral(e.until)})`).join(", ");
  const result = await connection.runAndReadAll(`DELETE FROM copies c USING (VALUES ${names}) e(username, until)
    WHERE c.user_id = e.username AND c.received_at < e.until RETURNING c.object_order, c.user_id`);
  for (const [order, user] of result.getRows()) {
    dropped.objects.add(Number(order));
    const learner = dropped.byLearner.get(user as string) ?? { lines: 0, objects: new Set<number>() };
    learner.lines++;
    learner.objects.add(Number(order));
    dropped.byLearner.set(user as string, learner);
  }
  return dropped;
}

/** A DuckDB TIMESTAMP (UTC, as silver's) of `at`. */
const timestampLiteral = (at: Date) => `TIMESTAMP ${sqlString(at.toISOString().replace("T", " ").replace("Z", ""))}`;

/** A silver file already published, with its local copy and sidecar. */
export interface ExistingFile {
  key: string;
  day: string;
  path: string;
  sidecar: string;
}

/** A file the merge wrote, to upload. */
export interface WrittenSilver {
  path: string;
  sidecar: string;
  bytes: number;
  rows: number;
  sha256: string;
}

export interface MergedDay {
  day: string;
  /** The day's new file, or null when nothing was added. */
  file: WrittenSilver | null;
  /**
   * The local file of the rows the run added to the day, when the day was only added to (its
   * marts are brought up to date from it): the day's new file, or the input of its compaction.
   * Null for a day rewritten whole.
   */
  added: string | null;
  /**
   * Existing files the new one replaces: all of the day's when it was rewritten whole, those it
   * compacted, none when only added to.
   */
  replaces: string[];
  /** Local copies of every silver file the day holds after the merge. */
  silverFiles: string[];
  /** Mart rows: the day's counts (replace) or the counts to add to the day's (add). */
  mart: { mode: "replace" | "add"; userIds: string[]; counts: bigint[] };
  /** Copies of the day's events loaded, and those dropped as duplicates. */
  copies: number;
  duplicates: number;
}

export interface MergeOptions {
  connection: DuckDBConnection;
  /** Scratch directory for the written files. */
  dir: string;
  /** The published files of the days asked for, in the local cache (days without files may be left out). */
  existingFiles(days: readonly string[]): Promise<Map<string, ExistingFile[]>>;
  /** Every published file whose ids a new copy may repeat (those of the horizon), in the local cache. */
  indexedFiles(): Promise<ExistingFile[]>;
  /**
   * Rebuild this day from the loaded copies alone (they must hold every copy of its events),
   * replacing the files named.
   */
  rebuild?: { day: string; keys: readonly string[] };
}

/**
 * Silver files as one relation with every silver column: files written before a column was added
 * (client_ts, bronze_object) read it as NULL.
 */
async function silverRelation(connection: DuckDBConnection, paths: readonly string[]): Promise<string> {
  const files = `read_parquet(${list(paths)}, union_by_name = true)`;
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${files}`);
  const present = new Set(described.getRows().map(([name]) => name as string));
  const columns = SILVER_COLUMNS.map((c) => (present.has(c.name) ? c.name : `CAST(NULL AS ${c.type}) AS ${c.name}`));
  return `(SELECT ${columns.join(", ")} FROM ${files})`;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Builds the sidecar of a silver file when the cache lacks it. */
export async function ensureSidecar(connection: DuckDBConnection, file: { path: string; sidecar: string }) {
  if (await exists(file.sidecar)) return;
  const partial = `${file.sidecar}.${process.pid}.part`;
  await rm(partial, { recursive: true, force: true });
  await connection.run(`COPY (SELECT ${SIDECAR_SELECT} FROM ${await silverRelation(connection, [file.path])})
    TO ${sqlString(partial)} (${SIDECAR_FORMAT})`);
  await rename(partial, file.sidecar);
}

/**
 * Merges the loaded copies into silver: one winner per id (the dedupe rule), checked against every
 * id published within the horizon, whatever its date (a copy re-sent days later, or by a client
 * whose clock was set right in between, is a duplicate), through the id index's buckets of the new
 * ids alone; new winners become one small file per day added to the partition (that would pass
 * MAX_PARTITION_FILES, all of the day's but its largest are compacted with it into one), and a day
 * whose published row lost to a new copy, or that is rebuilt, is rewritten as one file. Only the
 * touched dates' files and the new ids' buckets are read, from the local cache.
 */
export async function mergeCopies(options: MergeOptions): Promise<MergedDay[]> {
  const { connection, dir } = options;
  const rebuildDay = options.rebuild?.day;
  const temps = ["repeated_ids", "losing_copies", "hits", "beaten"];
  let additionsKind: "TABLE" | "VIEW" = "TABLE";
  try {
    const copiesPerDay = new Map(
      (await connection.runAndReadAll("SELECT CAST(CAST(ts AS DATE) AS VARCHAR), count(*) FROM copies GROUP BY ALL"))
        .getRows()
        .map(([day, n]) => [day as string, count(n)]),
    );
    // The losing copies of each repeated id leave `copies`, which then holds the candidates: one
    // winner per id (deleting the few losers costs far less than copying every winner).
    await connection.run(
      "CREATE OR REPLACE TEMP TABLE repeated_ids AS SELECT id FROM copies GROUP BY id HAVING count(*) > 1",
    );
    const repeatedCopies = "(SELECT copies.rowid AS copy_row, copies.* FROM copies SEMI JOIN repeated_ids USING (id))";
    await connection.run(`CREATE OR REPLACE TEMP TABLE losing_copies AS
      SELECT copy_row FROM ${repeatedCopies} EXCEPT ${winningRowsSql(repeatedCopies)}`);
    await connection.run("DELETE FROM copies WHERE rowid IN (SELECT copy_row FROM losing_copies)");
    // Objects stay numbers here; their keys are joined in only where a row is compared or written.
    await connection.run(`CREATE OR REPLACE TEMP VIEW candidates AS
      SELECT id, ${COPY_FIELDS.join(", ")}, object_order, CAST(ts AS DATE) AS event_date FROM copies`);
    const dated = await connection.runAndReadAll(
      `SELECT CAST(event_date AS VARCHAR), ${ID_BUCKET("id")}, count(*) FROM candidates GROUP BY ALL`,
    );
    const candidatesPerDay = new Map<string, number>();
    const bucketSet = new Set<string>();
    for (const [day, bucket, n] of dated.getRows()) {
      candidatesPerDay.set(day as string, (candidatesPerDay.get(day as string) ?? 0) + count(n));
      bucketSet.add(String(bucket));
    }
    const candidateDays = [...candidatesPerDay.keys()].sort();
    const indexed = candidateDays.length > 0 ? await options.indexedFiles() : [];
    const fragments: string[] = [];
    for (const file of indexed) {
      if (file.day === rebuildDay) continue;
      await ensureSidecar(connection, file);
      fragments.push(...(await bucketFiles(file.sidecar, bucketSet)));
    }
    if (fragments.length > 0) {
      await connection.run(`CREATE OR REPLACE TEMP TABLE hits AS
        SELECT c.id, c.event_date, s.event_date AS existing_date,
          (s.received_at, coalesce(s.bronze_object, '~')) <= (c.received_at, o.key) AS existing_wins
        FROM read_parquet(${list(fragments)}, hive_partitioning = false) s JOIN candidates c ON s.id = c.id
          JOIN objects o USING (object_order)`);
    } else {
      await connection.run(
        "CREATE OR REPLACE TEMP TABLE hits (id UUID, event_date DATE, existing_date DATE, existing_wins BOOLEAN)",
      );
    }
    // Without a published id to meet, every candidate is added (the common case: a new day).
    const anyHit = count((await connection.runAndReadAll("SELECT count(*) FROM hits")).getRows()[0]?.[0]) > 0;
    additionsKind = anyHit ? "TABLE" : "VIEW";
    await connection.run(
      anyHit
        ? "CREATE OR REPLACE TEMP TABLE additions AS SELECT * FROM candidates ANTI JOIN (SELECT id FROM hits WHERE existing_wins) USING (id)"
        : "CREATE OR REPLACE TEMP VIEW additions AS SELECT * FROM candidates",
    );
    await connection.run(`CREATE OR REPLACE TEMP TABLE beaten AS
      SELECT DISTINCT id, existing_date AS event_date FROM hits SEMI JOIN additions USING (id) WHERE NOT existing_wins`);

    const beatenDays = (await connection.runAndReadAll("SELECT DISTINCT CAST(event_date AS VARCHAR) FROM beaten"))
      .getRows()
      .map(([day]) => day as string);
    const existing = await options.existingFiles(
      [...new Set([...candidateDays, ...beatenDays])].filter((d) => d !== rebuildDay),
    );
    const addedPerDay = anyHit
      ? new Map(
          (await connection.runAndReadAll("SELECT CAST(event_date AS VARCHAR), count(*) FROM additions GROUP BY ALL"))
            .getRows()
            .map(([day, n]) => [day as string, count(n)]),
        )
      : candidatesPerDay;
    const rewrite = new Set(beatenDays);
    if (rebuildDay) rewrite.add(rebuildDay);
    // A day only added to that would pass the bound keeps its largest file and has the others
    // compacted, with what the run adds, into one: what it holds already is not read again whole
    // for a handful of late events, and its marts are added to like any other day's.
    const compacted = new Map<string, { kept: ExistingFile; rewritten: ExistingFile[] }>();
    for (const [day] of addedPerDay) {
      const files = existing.get(day) ?? [];
      if (rewrite.has(day) || files.length + 1 <= MAX_PARTITION_FILES) continue;
      const sizes = await Promise.all(files.map(async (f) => (await stat(f.path)).size));
      const largest = sizes.indexOf(Math.max(...sizes));
      compacted.set(day, { kept: files[largest] as ExistingFile, rewritten: files.filter((_, i) => i !== largest) });
    }
    const days = [...new Set([...addedPerDay.keys(), ...rewrite, ...copiesPerDay.keys()])].sort();
    // Days only added to are written in a few statements for all of them (a run absorbing late
    // events touches many days, and a statement per day each cost as much as the work); a day
    // that is rewritten gets statements of its own.
    const added = days.filter((day) => !rewrite.has(day) && (addedPerDay.get(day) ?? 0) > 0);
    const files = new Map<string, WrittenSilver>();
    const marts = new Map<string, { userIds: string[]; counts: bigint[] }>();
    // What the run added to each day only added to: the day's new file, or the input of its compaction.
    const addedFiles = new Map<string, string>();
    if (added.length > 0) {
      const ofAdded = `event_date IN ${dateList(added)}`;
      const rows = `SELECT id, ${COPY_FIELDS.join(", ")}, o.key AS bronze_object
        FROM additions JOIN objects o USING (object_order) WHERE ${ofAdded}`;
      const silverDir = join(dir, "added");
      const sidecarDir = join(dir, "added-ids");
      for (const written of [silverDir, sidecarDir]) await rm(written, { recursive: true, force: true });
      // A partitioned write keeps the query's order within each file only under this setting.
      await connection.run("SET preserve_insertion_order = true");
      try {
        await connection.run(`COPY (SELECT ${SILVER_SELECT} FROM (${rows}) ORDER BY event_date, ${SILVER_SORT.join(", ")})
          TO ${sqlString(silverDir)} (${PARQUET}, PARTITION_BY (event_date), WRITE_PARTITION_COLUMNS true)`);
      } finally {
        await connection.run("SET preserve_insertion_order = false");
      }
      // A file that is compacted is not published: it needs no sidecar, nor a digest.
      const published = added.filter((day) => !compacted.has(day));
      if (published.length > 0) {
        await connection.run(`COPY (SELECT ${SIDECAR_SELECT}, CAST(ts AS DATE) AS day FROM (${rows})
          WHERE CAST(ts AS DATE) IN ${dateList(published)})
          TO ${sqlString(sidecarDir)} (FORMAT parquet, COMPRESSION uncompressed, PARTITION_BY (day, bucket))`);
      }
      for (const day of added) {
        const partition = join(silverDir, `event_date=${day}`);
        const [name] = await readdir(partition);
        const path = join(partition, name as string);
        addedFiles.set(day, path);
        if (compacted.has(day)) continue;
        const rowCount = addedPerDay.get(day) ?? 0;
        const sidecar = join(sidecarDir, `day=${day}`);
        files.set(day, { path, sidecar, bytes: (await stat(path)).size, rows: rowCount, sha256: await sha256Of(path) });
      }
      const mart = await connection.runAndReadAll(`SELECT CAST(event_date AS VARCHAR), user_id, count(*) FROM additions
        WHERE ${ofAdded} AND user_id IS NOT NULL GROUP BY ALL ORDER BY ALL`);
      for (const [day, user, n] of mart.getRows()) {
        const entry = marts.get(day as string) ?? { userIds: [], counts: [] };
        entry.userIds.push(user as string);
        entry.counts.push(n as bigint);
        marts.set(day as string, entry);
      }
    }
    /** Writes rows in copy form (with their objects' keys) as a day's sorted file and its sidecar; null when there are none. */
    const writeSortedFile = async (day: string, rows: string): Promise<WrittenSilver | null> => {
      const path = join(dir, `silver-${day}.parquet`);
      const written = await connection.runAndReadAll(`COPY (SELECT ${SILVER_SELECT} FROM (${rows})
        ORDER BY ${SILVER_SORT.join(", ")}) TO ${sqlString(path)} (${PARQUET})`);
      const rowCount = count(written.getRows()[0]?.[0]);
      if (rowCount === 0) return null;
      const sidecar = `${path}.ids`;
      await rm(sidecar, { recursive: true, force: true });
      await connection.run(
        `COPY (SELECT ${SIDECAR_SELECT} FROM (${rows})) TO ${sqlString(sidecar)} (${SIDECAR_FORMAT})`,
      );
      return { path, sidecar, bytes: (await stat(path)).size, rows: rowCount, sha256: await sha256Of(path) };
    };
    for (const [day, { rewritten }] of compacted) {
      const sources = [...rewritten.map((f) => f.path), addedFiles.get(day) as string];
      const file = await writeSortedFile(
        day,
        `SELECT ${SILVER_AS_COPY} FROM ${await silverRelation(connection, sources)}`,
      );
      // It holds at least the rows the run added; without them the day's rows would be lost.
      if (!file) throw new Error(`the compaction of ${day} wrote no rows from ${sources.join(", ")}`);
      files.set(day, file);
    }
    for (const day of days.filter((d) => rewrite.has(d))) {
      const previous = day !== rebuildDay ? (existing.get(day) ?? []) : [];
      const fromExisting = previous.length
        ? `SELECT * FROM (SELECT ${SILVER_AS_COPY} FROM ${await silverRelation(
            connection,
            previous.map((f) => f.path),
          )})
             ANTI JOIN (SELECT id FROM beaten WHERE event_date = DATE ${sqlString(day)}) USING (id) UNION ALL `
        : "";
      const file = await writeSortedFile(
        day,
        `${fromExisting}SELECT id, ${COPY_FIELDS.join(", ")}, o.key AS bronze_object
        FROM additions JOIN objects o USING (object_order) WHERE event_date = DATE ${sqlString(day)}`,
      );
      if (!file) {
        marts.set(day, { userIds: [], counts: [] });
        continue;
      }
      files.set(day, file);
      const mart = await connection.runAndReadAll(`SELECT user_id, count(*) FROM read_parquet(${sqlString(file.path)})
        WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY user_id`);
      // A day of anonymous events alone has no user rows (and DuckDB then gives no columns).
      const [userIds = [], counts = []] = mart.getColumns() as [string[]?, bigint[]?];
      marts.set(day, { userIds, counts });
    }
    /** The published files the day's new file replaces: a rewritten day's all, a compacted day's those it rewrote. */
    const replaced = (day: string): string[] => {
      if (day === rebuildDay) return [...(options.rebuild?.keys ?? [])];
      if (rewrite.has(day)) return (existing.get(day) ?? []).map((f) => f.key);
      return (compacted.get(day)?.rewritten ?? []).map((f) => f.key);
    };
    /** The published files a day keeps beside the one the run wrote for it. */
    const keptFiles = (day: string): ExistingFile[] => {
      if (rewrite.has(day)) return [];
      const compaction = compacted.get(day);
      return compaction ? [compaction.kept] : (existing.get(day) ?? []);
    };
    const silverFilesOf = (day: string) => {
      const kept = keptFiles(day).map((f) => f.path);
      const written = files.get(day);
      return written ? [...kept, written.path] : kept;
    };
    const merged: MergedDay[] = days.map((day) => ({
      day,
      file: files.get(day) ?? null,
      added: rewrite.has(day) ? null : (addedFiles.get(day) ?? null),
      replaces: replaced(day),
      silverFiles: silverFilesOf(day),
      mart: { mode: rewrite.has(day) ? "replace" : "add", ...(marts.get(day) ?? { userIds: [], counts: [] }) },
      copies: copiesPerDay.get(day) ?? 0,
      duplicates: Math.max(0, (copiesPerDay.get(day) ?? 0) - (addedPerDay.get(day) ?? 0)),
    }));
    return merged;
  } finally {
    await connection.run(`DROP ${additionsKind} IF EXISTS additions`);
    await connection.run("DROP VIEW IF EXISTS candidates");
    for (const table of temps) await connection.run(`DROP TABLE IF EXISTS ${table}`);
  }
}
