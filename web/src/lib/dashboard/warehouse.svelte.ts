import {
  DAILY_EVENTS_COLUMNS,
  EXPORT_KEYS,
  type ExportColumns,
  GOLD_MART_NAMES,
  GOLD_MARTS,
  goldMartKey,
  type ManifestFile,
  SILVER_COLUMNS,
  sqlString,
} from "@growit/contract";
import { type AsyncDuckDB, type AsyncDuckDBConnection, registerBuffer, registerHttpFile } from "./duckdb.ts";
import { exportedFiles, exportUrl, silverFiles } from "./manifest.ts";
import { QueryResult } from "./result.ts";

/** How far loading has come: views that read the marts may run from "silver" on, the rest at "ready". */
export type Stage = "engine" | "mart" | "silver" | "ready" | "failed";

/**
 * Exports up to this size are fetched whole, in one request started with the manifest while
 * DuckDB instantiates, and read from memory; larger ones are read over HTTP Range requests, one
 * synchronous round trip per part the engine reads (a day of silver at volume took seconds).
 */
const WHOLE_FETCH_MAX_BYTES = 128 * 1024 * 1024;

/** A query of no rows with these columns (name, DuckDB type): a view over it keeps every query valid. */
const noRows = (columns: ReadonlyArray<readonly [string, string]>): string =>
  `SELECT ${columns.map(([name, type]) => `NULL::${type} AS ${name}`).join(", ")} WHERE false`;

/** Each mart's export: the view the panels read, the key it is stored under, and its columns. */
interface MartExport {
  view: string;
  key: string;
  columns: ExportColumns;
}

const MART_EXPORTS: readonly MartExport[] = [
  {
    view: "daily_events",
    key: EXPORT_KEYS.dailyEvents,
    columns: DAILY_EVENTS_COLUMNS,
  },
  ...GOLD_MART_NAMES.map((mart) => ({ view: mart, key: goldMartKey(mart), columns: GOLD_MARTS[mart] })),
];

/**
 * The analyst's in-browser warehouse: DuckDB-WASM with the exports registered under their keys
 * and a view over each: `daily_events` (the mart), one per gold mart under its name, and
 * `events` (every silver partition). The marts come first, and are small whatever the number
 * of events, so every panel can be drawn before silver is touched: the `events` view, which
 * opens every partition, is created once the panels' queries have run (DuckDB-WASM runs one
 * request at a time, so it would otherwise hold them up).
 */
export class Warehouse {
  stage = $state<Stage>("engine");
  error = $state<string | undefined>(undefined);
  /** What the exports' manifest lists, once it is read. */
  files = $state.raw<ManifestFile[] | undefined>(undefined);
  private connection: AsyncDuckDBConnection | undefined;
  private db: AsyncDuckDB | undefined;
  private opening: Promise<void> | undefined;
  private readonly registered = new Map<string, Promise<void>>();
  /** Exports being fetched whole, by key. */
  private readonly fetched = new Map<string, Promise<Uint8Array>>();
  /** Queries issued and not yet answered. */
  private readonly pending = new Set<Promise<unknown>>();

  /**
   * Opens the marts in `engine` (started by the caller, as early as it could), and owns
   * it from then on. `martOpened` runs as soon as the marts can be queried: it is where the
   * panels issue their queries, which run before silver is opened.
   */
  open(engine: Promise<AsyncDuckDB>, martOpened: () => Promise<void>): Promise<void> {
    this.opening = this.load(engine, martOpened);
    return this.opening;
  }

  /** Runs `sql` once the exports it reads by key (`files`) are registered. */
  query(sql: string, files: readonly string[] = []): Promise<QueryResult> {
    const answered = this.run(sql, files);
    this.pending.add(answered);
    const forget = () => this.pending.delete(answered);
    answered.then(forget, forget);
    return answered;
  }

  /** Stops the engine's worker, once opening has finished (a page left mid-load must not leak it). */
  async close(): Promise<void> {
    await this.opening;
    await this.connection?.close();
    await this.db?.terminate();
  }

  private async run(sql: string, files: readonly string[]): Promise<QueryResult> {
    if (!this.connection) throw new Error("DuckDB is not open yet");
    await Promise.all(files.map((key) => this.register(key)));
    const started = performance.now();
    const table = await this.connection.query(sql);
    return new QueryResult(table, performance.now() - started);
  }

