import type { Manifest } from "@growit/contract";
import {
  EXPORT_KEYS,
  GOLD_MART_NAMES,
  GOLD_MARTS,
  type GoldMart,
  goldMartKey,
  SILVER_COLUMNS,
  sqlString,
} from "@growit/contract";
import { api } from "../api.ts";
import { type AsyncDuckDB, type AsyncDuckDBConnection, openDuckDB, registerHttpFile } from "./duckdb.ts";
import { exportUrl, martFile, silverFiles } from "./manifest.ts";
import { QueryResult } from "./result.ts";

/** How far loading has come: views that read the marts may run from "silver" on, the rest at "ready". */
export type Stage = "engine" | "mart" | "silver" | "ready" | "failed";

/**
 * The analyst's in-browser warehouse: DuckDB-WASM with the exports registered as HTTP files
 * and views over them: `daily_events` (the mart), one per gold mart under its name, and
 * `events` (every silver partition). The marts come first, and are small whatever the number
 * of events, so every panel can be drawn while the silver partitions register.
 */
export class Warehouse {
  stage = $state<Stage>("engine");
  error = $state<string | undefined>(undefined);
  manifest = $state.raw<Manifest | undefined>(undefined);
  private connection: AsyncDuckDBConnection | undefined;
  private db: AsyncDuckDB | undefined;
  private opening: Promise<void> | undefined;
  private readonly registered = new Map<string, Promise<void>>();

  /**
   * Opens the engine and the mart view. `martOpened` runs as soon as the mart can be queried,
   * and is awaited before the silver partitions are registered: it is where the first chart's
   * query is issued, so that it does not queue behind the silver registration.
   */
  open(martOpened: () => Promise<void>): Promise<void> {
    this.opening = this.load(martOpened);
    return this.opening;
  }

  async query(sql: string): Promise<QueryResult> {
    if (!this.connection) throw new Error("DuckDB is not open yet");
    const started = performance.now();
    const table = await this.connection.query(sql);
    return new QueryResult(table, performance.now() - started);
  }

  /** Stops the engine's worker, once opening has finished (a page left mid-load must not leak it). */
  async close(): Promise<void> {
    await this.opening;
    await this.connection?.close();
    await this.db?.terminate();
  }

  private async load(martOpened: () => Promise<void>): Promise<void> {
    try {
      const [db, { data: manifest }] = await Promise.all([openDuckDB(), api.manifest()]);
      this.db = db;
      this.manifest = manifest;
      this.connection = await db.connect();
      this.stage = "mart";
      await Promise.all([
        this.createMartView(manifest),
        ...GOLD_MART_NAMES.map((mart) => this.createGoldView(manifest, mart)),
      ]);
      this.stage = "silver";
      await martOpened();
      await this.createEventsView(manifest);
      this.stage = "ready";
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.stage = "failed";
    }
  }

  private async createMartView(manifest: Manifest): Promise<void> {
    const mart = martFile(manifest);
    if (!mart) {
      // No ETL run has exported the mart yet: an empty view keeps every query valid.
      await this.run(
        "CREATE OR REPLACE VIEW daily_events AS SELECT NULL::DATE AS event_date, NULL::VARCHAR AS user_id, NULL::BIGINT AS cnt WHERE false",
      );
      return;
    }
    await this.register(mart.key);
    await this.run(
      `CREATE OR REPLACE VIEW daily_events AS SELECT * FROM read_parquet(${sqlString(EXPORT_KEYS.dailyEvents)})`,
    );
  }

  /** A gold mart as the view of its name; empty, with its columns, before the ETL exported it. */
  private async createGoldView(manifest: Manifest, mart: GoldMart): Promise<void> {
    const key = goldMartKey(mart);
    if (!manifest.files.some((file) => file.key === key)) {
      const columns = Object.entries(GOLD_MARTS[mart]).map(([name, type]) => `NULL::${type} AS ${name}`);
      await this.run(`CREATE OR REPLACE VIEW ${mart} AS SELECT ${columns.join(", ")} WHERE false`);
      return;
    }
    await this.register(key);
    await this.run(`CREATE OR REPLACE VIEW ${mart} AS SELECT * FROM read_parquet(${sqlString(key)})`);
  }

  private async createEventsView(manifest: Manifest): Promise<void> {
    const partitions = silverFiles(manifest);
    if (partitions.length === 0) {
      const columns = SILVER_COLUMNS.map((column) => `NULL::${column.type} AS ${column.name}`).join(", ");
      await this.run(`CREATE OR REPLACE VIEW events AS SELECT ${columns} WHERE false`);
      return;
    }
    await this.registerFiles(partitions.map((file) => file.key));
    const list = partitions.map((file) => sqlString(file.key)).join(", ");
    // By name: partitions written before a column was added read it as NULL.
    await this.run(`CREATE OR REPLACE VIEW events AS SELECT * FROM read_parquet([${list}], union_by_name = true)`);
  }

  /**
   * Registers exports not registered yet, so that a query may read them by key: the day
   * drill-down its day's partition before every other has registered.
   */
  async registerFiles(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.register(key)));
  }

  /** Registers an export under its own key (once), so that the SQL console can also read a file by name. */
  private register(key: string): Promise<void> {
    if (!this.db) throw new Error("DuckDB is not open yet");
    let registering = this.registered.get(key);
    if (!registering) {
      registering = registerHttpFile(this.db, key, exportUrl(key));
      this.registered.set(key, registering);
    }
    return registering;
  }

  private async run(sql: string): Promise<void> {
    await this.connection?.query(sql);
  }
}