  private async load(engine: Promise<AsyncDuckDB>, martOpened: () => Promise<void>): Promise<void> {
    try {
      const [db, files] = await Promise.all([
        engine.then((db) => {
          performance.mark("dashboard:engine");
          return db;
        }),
        exportedFiles().then((files) => {
          performance.mark("dashboard:manifest");
          this.files = files;
          // Every panel reads the mart and the gold marts.
          this.prefetch(MART_EXPORTS.map((mart) => mart.key));
          return files;
        }),
      ]);
      this.db = db;
      this.connection = await db.connect();
      this.stage = "mart";
      await Promise.all(MART_EXPORTS.map((mart) => this.openExport(files, mart)));
      performance.mark("dashboard:marts");
      this.stage = "silver";
      await martOpened();
      await this.settled();
      await this.createEventsView(files);
      performance.mark("dashboard:events");
      this.stage = "ready";
      await this.holdInMemory();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.stage = "failed";
    }
  }

  /**
   * Starts fetching whole the exports of `keys` that are small enough and not fetched or
   * registered yet, so that a query reading them later reads memory: the drill-down's day, say,
   * while the engine starts. Keys the manifest does not list (or before it is read) are left to
   * the query, which registers them itself.
   */
  prefetch(keys: readonly string[]): void {
    const wanted = new Set(keys);
    for (const file of this.files ?? []) {
      if (!wanted.has(file.key) || file.bytes > WHOLE_FETCH_MAX_BYTES) continue;
      if (this.fetched.has(file.key) || this.registered.has(file.key)) continue;
      const bytes = fetchWhole(exportUrl(file.key));
      // Awaited when the file registers; until then a failure must not surface as unhandled.
      bytes.catch(() => undefined);
      this.fetched.set(file.key, bytes);
    }
  }

  /** Resolves once no query issued so far (nor one issued while waiting) is still running. */
  private async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * A mart's export as its view over the Parquet; before the ETL exported it, an empty view with
   * its columns, which keeps every query valid.
   */
  private async openExport(files: readonly ManifestFile[], { view, key, columns }: MartExport): Promise<void> {
    if (!files.some((file) => file.key === key)) {
      await this.exec(`CREATE OR REPLACE VIEW ${view} AS ${noRows(Object.entries(columns))}`);
      return;
    }
    await this.register(key);
    await this.exec(`CREATE OR REPLACE VIEW ${view} AS SELECT * FROM read_parquet(${sqlString(key)})`);
  }

  /**
   * Once the panels are drawn, moves the exports that were fetched whole into tables (schema
   * `in_memory`) behind their views: the panels scan them again at every change of range, and a
   * table is read without decoding Parquet each time. Doing it first would delay every panel.
   * One that does not fit in the engine's memory stays a view over its Parquet, which still answers.
   */
  private async holdInMemory(): Promise<void> {
    await this.exec("CREATE SCHEMA IF NOT EXISTS in_memory");
    for (const { view: name, key } of MART_EXPORTS) {
      if (!this.fetched.has(key)) continue;
      try {
        await this.exec(`CREATE OR REPLACE TABLE in_memory.${name} AS SELECT * FROM read_parquet(${sqlString(key)})`);
      } catch (error) {
        console.warn(`dashboard: ${name} stays a view over its Parquet:`, error);
        continue;
      }
      await this.exec(`CREATE OR REPLACE VIEW ${name} AS SELECT * FROM in_memory.${name}`);
    }
  }

  private async createEventsView(files: readonly ManifestFile[]): Promise<void> {
    const partitions = silverFiles(files);
    if (partitions.length === 0) {
      await this.exec(`CREATE OR REPLACE VIEW events AS ${noRows(SILVER_COLUMNS.map((c) => [c.name, c.type]))}`);
      return;
    }
    await Promise.all(partitions.map((file) => this.register(file.key)));
    const list = partitions.map((file) => sqlString(file.key)).join(", ");
    // By name: partitions written before a column was added read it as NULL.
    await this.exec(`CREATE OR REPLACE VIEW events AS SELECT * FROM read_parquet([${list}], union_by_name = true)`);
  }

  /** Registers an export under its own key (once), so that the SQL console can also read a file by name. */
  private register(key: string): Promise<void> {
    if (!this.db) throw new Error("DuckDB is not open yet");
    let registering = this.registered.get(key);
    if (!registering) {
      const db = this.db;
      const bytes = this.fetched.get(key);
      registering = bytes ? bytes.then((b) => registerBuffer(db, key, b)) : registerHttpFile(db, key, exportUrl(key));
      this.registered.set(key, registering);
    }
    return registering;
  }

  private async exec(sql: string): Promise<void> {
    await this.connection?.query(sql);
  }
}

async function fetchWhole(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
